"""Velocity alerts find a burst; invalidating the wave drops the count in the same transaction, keeps the
actions as invalid with who and why, and can be undone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.actions.services import ActionData, take_action
from outcry.campaigns.models import Organisation
from outcry.lib.hashing import hash_ip
from outcry.safety.models import AuditEntry, Wave
from outcry.safety.velocity import find_bursts
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db
BOT_IP = "203.0.113.200"


def act(campaign, n: int, *, ip: str = "", domain: str = "example.com", country: str = "GB", ago: timedelta = timedelta()) -> list[Action]:
    actions = []
    for i in range(n):
        email = f"p{i}-{ip or 'x'}-{ago.total_seconds():.0f}@{domain}"
        action = take_action(campaign=campaign, data=ActionData(first_name="P", last_name=str(i), email=email, country=country, ip=ip))
        actions.append(action)
    if ago:
        Action.objects.filter(pk__in=[a.pk for a in actions]).update(created_at=timezone.now() - ago)
    return actions


def count(campaign) -> int:
    counting.forget_cached_count(campaign.pk)
    return counting.get_count(campaign.pk)


def test_a_burst_from_one_address_is_found_and_ordinary_traffic_is_not(campaign, settings):
    settings.OUTCRY_VELOCITY_MIN_ACTIONS = 10
    act(campaign, 30, ip=BOT_IP)
    act(campaign, 3, ip="198.51.100.1")
    for hour in range(1, 24):  # a steady country rate is no burst
        act(campaign, 1, ip=f"192.0.2.{hour}", country="FR", ago=timedelta(hours=hour))
    bursts = find_bursts([campaign])
    ip_bursts = [b for b in bursts if b.dimension == Wave.Dimension.IP_HASH]
    assert [(b.value, b.actions) for b in ip_bursts] == [(hash_ip(BOT_IP), 30)]
    assert not [b for b in bursts if b.dimension == Wave.Dimension.COUNTRY and b.value == "FR"]


def test_a_domain_that_is_always_busy_is_not_a_burst(campaign, settings):
    settings.OUTCRY_VELOCITY_MIN_ACTIONS = 10
    settings.OUTCRY_VELOCITY_FACTOR = 5
    for hour in range(1, 24):
        act(campaign, 12, domain="busy.example", ip=f"10.0.{hour}.1", ago=timedelta(hours=hour))
    act(campaign, 15, domain="busy.example", ip="10.1.0.1")
    assert not [b for b in find_bursts([campaign]) if b.dimension == Wave.Dimension.EMAIL_DOMAIN]


def invalidate(client, burst, reason: str = "30 signatures from one address in ten minutes"):
    return client.post("/admin/safety/wave/alerts/", {
        "campaign": burst.campaign.pk, "dimension": burst.dimension, "value": burst.value,
        "since": burst.since.isoformat(), "until": burst.until.isoformat(), "reason": reason,
    })


def invalid_shown(staff_client) -> int:
    html = staff_client.get("/c/free-them/integrity/").content.decode()
    return int(re.search(r'<td data-key="invalid">(\d+)</td>', html).group(1))


def test_invalidating_a_wave_drops_the_count_keeps_the_rows_and_undo_restores(staff_client, campaign, settings, django_capture_on_commit_callbacks):
    settings.OUTCRY_VELOCITY_MIN_ACTIONS = 10
    act(campaign, 30, ip=BOT_IP)
    act(campaign, 5, ip="198.51.100.1")
    assert count(campaign) == 35
    page = staff_client.get("/admin/safety/wave/alerts/")
    assert page.status_code == 200 and "Invalidate this wave" in page.content.decode()
    burst = next(b for b in find_bursts([campaign]) if b.dimension == Wave.Dimension.IP_HASH)

    assert invalid_shown(staff_client) == 0  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        assert invalidate(staff_client, burst).status_code == 302
    assert count(campaign) == 5
    # The integrity report says so at once to the staff (the public sees it at the next hour, rounded).
    assert invalid_shown(staff_client) == 30
    assert Action.objects.filter(status=Action.Status.INVALID).count() == 30
    assert Action.objects.count() == 35  # kept, not deleted
    wave = Wave.objects.get()
    assert (wave.created_by.username, wave.reason, wave.counted_removed) == ("staffer", "30 signatures from one address in ten minutes", 30)
    assert AuditEntry.objects.get(kind=AuditEntry.Kind.INVALIDATE_WAVE).count_change == -30

    detail = staff_client.get(f"/admin/safety/wave/{wave.pk}/change/").content.decode()
    assert "Undo this invalidation" in detail
    assert staff_client.post(f"/admin/safety/wave/{wave.pk}/undo/", {"reason": "They were a school class"}).status_code == 302
    assert count(campaign) == 35
    assert not Action.objects.filter(status=Action.Status.INVALID).exists()
    wave.refresh_from_db()
    assert wave.undone_by.username == "staffer" and wave.undo_reason == "They were a school class"
    # Undo twice changes nothing.
    staff_client.post(f"/admin/safety/wave/{wave.pk}/undo/", {"reason": "again"})
    assert count(campaign) == 35 and AuditEntry.objects.filter(kind=AuditEntry.Kind.UNDO_WAVE).count() == 1


def test_invalidating_needs_a_reason(staff_client, campaign, settings):
    settings.OUTCRY_VELOCITY_MIN_ACTIONS = 10
    act(campaign, 12, ip=BOT_IP)
    burst = find_bursts([campaign])[0]
    invalidate(staff_client, burst, reason="")
    assert not Wave.objects.exists() and count(campaign) == 12


def test_undo_never_counts_one_email_twice(staff_client, campaign, settings):
    settings.OUTCRY_VELOCITY_MIN_ACTIONS = 10
    bots = act(campaign, 12, ip=BOT_IP)
    invalidate(staff_client, next(b for b in find_bursts([campaign]) if b.dimension == Wave.Dimension.IP_HASH))
    # Meanwhile the real owner of one address acts for themselves.
    take_action(campaign=campaign, data=ActionData(first_name="Real", last_name="Person", email=bots[0].email, country="GB"))
    assert count(campaign) == 1
    staff_client.post(f"/admin/safety/wave/{Wave.objects.get().pk}/undo/", {"reason": "mistake"})
    assert count(campaign) == 12
    assert Action.objects.get(pk=bots[0].pk).status == Action.Status.DUPLICATE


def test_another_organisations_staff_cannot_see_or_invalidate_the_wave(client, campaign, settings):
    settings.OUTCRY_VELOCITY_MIN_ACTIONS = 10
    act(campaign, 20, ip=BOT_IP)
    stranger = make_staff(Organisation.objects.create(name="Other", slug="other"), "stranger")
    client.force_login(stranger)
    alerts = client.get("/admin/safety/wave/alerts/").content.decode()
    assert "Free them now" not in alerts
    burst = find_bursts([campaign])[0]
    assert invalidate(client, burst).status_code == 404
    assert count(campaign) == 20 and not Wave.objects.exists()
