"""Unusual bursts: for each campaign and each way of grouping actions (hashed IP, email domain,
country, referral code), the groups whose actions in the last window reach a minimum and are many
times their usual rate over the day before. Read-only; invalidating is a separate, audited step.
The scheduled job (outcry/safety/tasks.py check_velocity) mails staff about new ones: build_wave_alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.delivery.emails import Undeliverable, one_line, platform_address, staff_addresses
from outcry.delivery.models import Message
from outcry.safety.models import Wave, WaveAlert

# A celebrity's share or a country's news brings a real surge through one code or one country: such a
# wave is shown as information, and invalidating it first shows how it converted.
SHARE_DIMENSIONS = (Wave.Dimension.REFERRAL, Wave.Dimension.COUNTRY)

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


@dataclass(frozen=True)
class Pattern:
    """How a wave's actions converted: what a real share and a script look like side by side."""

    actions: int
    by_status: dict[str, int]
    buckets: list[tuple[datetime, int]]  # actions per BUCKET, oldest first
    busiest_bucket_share: float
    networks: int
    largest_network_share: float
    email_domains: int
    flagged_share: float
    referring_on: int  # the wave's supporters whose own share code brought further actions
    referrer: Action | None  # the supporter whose share code this is (referral waves)

    @property
    def busiest_bucket(self) -> int:
        return max((n for _t, n in self.buckets), default=0)


BUCKET = timedelta(minutes=5)


def conversion_pattern(campaign: Campaign, dimension: str, value: str, since: datetime, until: datetime) -> Pattern:
    """Read-only; the same actions invalidate_wave would take (outcry.safety.services.wave_actions rules)."""
    actions = Action.objects.active().filter(campaign=campaign, created_at__gte=since, created_at__lt=until, **{dimension: value})
    rows = list(actions.values_list("created_at", "status", "ip_hash", "email_domain", "referral_code"))
    total = len(rows)
    counts: dict[datetime, int] = {}
    for created_at, *_rest in rows:
        start = since + BUCKET * int((created_at - since) / BUCKET)
        counts[start] = counts.get(start, 0) + 1
    buckets = []
    start = since
    while start < until:
        buckets.append((start, counts.get(start, 0)))
        start += BUCKET
    networks: dict[str, int] = {}
    for row in rows:
        networks[row[2]] = networks.get(row[2], 0) + 1
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row[1]] = by_status.get(row[1], 0) + 1
    codes = [row[4] for row in rows]
    referring_on = (
        Action.objects.filter(campaign=campaign, referred_by__in=codes).values("referred_by").distinct().count() if codes else 0
    )
    flagged = actions.filter(flags__isnull=False).values("pk").distinct().count()
    return Pattern(
        actions=total, by_status=by_status, buckets=buckets,
        busiest_bucket_share=max(counts.values(), default=0) / total if total else 0.0,
        networks=len(networks), largest_network_share=max(networks.values(), default=0) / total if total else 0.0,
        email_domains=len({row[3] for row in rows}), flagged_share=flagged / total if total else 0.0,
        referring_on=referring_on,
        referrer=Action.objects.filter(campaign=campaign, referral_code=value).first() if dimension == Wave.Dimension.REFERRAL else None,
    )


def build_wave_alert(message: Message) -> EmailMessage:
    """To the campaign's staff: new velocity waves (outcry.safety.services.alert_new_waves), with a link to review them."""
    campaign = message.campaign
    staff = staff_addresses(campaign) if campaign is not None else []
    alerts = list(WaveAlert.objects.filter(message=message).order_by("-actions"))
    if campaign is None or not staff or not alerts:
        raise Undeliverable("no campaign, no staff with an email address, or no waves")
    with translation.override(campaign.language):
        context = {
            "campaign": campaign, "alerts": alerts, "window": settings.OUTCRY_VELOCITY_WINDOW_MINUTES,
            "shares": [a for a in alerts if a.dimension in SHARE_DIMENSIONS],
            # The studio, where campaigners work; superusers reach the same waves from the admin too.
            "review_url": settings.SITE_URL + reverse("studio:waves", kwargs={"pk": campaign.pk}),
        }
        subject = one_line(render_to_string("safety/email/wave_alert_subject.txt", context))
        body = render_to_string("safety/email/wave_alert_text.txt", context)
    email = EmailMessage(
        subject=subject, body=body, from_email=str(platform_address("Outcry", "noreply")), to=staff,
        headers={"Message-ID": message.message_id, "Auto-Submitted": "auto-generated"},
    )
    email.outcry_message_id = message.pk  # type: ignore[attr-defined]
    email.outcry_campaign_id = message.campaign_id  # type: ignore[attr-defined]
    return email
