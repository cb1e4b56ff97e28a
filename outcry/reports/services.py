from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncHour
from django.utils import timezone

from outcry.actions.models import Action
from outcry.actions.signals import CountedVia, UncountedBecause
from outcry.campaigns.models import Campaign
from outcry.reports.models import ActionRollup, HandIn, RollupMark

Dimension = ActionRollup.Dimension

# A direct visit that still carries a sharer's code came from a link shared some other way.
SOURCE_EXPRESSION = Case(
    When(Q(source=Action.Source.DIRECT) & ~Q(referred_by=""), then=Value("referral")),
    default=F("source"),
    output_field=CharField(),
)
DIMENSION_FIELDS = {
    Dimension.STATUS: F("status"),
    Dimension.COUNTRY: F("country"),
    Dimension.LANGUAGE: F("language"),
    Dimension.SOURCE: SOURCE_EXPRESSION,
    Dimension.UTM: F("utm_campaign"),
}
# Recent hours are recounted every few minutes; statuses that change later (confirmations, an
# invalidated wave) are caught by the nightly rebuild or by calling refresh_rollups(campaign) at once.
RECENT_HOURS = 3


def hour_floor(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _grouped(campaign_id: int, since: datetime | None, dimension: str) -> QuerySet[Action, Any]:
    actions = Action.objects.filter(campaign_id=campaign_id)
    if since is not None:
        actions = actions.filter(created_at__gte=since)
    if dimension != Dimension.STATUS:
        actions = actions.filter(status=Action.Status.COUNTED)
    return (
        actions.annotate(hour=TruncHour("created_at"), key=DIMENSION_FIELDS[Dimension(dimension)])
        .values("hour", "key")
        .annotate(n=Count("id"))
        .order_by()
    )


def refresh_rollups(campaign_id: int, since: datetime | None = None) -> int:
    """Recount the campaign's hourly rollups from `since` (the whole campaign when None). Idempotent.

    Returns the number of rollup rows written.
    """
    start = hour_floor(since) if since is not None else None
    now = timezone.now()
    rows = [
        ActionRollup(campaign_id=campaign_id, hour=group["hour"], dimension=dimension, value=(group["key"] or "")[:100], count=group["n"])
        for dimension in Dimension.values
        for group in _grouped(campaign_id, start, dimension)
    ]
    with transaction.atomic():
        stale = ActionRollup.objects.filter(campaign_id=campaign_id)
        if start is not None:
            stale = stale.filter(hour__gte=start)
        stale.delete()
        ActionRollup.objects.bulk_create(rows, batch_size=2000)
        defaults: dict[str, datetime] = {"refreshed_at": now} | ({"rebuilt_at": now} if start is None else {})
        RollupMark.objects.update_or_create(campaign_id=campaign_id, defaults=defaults)
    return len(rows)


def campaigns_to_roll_up() -> QuerySet[Campaign]:
    """Live campaigns, and closed ones for a day after closing so their last actions are counted."""
    day_ago = timezone.now() - timedelta(days=1)
    return Campaign.objects.filter(Q(status=Campaign.Status.LIVE) | Q(status=Campaign.Status.CLOSED, closed_at__gte=day_ago))


def refresh_recent_rollups() -> int:
    """Recount the last few hours of every active campaign; a campaign never rolled up is rebuilt whole."""
    since = timezone.now() - timedelta(hours=RECENT_HOURS)
    written = 0
    for campaign_id, marked in campaigns_to_roll_up().values_list("pk", "rollup_mark__refreshed_at"):
        written += refresh_rollups(campaign_id, since if marked else None)
    return written


def rebuild_all_rollups() -> int:
    return sum(refresh_rollups(campaign_id) for campaign_id in campaigns_to_roll_up().values_list("pk", flat=True))


def request_hand_in(campaign: Campaign, user: User | AnonymousUser | None) -> HandIn:
    """Queue a hand-in document for the campaign; a worker builds it (outcry.reports.tasks)."""
    from outcry.reports.tasks import build_hand_in_task

    hand_in = HandIn.objects.create(campaign=campaign, requested_by=user if user and user.is_authenticated else None)
    transaction.on_commit(lambda: build_hand_in_task.enqueue(str(hand_in.pk)))
    return hand_in


def recount_campaign(campaign_id: int) -> None:
    """Call after changing the status of past actions (an invalidated wave, a review): the dashboard
    is recounted by a worker and the public integrity report stops serving its cached counts."""
    from outcry.reports.integrity import forget_integrity
    from outcry.reports.tasks import rebuild_campaign_rollups

    def after_commit() -> None:
        forget_integrity(campaign_id)
        rebuild_campaign_rollups.enqueue(campaign_id)

    transaction.on_commit(after_commit)


def recount_after_review(sender: type, *, campaign: Campaign, via: CountedVia | None = None,
                         because: UncountedBecause | None = None, **kwargs: object) -> None:
    """actions_counted / actions_uncounted receiver. Actions taken or confirmed one by one fall in recent
    hours, which refresh_recent_rollups recounts every few minutes; a review or a wave changes past hours,
    which only a recount sees. Erasure changes no status, so no count."""
    if via in (CountedVia.TAKEN, CountedVia.CONFIRMED) or because == UncountedBecause.ERASED:
        return
    recount_campaign(campaign.pk)
