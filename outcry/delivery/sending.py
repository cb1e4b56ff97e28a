"""Claim, send, record: the worker's side of the outbox (the shared steps are in outcry.lib.outbox).

A message's life (Message.Status):

    pending  --claim--> sending --server accepted--> sent
    deferred --claim--> sending --4xx, timeout--> deferred (next_try_at = now + backoff)
                                --5xx, undeliverable------> failed (last_error = the server's answer)
                                --server unreachable------> the circuit opens: this message deferred,
                                                            due at once; the others wait untouched
                                --worker killed-----------> still sending; claimable again once its
                                                            lease (OUTCRY_LEASE_SECONDS) lapses
    a letter over its target's hourly limit --> batched --digest job--> carried by a digest --> sent
    a letter whose action no longer counts  --> cancelled

Guarantee: at least once. A worker holds one claim at a time and renews its lease while it sends; the
outcome is recorded under the claim token, retrying through a lost database connection. So a duplicate
happens only when a worker dies (or the database stays away longer than OUTCRY_RECORD_RETRY_SECONDS)
between the server's acceptance and the record: at most the one message it was sending, carrying the
same Message-ID.

While the mail server is unreachable the circuit (MailServer, one row for all workers) is open: sends
return at once, one worker probes after 2, 4, 8… seconds, and the probe that fails records nothing on the
message it tried, so an outage costs one attempt, not one per message or per probe.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, CampaignUpdate
from outcry.delivery.emails import Undeliverable, build_email, screen_updates
from outcry.delivery.models import Attempt, MailServer, Message
from outcry.lib import outbox
from outcry.lib.logs import redact
from outcry.lib.outbox import Circuit, Gate, Outbox, persist

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

    @property
    def unreachable(self) -> bool:
        """The server is away (refused, timed out, dropped, or refuses our login): open the circuit.
        A 421 only closes this one connection; the next message opens another."""
        return self.connection_lost and self.code != 421


def _answer(code: int | None, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    # Servers quote the refused address ("550 <x@y>: User unknown"): the attempt log keeps the answer, not it.
    text = redact(text)
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


OUTBOX = Outbox(Message, sendable=tuple(Message.SENDABLE), sending=Message.Status.SENDING)


def backoff(attempts: int) -> timedelta:
    return outbox.backoff(attempts, timedelta(seconds=settings.OUTCRY_DELIVERY_RETRY_SECONDS), MAX_BACKOFF)


def due_filter(now: datetime) -> Q:
    return OUTBOX.due(now)


def due_messages(now: datetime, action_id: int | None = None, message_id: int | None = None) -> QuerySet[Message]:
    messages = Message.objects.filter(due_filter(now))
    if action_id is not None:
        messages = messages.filter(action_id=action_id)
    if message_id is not None:
        messages = messages.filter(pk=message_id)
    return messages.order_by("next_try_at", "pk")


def claim(message_id: int, now: datetime) -> str | None:
    """Take one message for sending. Only the process whose conditional UPDATE matched goes on."""
    taken = OUTBOX.claim(message_id, now)
    if taken is None:
        return None
    if taken.taken_over_from is not None:
        Attempt.objects.create(
            message_id=message_id, started_at=taken.taken_over_from, finished_at=now, outcome=Attempt.Outcome.INTERRUPTED,
            detail="The worker stopped renewing its claim before recording the answer; claimed again.",
        )
    return taken.token


def mail_circuit() -> Circuit:
    return Circuit(MailServer.objects.filter(name="default"))


def unreachable_since() -> datetime | None:
    """When the mail server stopped answering, while it still does not (for the admin and /metrics)."""
    return mail_circuit().opened_at()


class Mailer:
    """One connection to mailers.default for a whole batch, opened on first use."""

    def __init__(self) -> None:
        self.connection = None
        # When the mail server should next be probed, if a failed send made this mailer responsible.
        self.probe_at: datetime | None = None

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
    return OUTBOX.release(message_id, token, status=status, last_error=reason)


def over_hourly_limit(message: Message, now: datetime, token: str = "") -> bool:
    """Counted after our own claim, so two workers racing for the last place can both lose it, never both win.
    The rest of our own batch (claimed with the same token, not yet sent) does not count against it."""
    limit = message.campaign.target_hourly_limit
    if not limit or message.target_id is None:
        return False
    recent = (
        Message.objects.filter(
            target_id=message.target_id, campaign_id=message.campaign_id, kind=Message.Kind.LETTER,
            status__in=[Message.Status.SENDING, Message.Status.SENT], digest__isnull=True, claimed_at__gte=now - HOUR,
        )
        .exclude(pk=message.pk)
        .exclude(status=Message.Status.SENDING, claim_token=token)
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
    if over_hourly_limit(message, now, token):
        reason = f"Over the limit of {campaign.target_hourly_limit} letters an hour to this target: rolled into its next digest."
        return _release(message.pk, token, Message.Status.BATCHED, reason)
    return False


def record(message: Message, token: str, verdict: Verdict, now: datetime, *, due_at: datetime | None = None) -> bool:
    """Store what happened, in one transaction with the count of letters sent. False if our claim was lost.

    Retries through a lost database connection (outcry.lib.outbox.persist): the server has the mail,
    and giving up here would let the message be sent again once its lease lapses.
    """
    fields: dict = {"last_error": "" if verdict.outcome == Attempt.Outcome.SENT else verdict.detail}
    outcome = verdict.outcome
    if outcome == Attempt.Outcome.DEFERRED and message.attempts >= settings.OUTCRY_DELIVERY_MAX_ATTEMPTS:
        outcome = Attempt.Outcome.FAILED
        fields["last_error"] = f"Gave up after {message.attempts} attempts. Last answer: {verdict.detail}"
    if outcome == Attempt.Outcome.SENT:
        fields |= {"status": Message.Status.SENT, "sent_at": now}
    elif outcome == Attempt.Outcome.DEFERRED:
        fields |= {"status": Message.Status.DEFERRED, "next_try_at": due_at or now + backoff(message.attempts)}
    else:
        fields |= {"status": Message.Status.FAILED}
    if outcome != Attempt.Outcome.DEFERRED and message.recipient:
        fields["recipient"] = ""  # done with it: the outbox keeps no address it no longer needs
    finished_at = timezone.now()

    def write() -> bool:
        with transaction.atomic():
            Attempt.objects.create(
                message=message, started_at=now, finished_at=finished_at, outcome=verdict.outcome,
                smtp_code=verdict.code, detail=verdict.detail[:2000], worker=WORKER,
            )
            if not OUTBOX.finish(message.pk, token, **fields):
                # Another worker took it over after our lease lapsed: it records the outcome.
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
            return True

    recorded = persist(write, what=f"record message {message.pk}")
    if recorded:
        logger.info("Message %s (%s): %s %s", message.pk, message.kind, outcome, verdict.code or "")
    return recorded


def _unreachable(message: Message, token: str, verdict: Verdict, now: datetime, gate: Gate) -> datetime | None:
    """The mail server did not answer. The first failure of an outage opens the circuit and is this
    message's one attempt (due again at once: the circuit decides when); a failed probe or a failure in
    the moment another worker opened it leaves the message as it was. Returns when to probe next, if
    this process is the one that must arrange it."""
    MailServer.objects.get_or_create(name="default")
    opened, next_probe = mail_circuit().trip(verdict.detail, now, probing=gate is Gate.PROBE)
    if opened:
        record(message, token, verdict, now, due_at=now)
    else:
        previous = Message.Status.DEFERRED if message.attempts > 1 else Message.Status.PENDING
        persist(lambda: _release(message.pk, token, previous, f"Waiting for the mail server: {verdict.detail}"))
    return next_probe


def deliver(message_id: int, mailer: Mailer, now: datetime | None = None, gate: Gate = Gate.CLOSED) -> Verdict | None:
    """Claim one message and send it. None if another worker has it or it was held back."""
    now = now or timezone.now()
    token = claim(message_id, now)
    if token is None:
        return None
    message = Message.objects.select_related("campaign__organisation", "action", "target").get(pk=message_id)
    return _send_claimed(message, token, mailer, now, gate)


def load_claimed(ids: list[int]) -> list[Message]:
    """A claimed batch with everything its emails need, in three queries whatever its size: each campaign,
    organisation and update is loaded once and shared by its messages (with their translations), so
    building an email asks the database nothing more about them."""
    messages = list(
        Message.objects.select_related("campaign__organisation", "action", "target", "update")
        .filter(pk__in=ids).order_by("next_try_at", "pk")
    )
    campaigns: dict[int, Campaign] = {}
    updates: dict[int, CampaignUpdate] = {}
    for message in messages:
        message.campaign = campaigns.setdefault(message.campaign_id, message.campaign)
        if message.action is not None and message.action.campaign_id == message.campaign_id:
            message.action.campaign = message.campaign
        if message.update is not None:
            message.update = updates.setdefault(message.update_id, message.update)
            if message.update.campaign_id == message.campaign_id:
                message.update.campaign = message.campaign
    prefetch_related_objects(list(campaigns.values()), "translations")
    prefetch_related_objects(list(updates.values()), "translations")
    screen_updates(messages)
    return messages


def _send_claimed(message: Message, token: str, mailer: Mailer, now: datetime, gate: Gate) -> Verdict | None:
    if message.kind == Message.Kind.LETTER and _hold_back(message, token, now):
        return None
    try:
        email = build_email(message)
    except Undeliverable as error:
        verdict = Verdict(Attempt.Outcome.FAILED, None, str(error))
    else:
        try:
            with OUTBOX.holding(message.pk, token):
                mailer.send(email)
        except Exception as error:
            verdict = classify(error)
            if verdict.connection_lost:
                mailer.close()
        else:
            verdict = Verdict(Attempt.Outcome.SENT, 250, "accepted")
    if verdict.unreachable:
        mailer.probe_at = _unreachable(message, token, verdict, now, gate)
        return verdict
    record(message, token, verdict, now)
    return verdict


def _give_back(messages: list[Message], token: str, reason: str) -> None:
    """Unreserve batch messages this run will not start after all (time is up, or the server went away)."""
    for message in messages:
        previous = Message.Status.DEFERRED if message.attempts else Message.Status.PENDING
        persist(lambda m=message, p=previous: OUTBOX.unreserve(m.pk, token, status=p, last_error=reason or m.last_error))


@dataclass
class Report:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    skipped: int = 0
    # More was due than this run sent (batch size or time budget reached).
    unfinished: bool = False
    # The mail server is unreachable: nothing was tried (or the one try failed).
    circuit_open: bool = False
    # Set when this run must arrange the next probe of the mail server (ISO time).
    probe_at: str | None = None
    # This run found the mail server back after an outage: the backlog should be swept now.
    recovered: bool = False


def send_due(*, action_id: int | None = None, message_id: int | None = None, limit: int = 500, budget_seconds: float = 10.0, now: datetime | None = None) -> Report:
    """Send what is due (for one action, or everything), over one connection, for at most budget_seconds.

    Messages are reserved OUTCRY_SEND_BATCH at a time under one token and read in one go (load_claimed);
    each is started (an attempt) just before its send and recorded on its own as soon as the server
    accepts it, so a worker killed mid-batch resends at most the one message it was sending (logged as
    interrupted), and the rest of its batch, never started, is taken again once the lease lapses.

    While the mail server's circuit is open this returns at once. A lost connection stops the run, and
    `unfinished` then stays false: the circuit, not a re-enqueued sweep, decides when to try again.
    """
    started = time.monotonic()
    report = Report()
    now = now or timezone.now()
    gate = mail_circuit().gate(now)
    if gate is Gate.OPEN:
        report.circuit_open = True
        return report
    due = due_messages(now, action_id, message_id)
    lapsed = list(due.filter(OUTBOX.lapsed(now)).values_list("pk", flat=True)[:limit])
    handled = 0
    tried: list[int] = []

    def tally(verdict: Verdict | None) -> bool:
        """Count one outcome; True when the run must stop (the server is unreachable)."""
        nonlocal gate
        if verdict is None:
            report.skipped += 1
            return False
        if verdict.outcome == Attempt.Outcome.SENT:
            report.sent += 1
        elif verdict.outcome == Attempt.Outcome.FAILED:
            report.failed += 1
        else:
            report.deferred += 1
        if verdict.unreachable:
            report.circuit_open, report.unfinished = True, False
            report.probe_at = mailer.probe_at.isoformat() if mailer.probe_at else None
            return True
        if gate is Gate.PROBE:
            # The server answered: the outage is over for everyone.
            mail_circuit().close()
            gate, report.recovered = Gate.CLOSED, True
        return False

    with Mailer() as mailer:
        stop = False
        for lapsed_id in lapsed:
            handled += 1
            if stop := tally(deliver(lapsed_id, mailer, now, gate)):
                break
        while not stop and handled < limit:
            if time.monotonic() - started > budget_seconds:
                report.unfinished = True
                break
            # A message deferred in this run may be due again at once (a short backoff): not in this run.
            token, ids = OUTBOX.claim_batch(due.exclude(pk__in=tried), min(settings.OUTCRY_SEND_BATCH, limit - handled), now)
            if not ids:
                break
            tried.extend(ids)
            handled += len(ids)
            report.unfinished = handled >= limit
            with OUTBOX.holding_batch(token):
                batch = load_claimed(ids)
                for position, message in enumerate(batch, 1):
                    if not persist(lambda m=message, t=token: OUTBOX.start(m.pk, t, now)):
                        tally(None)  # our lease lapsed and another worker took it over
                        continue
                    message.attempts += 1
                    message.claimed_at = now
                    if stop := tally(_send_claimed(message, token, mailer, now, gate)):
                        _give_back(batch[position:], token, "Waiting for the mail server.")
                        break
                    if position < len(batch) and time.monotonic() - started > budget_seconds:
                        _give_back(batch[position:], token, "")
                        report.unfinished, stop = True, True
                        break
    if gate is Gate.PROBE and not report.circuit_open:
        # This run won the probe slot but had nothing to try (no message of its own was due): the next
        # slot is this run's to arrange, or nobody would probe until the next scheduled sweep.
        next_probe = mail_circuit().row.values_list("circuit_next_probe_at", flat=True).first()
        report.circuit_open, report.probe_at = True, next_probe.isoformat() if next_probe else None
    return report
