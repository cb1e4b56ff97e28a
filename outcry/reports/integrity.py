"""The public integrity report: counts only, never a name, an address or a hash."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.delivery.models import Message

# sent: accepted by our mail server and not returned; delivered: those of them sent more than
# OUTCRY_DELIVERED_AFTER_HOURS ago with no bounce since (a part of sent); bounced: returned by the
# target's server (a delivery status notification, outcry.delivery.services.record_bounce).
LEDGER_STATUSES = ("sent", "delivered", "bounced", "deferred", "failed", "pending", "cancelled")
# Still on their way: claimed by a worker right now, or waiting for the target's next digest.
WAITING = {Message.Status.SENDING, Message.Status.BATCHED}


@dataclass
class LedgerRow:
    """Letters to one target by what became of them: on one day (the public ledger), or in all (day "",
    the dashboard's per-target table)."""

    target: str
    day: str = ""
    sent: int = 0
    delivered: int = 0
    bounced: int = 0
    deferred: int = 0
    failed: int = 0
    pending: int = 0
    cancelled: int = 0

    def add(self, other: LedgerRow) -> None:
        for status in LEDGER_STATUSES:
            setattr(self, status, getattr(self, status) + getattr(other, status))


@dataclass
class Integrity:
    taken: int
    counted: int
    duplicate: int
    invalid: int
    unconfirmed: int
    expired: int
    held: int
    ledger: list[LedgerRow] = field(default_factory=list)

    @property
    def not_counted(self) -> int:
        return self.taken - self.counted

    def as_dict(self) -> dict:
        return asdict(self) | {"not_counted": self.not_counted}


def _cache_key(campaign_id: int) -> str:
    return f"integrity:{campaign_id}"


def status_counts(campaign_id: int, before: datetime | None = None) -> dict[str, int]:
    # One grouped count on the (campaign, status) index; cached by the callers.
    actions = Action.objects.filter(campaign_id=campaign_id)
    if before is not None:
        actions = actions.filter(created_at__lt=before)
    rows = actions.values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}


def delivery_ledger(campaign: Campaign) -> list[LedgerRow]:
    """Letters per target and day: a sent letter on the day it went, any other on the day it was queued."""
    names = {target.pk: str(target) for target in campaign.targets.all()}
    settled = timezone.now() - timedelta(hours=settings.OUTCRY_DELIVERED_AFTER_HOURS)
    rows = (
        Message.objects.filter(campaign_id=campaign.pk, kind=Message.Kind.LETTER)
        .annotate(day=TruncDate(Coalesce("sent_at", "created_at")))
        .values("day", "target_id", "status")
        .annotate(n=Count("id"), delivered=Count("id", filter=Q(status=Message.Status.SENT, sent_at__lt=settled)))
        .order_by()
    )
    ledger: dict[tuple[date, int | None], LedgerRow] = {}
    for row in rows:
        key = (row["day"], row["target_id"])
        entry = ledger.setdefault(key, LedgerRow(day=row["day"].isoformat(), target=names.get(row["target_id"], "—")))
        status = "pending" if row["status"] in WAITING else row["status"]
        if status in LEDGER_STATUSES:
            setattr(entry, status, getattr(entry, status) + row["n"])
        entry.delivered += row["delivered"]
    return sorted(ledger.values(), key=lambda r: (r.day, r.target), reverse=True)


def cached_ledger(campaign: Campaign) -> list[LedgerRow]:
    """The ledger alone, for the dashboard: it must not pay for the report's count over every action."""
    key = f"ledger:{campaign.pk}"
    ledger = cache.get(key)
    if ledger is None:
        ledger = delivery_ledger(campaign)
        cache.set(key, ledger, settings.OUTCRY_INTEGRITY_CACHE_SECONDS)
    return ledger


def _report(counts: dict[str, int], ledger: list[LedgerRow]) -> Integrity:
    return Integrity(
        taken=sum(counts.values()),
        counted=counts.get(Action.Status.COUNTED, 0),
        duplicate=counts.get(Action.Status.DUPLICATE, 0),
        invalid=counts.get(Action.Status.INVALID, 0),
        unconfirmed=counts.get(Action.Status.UNCONFIRMED, 0),
        expired=counts.get(Action.Status.EXPIRED, 0),
        held=counts.get(Action.Status.HELD, 0),
        ledger=ledger,
    )


def integrity_report(campaign: Campaign) -> Integrity:
    """The exact report, for the organisation's staff. Cached for OUTCRY_INTEGRITY_CACHE_SECONDS: at most two
    grouped queries per campaign per period."""
    cached = cache.get(_cache_key(campaign.pk))
    if cached is not None:
        return cached
    report = _report(status_counts(campaign.pk), cached_ledger(campaign))
    cache.set(_cache_key(campaign.pk), report, settings.OUTCRY_INTEGRITY_CACHE_SECONDS)
    return report


@dataclass
class PublicIntegrity:
    """The report as anyone may read it, built so it cannot answer "has this address acted?" (issue 16):
    an attacker who submits an address and watches whether `duplicate` or `held` moves learns nothing,
    because only actions taken before the current hour are counted, the numbers change once an hour, each
    is rounded to OUTCRY_INTEGRITY_PUBLIC_ROUNDING, and one below OUTCRY_INTEGRITY_PUBLIC_MIN shows as
    None ("fewer than …"). The ledger of letters stays exact: letters follow the counted actions, which
    the live count already shows."""

    as_of: datetime
    taken: int | None
    counted: int | None
    not_counted: int | None
    duplicate: int | None
    invalid: int | None
    unconfirmed: int | None
    expired: int | None
    held: int | None
    ledger: list[LedgerRow] = field(default_factory=list)
    fewer_than: int = 0
    rounding: int = 0

    def as_dict(self) -> dict:
        return asdict(self) | {"as_of": self.as_of.isoformat()}


def blurred(n: int) -> int | None:
    step = max(settings.OUTCRY_INTEGRITY_PUBLIC_ROUNDING, 1)
    if n < settings.OUTCRY_INTEGRITY_PUBLIC_MIN:
        return None
    return max(step * round(n / step), settings.OUTCRY_INTEGRITY_PUBLIC_MIN)


def public_integrity_report(campaign: Campaign) -> PublicIntegrity:
    """Cached until the hour ends: one grouped query per campaign per hour."""
    now = timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    key = f"integrity-public:{campaign.pk}:{hour.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    exact = _report(status_counts(campaign.pk, before=hour), cached_ledger(campaign))
    report = PublicIntegrity(
        as_of=hour, ledger=exact.ledger, fewer_than=settings.OUTCRY_INTEGRITY_PUBLIC_MIN,
        rounding=settings.OUTCRY_INTEGRITY_PUBLIC_ROUNDING,
        **{name: blurred(getattr(exact, name)) for name in (
            "taken", "counted", "not_counted", "duplicate", "invalid", "unconfirmed", "expired", "held",
        )},
    )
    cache.set(key, report, int((hour + timedelta(hours=1) - now).total_seconds()) + 1)
    return report


def forget_integrity(campaign_id: int) -> None:
    cache.delete_many([_cache_key(campaign_id), f"ledger:{campaign_id}"])
