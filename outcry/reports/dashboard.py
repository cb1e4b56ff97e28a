"""The momentum dashboard's numbers, read from hourly rollups (never from the actions table)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.campaigns.progress import Progress, progress
from outcry.reports import charts
from outcry.reports.integrity import LedgerRow, cached_ledger
from outcry.reports.models import ActionRollup, RollupMark
from outcry.reports.services import hour_floor

Dimension = ActionRollup.Dimension
HOURLY_WINDOW = 48
SHARE_CHANNELS = [s for s in Action.Source.values if s not in (Action.Source.DIRECT, Action.Source.EMBED)]


@dataclass
class Breakdown:
    key: str
    title: str
    rows: list[tuple[str, int]]
    chart: charts.HBarChart


@dataclass
class ChannelConversion:
    channel: str
    label: str
    actions: int
    per_hundred_views: float


@dataclass
class Dashboard:
    campaign: Campaign
    live_count: int
    progress: Progress | None
    statuses: dict[str, int]
    daily: list[tuple[str, int]]
    hourly: list[tuple[str, int]]
    daily_chart: charts.BarChart
    hourly_chart: charts.BarChart
    breakdowns: list[Breakdown]
    thanks_views: int
    # Clicks on the thank-you page's next ask (campaigns.views.follow_up).
    follow_ups: int
    conversions: list[ChannelConversion]
    letters: list[LedgerRow]
    refreshed_at: datetime | None

    @property
    def counted_in_tables(self) -> int:
        """The counted actions the breakdowns and charts hold (as of refreshed_at)."""
        return self.statuses.get(Action.Status.COUNTED, 0)

    @property
    def counted_since(self) -> int:
        """Counted since the tables were recounted: the headline minus the tables, so the two always add up."""
        return max(0, self.live_count - self.counted_in_tables)

    @property
    def status_rows(self) -> list[tuple[str, str, int]]:
        return [(value, _label(Dimension.STATUS, value), self.statuses.get(value, 0)) for value in Action.Status.values]


def _label(dimension: str, value: str) -> str:
    if not value:
        return _("(none)")
    if dimension == Dimension.COUNTRY:
        return str(countries.name(value)) or value
    if dimension == Dimension.LANGUAGE:
        return str(dict(settings.LANGUAGES).get(value, value))
    if dimension == Dimension.SOURCE:
        return _("Referral") if value == "referral" else str(dict(Action.Source.choices).get(value, value))
    if dimension == Dimension.STATUS:
        return str(dict(Action.Status.choices).get(value, value))
    return value


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def build_dashboard(campaign: Campaign) -> Dashboard:
    """A bounded number of queries whatever the campaign's size: two over rollups, a few small ones."""
    now = timezone.now()
    by_hour: dict[datetime, int] = defaultdict(int)
    statuses: dict[str, int] = defaultdict(int)
    status_rows = ActionRollup.objects.filter(campaign=campaign, dimension=Dimension.STATUS).values_list("hour", "value", "count")
    for hour, value, count in status_rows:
        statuses[value] += count
        if value == Action.Status.COUNTED:
            by_hour[hour] += count

    start = (campaign.published_at or campaign.created_at or now).date()
    if by_hour:
        start = min(start, min(by_hour).date())
    per_day: dict[date, int] = defaultdict(int)
    for hour, count in by_hour.items():
        per_day[hour.date()] += count
    daily = [(day.isoformat(), per_day.get(day, 0)) for day in _days(start, now.date())]

    this_hour = hour_floor(now)
    hours = [this_hour - timedelta(hours=n) for n in range(HOURLY_WINDOW - 1, -1, -1)]
    hourly = [(hour.strftime("%Y-%m-%d %H:00"), by_hour.get(hour, 0)) for hour in hours]

    totals: dict[str, list[tuple[str, int]]] = defaultdict(list)
    breakdown_rows = (
        ActionRollup.objects.filter(campaign=campaign)
        .exclude(dimension=Dimension.STATUS)
        .values("dimension", "value")
        .annotate(total=Sum("count"))
        .order_by("dimension", "-total", "value")
    )
    for row in breakdown_rows:
        totals[row["dimension"]].append((row["value"], row["total"]))

    titles = {
        Dimension.SOURCE: _("By source"),
        Dimension.COUNTRY: _("By country"),
        Dimension.LANGUAGE: _("By language"),
        Dimension.UTM: _("By UTM campaign"),
    }
    breakdowns = []
    for dimension, title in titles.items():
        rows = [(_label(dimension, value), total) for value, total in totals.get(dimension, [])]
        breakdowns.append(Breakdown(key=dimension, title=title, rows=rows, chart=charts.hbar_chart(title, rows)))

    thanks_views = counting.get_count(campaign.pk, counting.Metric.THANKS_VIEWS)
    by_source = dict(totals.get(Dimension.SOURCE, []))
    conversions = [
        ChannelConversion(
            channel=channel, label=_label(Dimension.SOURCE, channel), actions=by_source.get(channel, 0),
            per_hundred_views=round(100 * by_source.get(channel, 0) / thanks_views, 1) if thanks_views else 0.0,
        )
        for channel in SHARE_CHANNELS
    ]

    letters: dict[str, LedgerRow] = {}
    for row in cached_ledger(campaign):
        letters.setdefault(row.target, LedgerRow(target=row.target)).add(row)

    mark = RollupMark.objects.filter(campaign=campaign).values_list("refreshed_at", flat=True).first()
    # Read past the few-second cache: the headline must not lag behind tables recounted a moment ago.
    live = counting.get_count(campaign.pk, cached=False)
    return Dashboard(
        campaign=campaign,
        live_count=live,
        progress=progress(live, campaign.goal),
        statuses=dict(statuses),
        daily=daily,
        hourly=hourly,
        daily_chart=charts.bar_chart(_("Actions per day, with the running total and the goal"), daily, goal=campaign.goal, cumulative=True),
        hourly_chart=charts.bar_chart(_("Actions per hour, last 48 hours"), hourly),
        breakdowns=breakdowns,
        thanks_views=thanks_views,
        follow_ups=counting.get_count(campaign.pk, counting.Metric.FOLLOW_UPS),
        conversions=conversions,
        letters=sorted(letters.values(), key=lambda t: t.target),
        refreshed_at=mark,
    )
