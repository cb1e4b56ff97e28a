"""Claim, send, record: the worker's side of the outbox.

A message's life (Message.Status):

    pending  --claim--> sending --server accepted--> sent
    deferred --claim--> sending --4xx, refused, timeout--> deferred (next_try_at = now + backoff)
                                --5xx, undeliverable------> failed (last_error = the server's answer)
                                --worker killed-----------> still sending; claimable again once
                                                            claimed_at is older than the stale timeout
    a letter over its target's hourly limit --> batched --digest job--> carried by a digest --> sent
    a letter whose action no longer counts  --> cancelled

Guarantee: at least once. Every message a worker claims is either recorded or, if the worker dies,
claimed again after OUTCRY_DELIVERY_STALE_SECONDS. A worker holds one claim at a time, so a worker
killed mid-batch can cause at most one duplicate: the message it was sending, and only if the server had
accepted it before the kill. The retry carries the same Message-ID.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import smtplib
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.delivery.emails import Undeliverable, build_email
from outcry.delivery.models import Attempt, Message

logger = logging.getLogger(__name__)

WORKER = f"{socket.gethostname()}:{os.getpid()}"
MAX_BACKOFF = timedelta(hours=6)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Verdict:
    outcome: str  # one of Attempt.Outcome
    code: int | None = None
    detail: str = ""
    # The connection itself is unusable (server down, dropped): stop the batch instead of failing the rest.
    connection_lost: bool = False


def _answer(code: int | None, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}".strip() if code else text


def classify(error: Exception) -> Verdict:
    """What an exception from sending means: retry later (deferred) or never (failed)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (None, b""))
        return _by_code(code, _answer(code, text))
    if isinstance(error, smtplib.SMTPAuthenticationError):
        # Our credentials, not the message: retry once the operator has fixed EMAIL_URL.
        return Verdict(Attempt.Outcome.DEFERRED, error.smtp_code, _answer(error.smtp_code, error.smtp_error), True)
    if isinstance(error, (smtplib.SMTPConnectError, smtplib.SMTPHeloError)):
        return Verdict(Attempt.Outcome.DEFERRED, error.smtp_code, _answer(error.smtp_code, error.smtp_error), True)
    if isinstance(error, smtplib.SMTPResponseException):
        verdict = _by_code(error.smtp_code, _answer(error.smtp_code, error.smtp_error))
        # 421: the server is closing the connection; the next message needs a new one.
        return Verdict(verdict.outcome, verdict.code, verdict.detail, connection_lost=error.smtp_code == 421)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Verdict(Attempt.Outcome.DEFERRED, None, f"disconnected: {error}", True)
    if isinstance(error, OSError):
        # Refused connection, timeout, DNS failure, any other SMTPException.
        return Verdict(Attempt.Outcome.DEFERRED, None, f"{type(error).__name__}: {error}", True)
    if isinstance(error, ValueError):
        # Django refuses an address it cannot put on the wire (e.g. a non-ASCII local part without SMTPUTF8).
        return Verdict(Attempt.Outcome.FAILED, None, f"cannot be sent: {error}")
    return Verdict(Attempt.Outcome.DEFERRED, None, f"{type(error).__name__}: {error}")


def _by_code(code: int | None, detail: str) -> Verdict:
    if code is not None and 500 <= code < 600:
        return Verdict(Attempt.Outcome.FAILED, code, detail)
    return Verdict(Attempt.Outcome.DEFERRED, code, detail)


def backoff(attempts: int) -> timedelta:
    base = settings.OUTCRY_DELIVERY_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    # Jitter spreads a burst of failures so they do not all come back at the same second.
    return min(timedelta(seconds=base * random.uniform(0.8, 1.2)), MAX_BACKOFF)


def due_filter(now: datetime) -> Q:
    stale = now - timedelta(seconds=settings.OUTCRY_DELIVERY_STALE_SECONDS)
    return Q(status__in=Message.SENDABLE, next_try_at__lte=now) | Q(status=Message.Status.SENDING, claimed_at__lt=stale)


def due_messages(now: datetime, action_id: int | None = None) -> QuerySet[Message]:
    messages = Message.objects.filter(due_filter(now))
    if action_id is not None:
        messages = messages.filter(action_id=action_id)
    return messages.order_by("next_try_at", "pk")


def claim(message_id: int, now: datetime) -> str | None:
    """Take one message for sending. Only the process whose conditional UPDATE matched goes on."""
    token = secrets.token_hex(16)
    fields = {"status": Message.Status.SENDING, "claimed_at": now, "claim_token": token, "attempts": F("attempts") + 1}
    if Message.objects.filter(pk=message_id, status__in=Message.SENDABLE, next_try_at__lte=now).update(**fields):
        return token
    # Still "sending" long after its claim: the worker that held it died mid-send.
    stale = now - timedelta(seconds=settings.OUTCRY_DELIVERY_STALE_SECONDS)
    dead = Message.objects.filter(pk=message_id, status=Message.Status.SENDING, claimed_at__lt=stale)
    previous = dead.values_list("claimed_at", flat=True).first()
    if previous is None or not dead.filter(claimed_at=previous).update(**fields):
        return None
    Attempt.objects.create(
        message_id=message_id, started_at=previous, finished_at=now, outcome=Attempt.Outcome.INTERRUPTED,
        detail="The worker stopped before recording the answer; claimed again.",
    )
    return token


class Mailer:
    """One connection to mailers.default for a whole batch, opened on first use."""

    def __init__(self) -> None:
        self.connection = None

    def send(self, email: EmailMessage) -> None:
        if self.connection is None:
            connection = mailers.default
            connection.open()
            self.connection = connection
        self.connection.send_messages([email])

    def close(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            try:
                connection.close()
            except Exception:
                # Closing a connection the server already dropped; nothing is lost.
                logger.debug("Closing the mail connection failed", exc_info=True)

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _release(message_id: int, token: str, status: str, reason: str) -> bool:
    """Give a claimed letter up without sending it; the claim was not an attempt."""
    fields = {"status": status, "last_error": reason, "claim_token": "", "attempts": F("attempts") - 1}
    return bool(Message.objects.filter(pk=message_id, claim_token=token).update(**fields))


def over_hourly_limit(message: Message, now: datetime) -> bool:
    """Counted after our own claim, so two workers racing for the last place can both lose it, never both win."""
    limit = message.campaign.target_hourly_limit
    if not limit or message.target_id is None:
        return False
    recent = (
        Message.objects.filter(
            target_id=message.target_id, campaign_id=message.campaign_id, kind=Message.Kind.LETTER,
            status__in=[Message.Status.SENDING, Message.Status.SENT], digest__isnull=True, claimed_at__gte=now - HOUR,
        )
        .exclude(pk=message.pk)
        .count()
    )
    return recent >= limit


def _hold_back(message: Message, token: str, now: datetime) -> bool:
    """Letters that must not go individually now: cancelled, or rolled into the target's digest. True if held."""
    campaign = message.campaign
    if message.action is not None and message.action.status != Action.Status.COUNTED:
        return _release(message.pk, token, Message.Status.CANCELLED, f"The action is {message.action.status}, not counted.")
    if not campaign.sends_letters:
        return _release(message.pk, token, Message.Status.CANCELLED, "Delivery is off for this campaign.")
    if campaign.delivery_mode == Campaign.DeliveryMode.DIGEST:
        return _release(message.pk, token, Message.Status.BATCHED, "Digest mode: goes in the target's next digest.")
    if over_hourly_limit(message, now):
        reason = f"Over the limit of {campaign.target_hourly_limit} letters an hour to this target: rolled into its next digest."
        return _release(message.pk, token, Message.Status.BATCHED, reason)
    return False


def record(message: Message, token: str, verdict: Verdict, now: datetime) -> bool:
    """Store what happened, in one transaction with the count of letters sent. False if our claim was lost."""
    fields: dict = {"claim_token": "", "last_error": "" if verdict.outcome == Attempt.Outcome.SENT else verdict.detail}
    outcome = verdict.outcome
    if outcome == Attempt.Outcome.DEFERRED and message.attempts >= settings.OUTCRY_DELIVERY_MAX_ATTEMPTS:
        outcome = Attempt.Outcome.FAILED
        fields["last_error"] = f"Gave up after {message.attempts} attempts. Last answer: {verdict.detail}"
    if outcome == Attempt.Outcome.SENT:
        fields |= {"status": Message.Status.SENT, "sent_at": now}
    elif outcome == Attempt.Outcome.DEFERRED:
        fields |= {"status": Message.Status.DEFERRED, "next_try_at": now + backoff(message.attempts)}
    else:
        fields |= {"status": Message.Status.FAILED}
    with transaction.atomic():
        Attempt.objects.create(
            message=message, started_at=now, finished_at=timezone.now(), outcome=verdict.outcome,
            smtp_code=verdict.code, detail=verdict.detail[:2000], worker=WORKER,
        )
        if not Message.objects.filter(pk=message.pk, claim_token=token).update(**fields):
            # Another worker reclaimed it as stale while we were sending: it records the outcome.
            logger.warning("Message %s: claim lost before recording %s", message.pk, outcome)
            return False
        letters = 0
        if message.kind == Message.Kind.LETTER and outcome == Attempt.Outcome.SENT:
            letters = 1
        elif message.kind == Message.Kind.DIGEST and outcome == Attempt.Outcome.SENT:
            letters = Message.objects.filter(digest=message, status=Message.Status.BATCHED).update(
                status=Message.Status.SENT, sent_at=now, last_error=""
            )
        elif message.kind == Message.Kind.DIGEST and outcome == Attempt.Outcome.FAILED:
            Message.objects.filter(digest=message, status=Message.Status.BATCHED).update(
                status=Message.Status.FAILED, last_error=f"Its digest failed: {fields['last_error']}"
            )
        if letters:
            counting.add_to_count(message.campaign_id, letters, counting.Metric.MESSAGES_SENT)
    logger.info("Message %s (%s): %s %s", message.pk, message.kind, outcome, verdict.code or "")
    return True


def deliver(message_id: int, mailer: Mailer, now: datetime | None = None) -> Verdict | None:
    """Claim one message and send it. None if another worker has it or it was held back."""
    now = now or timezone.now()
    token = claim(message_id, now)
    if token is None:
        return None
    message = Message.objects.select_related("campaign__organisation", "action", "target").get(pk=message_id)
    if message.kind == Message.Kind.LETTER and _hold_back(message, token, now):
        return None
    try:
        email = build_email(message)
    except Undeliverable as error:
        verdict = Verdict(Attempt.Outcome.FAILED, None, str(error))
    else:
        try:
            mailer.send(email)
        except Exception as error:
            verdict = classify(error)
            if verdict.connection_lost:
                mailer.close()
        else:
            verdict = Verdict(Attempt.Outcome.SENT, 250, "accepted")
    record(message, token, verdict, now)
    return verdict


@dataclass
class Report:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    skipped: int = 0
    # More was due than this run sent (batch size or time budget reached).
    unfinished: bool = False


def send_due(*, action_id: int | None = None, limit: int = 500, budget_seconds: float = 10.0, now: datetime | None = None) -> Report:
    """Send what is due (for one action, or everything), over one connection, for at most budget_seconds.

    Stops early when the connection is lost, so a down server costs one attempt, not one per message.
    """
    started = time.monotonic()
    report = Report()
    ids = list(due_messages(now or timezone.now(), action_id).values_list("pk", flat=True)[:limit])
    report.unfinished = len(ids) == limit
    with Mailer() as mailer:
        for position, message_id in enumerate(ids, 1):
            verdict = deliver(message_id, mailer, now)
            if verdict is None:
                report.skipped += 1
            elif verdict.outcome == Attempt.Outcome.SENT:
                report.sent += 1
            elif verdict.outcome == Attempt.Outcome.FAILED:
                report.failed += 1
            else:
                report.deferred += 1
            if verdict and verdict.connection_lost:
                break
            if time.monotonic() - started > budget_seconds:
                report.unfinished = report.unfinished or position < len(ids)
                break
    return report
