"""Unusual bursts: for each campaign and each way of grouping actions (hashed IP, email domain,
country, referral code), the groups whose actions in the last window reach a minimum and are many
times their usual rate over the day before. Read-only; invalidating is a separate, audited step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.safety.models import Wave

BASELINE = timedelta(hours=24)


@dataclass(frozen=True)
class Burst:
    campaign: Campaign
    dimension: str
    value: str
    actions: int
    usual: float
    since: datetime
    until: datetime

    @property
    def dimension_label(self) -> str:
        return Wave.Dimension(self.dimension).label


def _grouped(campaign: Campaign, dimension: str, since: datetime, until: datetime) -> dict[str, int]:
    rows = (
        Action.objects.active().filter(campaign=campaign, created_at__gte=since, created_at__lt=until)
        .exclude(**{dimension: ""})
        .values_list(dimension)
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def find_bursts(campaigns: list[Campaign], now: datetime | None = None) -> list[Burst]:
    now = now or timezone.now()
    window = timedelta(minutes=settings.OUTCRY_VELOCITY_WINDOW_MINUTES)
    since = now - window
    windows_in_baseline = BASELINE / window
    bursts = []
    for campaign in campaigns:
        for dimension in Wave.Dimension.values:
            recent = {k: n for k, n in _grouped(campaign, dimension, since, now + timedelta(seconds=1)).items()
                      if n >= settings.OUTCRY_VELOCITY_MIN_ACTIONS}
            if not recent:
                continue
            before = _grouped(campaign, dimension, since - BASELINE, since)
            for value, n in recent.items():
                usual = before.get(value, 0) / windows_in_baseline
                if n >= settings.OUTCRY_VELOCITY_FACTOR * max(usual, 1):
                    bursts.append(Burst(campaign, dimension, value, n, round(usual, 1), since, now + timedelta(seconds=1)))
    return sorted(bursts, key=lambda b: -b.actions)
