"""Campaign updates: who receives one, how its emails are paced, and how a supporter stops them.

An update reaches the campaign's counted supporters who ticked "keep me updated", who have not
unsubscribed (from the campaign, or from the whole organisation), whose address has not hard-bounced an
email of the organisation, and whose data is not erased. Sending
fans out in batches in the order of action ids: each batch creates its emails in the outbox and moves
the update's watermark in one transaction, so a worker killed mid-send resumes after the last batch it
committed, and a unique constraint keeps any supporter from getting one update twice. Emails are given
send times a pace apart (overall and per recipient domain), and the ordinary delivery workers send each
when its time comes: nothing here talks to a mail server.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from outcry.actions.models import Action, Unsubscribe
from outcry.campaigns.models import CampaignUpdate
from outcry.delivery.models import Message, bounced_supporters


def recipients(update: CampaignUpdate) -> QuerySet[Action]:
    campaign = update.campaign
    opted_out = Unsubscribe.objects.filter(organisation_id=campaign.organisation_id).values("email_hash")
    return (
        Action.objects.signers()
        .filter(campaign_id=campaign.pk, consent_updates=True, unsubscribed_at__isnull=True)
        .exclude(email_hash__in=opted_out)
        .exclude(email_hash__in=bounced_supporters(campaign.organisation_id))
    )


@dataclass
class Pace:
    """Send times for a stream of emails: at most per_minute in all and per_domain a minute to one domain."""

    start: datetime
    per_minute: int = field(default_factory=lambda: settings.OUTCRY_UPDATE_RATE_PER_MINUTE)
    per_domain: int = field(default_factory=lambda: settings.OUTCRY_UPDATE_DOMAIN_RATE_PER_MINUTE)
    given: int = 0
    by_domain: Counter[str] = field(default_factory=Counter)

    def next_slot(self, domain: str) -> datetime:
        minutes = max(self.given / self.per_minute, self.by_domain[domain] / self.per_domain)
        self.given += 1
        self.by_domain[domain] += 1
        return self.start + timedelta(minutes=minutes)


def _pace_after(update: CampaignUpdate, now: datetime) -> Pace:
    # A resumed fan-out starts after the last send time already given, so the two runs never overlap.
    last = update.messages.aggregate(last=Max("next_try_at"))["last"]
    return Pace(start=max(now, last) if last else now)


def request_send(update: CampaignUpdate) -> bool:
    """Ask for the update to go to its supporters. Idempotent: True only the first time."""
    from outcry.updates.tasks import fan_out_update

    with transaction.atomic():
        asked = CampaignUpdate.objects.filter(pk=update.pk, send_requested_at__isnull=True).update(
            send_requested_at=timezone.now()
        )
        if asked:
            # The task row lives in the same database: it commits with the request (outcry.jobs' rule).
            fan_out_update.enqueue(update.pk)
    return bool(asked)


def fan_out(update_id: int, *, batch_size: int | None = None, budget_seconds: float = 20.0) -> tuple[int, bool]:
    """Queue the update's emails, batch by batch from the watermark. Returns (queued, finished).

    Memory stays bounded by one batch whatever the list's size. Safe to run twice at once: each batch
    locks the update's row and reads the watermark under that lock.
    """
    started = time.monotonic()
    batch_size = batch_size or settings.OUTCRY_UPDATE_BATCH
    update = CampaignUpdate.objects.select_related("campaign").get(pk=update_id)
    if update.send_requested_at is None or update.send_finished_at is not None:
        return 0, True
    pace = _pace_after(update, timezone.now())
    queued = 0
    while True:
        with transaction.atomic():
            locked = CampaignUpdate.objects.select_for_update().get(pk=update_id)
            if locked.send_finished_at is not None:
                return queued, True
            batch = list(
                recipients(update).filter(pk__gt=locked.send_watermark).order_by("pk")
                .values_list("pk", "email_domain")[:batch_size]
            )
            if not batch:
                locked.send_finished_at = timezone.now()
                locked.save(update_fields=["send_finished_at"])
                return queued, True
            already = set(
                Message.objects.filter(update_id=update_id, action_id__in=[a for a, _ in batch]).values_list("action_id", flat=True)
            )
            # ignore_conflicts as well: the unique constraint, not this read, is what rules out a second email.
            made = Message.objects.bulk_create(
                [
                    Message(
                        campaign_id=update.campaign_id, action_id=action_id, update_id=update_id,
                        kind=Message.Kind.UPDATE, next_try_at=pace.next_slot(domain),
                    )
                    for action_id, domain in batch if action_id not in already
                ],
                ignore_conflicts=True,
            )
            queued += len(made)
            locked.send_watermark = batch[-1][0]
            locked.save(update_fields=["send_watermark"])
        if time.monotonic() - started >= budget_seconds:
            return queued, False


def send_test(update: CampaignUpdate, email: str) -> Message:
    """The campaigner's "send me a test": one copy to their own address, through the outbox like the rest."""
    from outcry.delivery.tasks import send_message

    with transaction.atomic():
        message = Message.objects.create(
            campaign_id=update.campaign_id, update=update, kind=Message.Kind.UPDATE, recipient=email
        )
        send_message.enqueue(message.pk)
    return message


def progress(update: CampaignUpdate) -> dict[str, int]:
    """How far sending has gone, for the campaigner: emails queued, and how many are in each status."""
    by_status = dict(
        update.messages.filter(action__isnull=False).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return {"queued": sum(by_status.values()), **{status: by_status.get(status, 0) for status in Message.Status.values}}


class Scope:
    CAMPAIGN = "campaign"
    ORGANISATION = "organisation"


def unsubscribe(action: Action, scope: str = Scope.CAMPAIGN) -> None:
    """Stop updates to this supporter's address: from this campaign, or from the whole organisation.

    Idempotent, and effective at once: emails of updates already queued for the address are cancelled.
    """
    now = timezone.now()
    campaign = action.campaign
    same_person = Action.objects.filter(email_hash=action.email_hash)
    if scope == Scope.ORGANISATION:
        same_person = same_person.filter(campaign__organisation_id=campaign.organisation_id)
    else:
        same_person = same_person.filter(campaign_id=campaign.pk)
    with transaction.atomic():
        if scope == Scope.ORGANISATION:
            Unsubscribe.objects.get_or_create(organisation_id=campaign.organisation_id, email_hash=action.email_hash)
        same_person.filter(unsubscribed_at__isnull=True).update(unsubscribed_at=now)
        Message.objects.filter(
            kind=Message.Kind.UPDATE, action__in=same_person, status__in=Message.SENDABLE
        ).update(status=Message.Status.CANCELLED, last_error="The supporter unsubscribed.")


def is_unsubscribed(action: Action) -> bool:
    return action.unsubscribed_at is not None or Unsubscribe.objects.filter(
        organisation_id=action.campaign.organisation_id, email_hash=action.email_hash
    ).exists()
