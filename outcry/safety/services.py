"""Writes of the safety app: invalidating and restoring waves, reviewing held actions, erasure and
retention. Each one that changes what counts adjusts the counter in the same transaction and leaves
an AuditEntry saying who did it and why."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.actions.services import count_actions, start_counting, uncount_actions
from outcry.actions.signals import CountedVia, UncountedBecause
from outcry.campaigns.models import Campaign
from outcry.delivery.models import Message
from outcry.delivery.services import owe_email
from outcry.lib.hashing import hash_email
from outcry.safety.models import AuditEntry, Wave, WaveAlert
from outcry.safety.velocity import SHARE_DIMENSIONS, find_bursts

logger = logging.getLogger(__name__)

ERASE_CHUNK = 2000


def wave_actions(campaign: Campaign, dimension: str, value: str, since: datetime, until: datetime) -> QuerySet[Action]:
    # A wave may invalidate everything that counts or may still come to count.
    return Action.objects.active().filter(
        campaign=campaign, created_at__gte=since, created_at__lt=until, **{dimension: value}
    )


class NeedsReview(Exception):
    """A referral-code or country wave was to be invalidated without its conversion pattern having been shown."""


def invalidate_wave(
    *, campaign: Campaign, dimension: str, value: str, since: datetime, until: datetime, user: User, reason: str,
    reviewed: bool = False,
) -> Wave:
    """Mark a burst invalid: the count drops by the counted ones, the rows stay, and the wave can be undone.

    A share wave (SHARE_DIMENSIONS) raises NeedsReview unless `reviewed`: only a page that shows its
    conversion pattern (outcry.safety.velocity.conversion_pattern) may say so, in the admin as in the studio.
    """
    if dimension not in Wave.Dimension.values:
        raise ValueError(f"unknown dimension {dimension}")
    if dimension in SHARE_DIMENSIONS and not reviewed:
        # A real viral share looks like this too: never one click from invalidating it.
        raise NeedsReview(dimension)
    with transaction.atomic():
        # Lock the rows so an action confirmed meanwhile is not counted twice or missed.
        rows = list(wave_actions(campaign, dimension, value, since, until).select_for_update().values_list("pk", "status"))
        previous = {str(pk): status for pk, status in rows}
        counted = sum(1 for _pk, status in rows if status == Action.Status.COUNTED)
        Action.objects.filter(pk__in=[pk for pk, _s in rows]).update(status=Action.Status.INVALID)
        uncount_actions(campaign=campaign, action_ids=[pk for pk, _s in rows], counted=counted, because=UncountedBecause.INVALIDATED)
        wave = Wave.objects.create(
            campaign=campaign, dimension=dimension, value=value, since=since, until=until, previous_statuses=previous,
            actions_invalidated=len(rows), counted_removed=counted, reason=reason, created_by=user,
        )
        AuditEntry.objects.create(
            kind=AuditEntry.Kind.INVALIDATE_WAVE, campaign=campaign, actor=user, reason=reason,
            actions_affected=len(rows), count_change=-counted, wave=wave,
        )
    transaction.on_commit(lambda: counting.forget_cached_count(campaign.pk))
    return wave


def undo_wave(*, wave: Wave, user: User, reason: str) -> int:
    """Give each action of the wave back its earlier status. Returns how many were restored.

    An action whose email has meanwhile acted again (and holds the campaign's one place for it)
    comes back as a duplicate, so undo never counts one person twice.
    """
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave.pk)
        if wave.undone_at:
            return 0
        by_status: dict[str, list[int]] = defaultdict(list)
        for pk, status in wave.previous_statuses.items():
            by_status[status].append(int(pk))
        restored = 0
        counting_again: list[int] = []
        for status, ids in by_status.items():
            still_invalid = list(Action.objects.filter(pk__in=ids, status=Action.Status.INVALID).values_list("pk", flat=True))
            try:
                with transaction.atomic():
                    Action.objects.filter(pk__in=still_invalid).update(status=status)
                back = still_invalid
            except IntegrityError:
                back = []
                for pk in still_invalid:
                    try:
                        with transaction.atomic():
                            Action.objects.filter(pk=pk).update(status=status)
                        back.append(pk)
                    except IntegrityError:
                        Action.objects.filter(pk=pk).update(status=Action.Status.DUPLICATE)
            restored += len(back)
            if status == Action.Status.COUNTED:
                counting_again += back
        counted = count_actions(
            campaign=wave.campaign, actions=list(Action.objects.filter(pk__in=counting_again)), via=CountedVia.RESTORED,
        )
        wave.undone_at, wave.undone_by, wave.undo_reason = timezone.now(), user, reason
        wave.save(update_fields=["undone_at", "undone_by", "undo_reason"])
        AuditEntry.objects.create(
            kind=AuditEntry.Kind.UNDO_WAVE, campaign_id=wave.campaign_id, actor=user, reason=reason,
            actions_affected=restored, count_change=counted, wave=wave,
        )
    transaction.on_commit(lambda: counting.forget_cached_count(wave.campaign_id))
    return restored


def alert_new_waves(now: datetime | None = None) -> list[WaveAlert]:
    """The scheduled velocity check: find the live campaigns' bursts and email each campaign's staff once
    about the waves that are new (through the outbox, one email per campaign and run). A burst still
    present at the next run, or seen again within a window of its last sighting, is the same wave and is
    not mailed again. Returns the new alerts. Idempotent for a given moment."""
    now = now or timezone.now()
    window = timedelta(minutes=settings.OUTCRY_VELOCITY_WINDOW_MINUTES)
    by_campaign = defaultdict(list)
    for burst in find_bursts(list(Campaign.objects.filter(status=Campaign.Status.LIVE).select_related("organisation")), now):
        by_campaign[burst.campaign].append(burst)
    created: list[WaveAlert] = []
    for campaign, bursts in by_campaign.items():
        with transaction.atomic():
            fresh = []
            for burst in bursts:
                ongoing = (
                    WaveAlert.objects.select_for_update()
                    .filter(campaign=campaign, dimension=burst.dimension, value=burst.value, last_seen_at__gte=now - window)
                    .first()
                )
                if ongoing is not None:
                    ongoing.last_seen_at, ongoing.actions = now, max(ongoing.actions, burst.actions)
                    ongoing.save(update_fields=["last_seen_at", "actions"])
                    continue
                fresh.append(WaveAlert(
                    campaign=campaign, dimension=burst.dimension, value=burst.value, first_seen_at=now, last_seen_at=now,
                    actions=burst.actions, usual=burst.usual,
                ))
            if fresh:
                message = owe_email(kind=Message.Kind.WAVE, campaign=campaign, language=campaign.language)
                for alert in fresh:
                    alert.message = message
                created += WaveAlert.objects.bulk_create(fresh)
    return created


def release_held(*, actions: QuerySet[Action], user: User, reason: str = "") -> int:
    """Count held actions a campaigner has reviewed: their letters go and the CRM hears of them, as for any count."""
    released = 0
    for campaign in Campaign.objects.filter(pk__in=actions.values("campaign_id")):
        with transaction.atomic():
            n = start_counting(actions, campaign=campaign, from_status=Action.Status.HELD, via=CountedVia.RELEASED)
            AuditEntry.objects.create(kind=AuditEntry.Kind.RELEASE, campaign=campaign, actor=user, reason=reason, actions_affected=n, count_change=n)
        released += n
    return released


def reject_held(*, actions: QuerySet[Action], user: User, reason: str = "") -> int:
    rejected = 0
    for campaign in Campaign.objects.filter(pk__in=actions.values("campaign_id")):
        with transaction.atomic():
            chosen = list(actions.filter(campaign=campaign, status=Action.Status.HELD).values_list("pk", flat=True))
            # Locked, so an action released by another reviewer meanwhile is not also told to CRMs as rejected.
            ids = list(Action.objects.filter(pk__in=chosen, status=Action.Status.HELD).select_for_update().values_list("pk", flat=True))
            n = Action.objects.filter(pk__in=ids).update(status=Action.Status.INVALID)
            uncount_actions(campaign=campaign, action_ids=ids, counted=0, because=UncountedBecause.REJECTED)
            AuditEntry.objects.create(kind=AuditEntry.Kind.REJECT, campaign=campaign, actor=user, reason=reason, actions_affected=n)
        rejected += n
    return rejected


def _anonymise(ids: list[int]) -> int:
    """Blank every personal field of these actions. Their status, so their place in the count, is untouched."""
    from outcry.delivery.models import Message, Response, ResponseAttachment

    now = timezone.now()
    # A letter not yet sent would go out in the name of someone who asked to be forgotten.
    Message.objects.filter(action_id__in=ids, status__in=[Message.Status.PENDING, Message.Status.DEFERRED]).update(
        status=Message.Status.CANCELLED, last_error="Not sent: the supporter's personal data was erased."
    )
    # A reply to their own letter is about them and often quotes their name: its words go, the row (a target
    # answered) and any summary a campaigner wrote stay.
    ResponseAttachment.objects.filter(response__letter__action_id__in=ids).delete()
    Response.objects.filter(letter__action_id__in=ids).update(subject="", text="", html="")
    return Action.objects.filter(pk__in=ids).update(
        first_name="", last_name="", email="", email_domain="", postcode="", letter_text="", ip_hash="",
        consent_updates=False,
        # The unique index needs a distinct value; this one links to no one.
        email_hash=Concat(Value("erased:"), Cast("pk", CharField())),
        erased_at=now,
    )


def _scrub_outbox(ids: list[int], campaign: Campaign) -> None:
    """Kept copies (EMAIL_URL unset) of the mail these actions caused go too: found by foreign key, never by
    searching raw text for the address, which also matched joe@ for e@, other organisations' supporters, and
    missed an IDN address kept as punycode. A digest carrying one of their letters is about them as well."""
    from outcry.delivery.models import Message, OutboxEmail

    theirs = Message.objects.filter(campaign=campaign, action_id__in=ids)
    digests = Message.objects.filter(campaign=campaign, kind=Message.Kind.DIGEST, letters__in=theirs)
    OutboxEmail.objects.filter(campaign=campaign).filter(
        Q(message__in=theirs.values("pk")) | Q(message__in=digests.values("pk"))
    ).delete()


def erase_actions(*, actions: QuerySet[Action], user: User | None = None, actor_label: str = "", reason: str = "",
                  kind: str = AuditEntry.Kind.ERASE) -> int:
    """Anonymise these actions, keeping each one's status and so the count. Idempotent."""
    erased = 0
    todo = actions.filter(erased_at__isnull=True)
    for campaign in Campaign.objects.filter(pk__in=set(todo.values_list("campaign_id", flat=True))):
        campaign_id, per_campaign = campaign.pk, 0
        while True:
            with transaction.atomic():
                ids = list(todo.filter(campaign_id=campaign_id).values_list("pk", flat=True)[:ERASE_CHUNK])
                if not ids:
                    break
                per_campaign += _anonymise(ids)
                uncount_actions(campaign=campaign, action_ids=ids, counted=0, because=UncountedBecause.ERASED)
                if kind == AuditEntry.Kind.ERASE:
                    _scrub_outbox(ids, campaign)
        AuditEntry.objects.create(kind=kind, campaign_id=campaign_id, actor=user, actor_label=actor_label, reason=reason, actions_affected=per_campaign)
        erased += per_campaign
    return erased


def actions_of(email: str) -> QuerySet[Action]:
    return Action.objects.filter(email_hash=hash_email(email))


def due_for_retention(now: datetime | None = None) -> list[Campaign]:
    now = now or timezone.now()
    closed = Campaign.objects.filter(status=Campaign.Status.CLOSED, retention_days__isnull=False, closed_at__isnull=False)
    return [
        c for c in closed
        if c.closed_at is not None and c.retention_days is not None  # the filter's promise, for the type checker
        and c.closed_at + timedelta(days=c.retention_days) <= now
    ]


def apply_retention(now: datetime | None = None) -> int:
    """Anonymise the personal data of campaigns closed longer ago than their retention period. Idempotent."""
    erased = 0
    for campaign in due_for_retention(now):
        erased += erase_actions(
            actions=Action.objects.filter(campaign=campaign), actor_label="retention",
            reason=f"{campaign.retention_days} days after closing", kind=AuditEntry.Kind.RETENTION,
        )
    return erased
