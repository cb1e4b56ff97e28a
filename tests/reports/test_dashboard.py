from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.reports.models import ActionRollup
from outcry.reports.services import hour_floor, refresh_recent_rollups, refresh_rollups
from tests.conftest import make_staff
from tests.reports.conftest import make_actions

pytestmark = pytest.mark.django_db


def dashboard_url(campaign) -> str:
    return f"/admin/reports/campaignreport/{campaign.pk}/dashboard/"


def svg_bars(html: str, chart: str) -> dict[str, int]:
    figure = re.search(rf'<figure class="chart" data-chart="{chart}">(.*?)</figure>', html, re.S).group(1)
    return {label: int(value) for label, value in re.findall(r'<rect class="bar"[^>]*data-label="([^"]*)" data-value="(\d+)"', figure)}


def hbars(html: str, key: str) -> dict[str, int]:
    svg = re.search(rf'<svg class="hbars"[^>]*data-chart="{key}">(.*?)</svg>', html, re.S).group(1)
    return {label: int(value) for label, value in re.findall(r'<g class="row" data-label="([^"]*)" data-value="(\d+)"', svg)}


def table(html: str, key: str) -> dict[str, int]:
    body = re.search(rf'<table data-table="{key}">(.*?)</table>', html, re.S).group(1)
    return {label: int(value) for label, value in re.findall(r'<tr data-label="([^"]*)" data-value="(\d+)"', body)}


@pytest.fixture
def momentum(campaign):
    now = timezone.now()
    two_days_ago = hour_floor(now - timedelta(days=2)) + timedelta(minutes=10)
    campaign.published_at = now - timedelta(days=3)
    campaign.save()
    make_actions(campaign, 7, at=two_days_ago, country="FR", language="fr", source=Action.Source.WHATSAPP)
    make_actions(campaign, 5, at=hour_floor(now) - timedelta(minutes=30), country="GB", source=Action.Source.DIRECT, utm_campaign="spring")
    make_actions(campaign, 3, at=hour_floor(now) + timedelta(minutes=1), country="LY", language="ar", referred_by="abc123")
    make_actions(campaign, 2, at=hour_floor(now) + timedelta(minutes=2), status=Action.Status.DUPLICATE)
    make_actions(campaign, 4, at=hour_floor(now) + timedelta(minutes=3), status=Action.Status.UNCONFIRMED)
    refresh_rollups(campaign.pk)
    return campaign


def test_dashboard_numbers_match_the_actions(staff_client, momentum):
    html = staff_client.get(dashboard_url(momentum)).content.decode()
    daily = table(html, "daily")
    today = timezone.now().date()
    assert daily[(today - timedelta(days=2)).isoformat()] == 7
    assert daily[today.isoformat()] + daily.get((today - timedelta(days=1)).isoformat(), 0) == 8
    assert sum(daily.values()) == Action.objects.filter(campaign=momentum, status="counted").count() == 15
    assert len(daily) == 4  # launch three days ago through today
    assert table(html, "country") == {"France": 7, "United Kingdom": 5, "Libya": 3}
    assert table(html, "language") == {"English": 5, "French": 7, "Arabic": 3}
    assert table(html, "source") == {"WhatsApp": 7, "Direct": 5, "Referral": 3}
    assert table(html, "utm") == {"(none)": 10, "spring": 5}
    statuses = table(html, "statuses")
    assert (statuses["counted"], statuses["duplicate"], statuses["unconfirmed"], statuses["invalid"]) == (15, 2, 4, 0)
    hourly = table(html, "hourly")
    assert sum(hourly.values()) == 8 and len(hourly) == 48
    assert '<strong class="big" data-live-count>15</strong>' in html


def test_svg_and_table_agree(staff_client, momentum):
    html = staff_client.get(dashboard_url(momentum)).content.decode()
    assert svg_bars(html, "daily") == table(html, "daily")
    assert svg_bars(html, "hourly") == table(html, "hourly")
    for key in ("country", "language", "source", "utm"):
        assert hbars(html, key) == table(html, key)
    # The running total ends at the count, and the goal line is drawn at the campaign's goal.
    assert 'class="goal"' in html and 'data-value="100"' in html


def test_share_channel_conversion_is_per_thank_you_view(client, staff_client, momentum):
    for _ in range(4):
        client.get("/c/free-them/thanks/")
    counting.flush_noted()  # what the scheduled job does every minute: the views are noted, not written
    html = staff_client.get(dashboard_url(momentum)).content.decode()
    conversions = re.search(r'<table data-table="conversions">(.*?)</table>', html, re.S).group(1)
    whatsapp = re.search(r'data-label="whatsapp" data-value="7"><th scope="row">WhatsApp</th><td>7</td><td>([\d.]+)</td>', conversions)
    assert whatsapp and float(whatsapp.group(1)) == 175.0  # 7 actions per 4 thank-you views


def test_recent_refresh_catches_new_actions_and_keeps_older_hours(campaign):
    make_actions(campaign, 2, at=timezone.now() - timedelta(days=1))
    refresh_rollups(campaign.pk)
    make_actions(campaign, 3)
    refresh_recent_rollups()
    counted = ActionRollup.objects.filter(campaign=campaign, dimension="status", value="counted")
    assert sum(counted.values_list("count", flat=True)) == 5


def test_other_organisations_staff_cannot_open_the_dashboard(client, momentum, other_organisation):
    client.force_login(make_staff(other_organisation, "outsider"))
    assert client.get(dashboard_url(momentum)).status_code == 404


def test_dashboard_for_100k_actions_makes_a_bounded_number_of_queries(staff_client, campaign, django_assert_max_num_queries):
    now = timezone.now()
    for day in range(10):
        make_actions(campaign, 10_000, at=now - timedelta(days=day, hours=day), country=["GB", "FR", "LY", "IT"][day % 4],
                     source=[Action.Source.DIRECT, Action.Source.X, Action.Source.EMAIL][day % 3])
    refresh_rollups(campaign.pk)
    started = time.perf_counter()
    with django_assert_max_num_queries(15):
        response = staff_client.get(dashboard_url(campaign))
    elapsed = time.perf_counter() - started
    html = response.content.decode()
    assert sum(table(html, "daily").values()) == 100_000
    assert table(html, "country")["United Kingdom"] == 30_000
    print(f"dashboard at 100k actions: {elapsed * 1000:.0f} ms")
