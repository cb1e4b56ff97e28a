"""Waves in the studio, for editors: the same rule and services as the admin's. A share wave (a referral
code, a country) is invalidated only from the page that shows its conversion pattern; the step is
audited and can be undone; viewers and other organisations cannot reach any of it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from outcry.actions.models import Action
from outcry.lib.hashing import hash_ip
from outcry.safety import services
from outcry.safety.models import AuditEntry, Wave, WaveAlert
from outcry.safety.velocity import find_bursts
from tests.safety.test_wave_review import celebrity_wave  # noqa: F401 (a fixture)
from tests.safety.test_waves import BOT_IP, act
from tests.studio.conftest import member

pytestmark = pytest.mark.django_db


def window(burst) -> dict[str, str]:
    return {"dimension": burst.dimension, "value": burst.value, "since": burst.since.isoformat(), "until": burst.until.isoformat()}


def test_the_service_refuses_a_share_wave_that_was_not_reviewed(campaign, organisation, celebrity_wave):  # noqa: F811
    with pytest.raises(services.NeedsReview):
        services.invalidate_wave(
            campaign=campaign, dimension=celebrity_wave.dimension, value=celebrity_wave.value, since=celebrity_wave.since,
            until=celebrity_wave.until, user=member(organisation, "editor"), reason="one click",
        )
    assert not Wave.objects.exists() and not Action.objects.filter(status=Action.Status.INVALID).exists()


def test_one_click_on_a_share_wave_leads_to_its_pattern_and_only_that_page_invalidates(campaign, celebrity_wave, as_role):  # noqa: F811
    client = as_role("editor")
    page = client.get(f"/studio/c/{campaign.pk}/waves/").content.decode()
    row = page[page.index(celebrity_wave.value[:16]):]
    row = row[:row.index("</tr>")]
    assert "See how it converted" in row and "Invalidate this wave" not in row

    response = client.post(f"/studio/c/{campaign.pk}/waves/invalidate/", window(celebrity_wave) | {"reason": "bots"})
    assert response.status_code == 303 and f"/studio/c/{campaign.pk}/waves/review/?" in response["Location"]
    assert not Wave.objects.exists()

    review = client.get(response["Location"])
    html = review.content.decode()
    assert review.status_code == 200
    assert "<td>24 (counted: 24)</td>" in html and "2 of these supporters brought further actions" in html
    assert 'name="reviewed"' in html and "Invalidate 24 actions" in html

    done = client.post(f"/studio/c/{campaign.pk}/waves/invalidate/", window(celebrity_wave) | {"reason": "bots", "reviewed": "True"})
    assert done.status_code == 303
    wave = Wave.objects.get()
    assert wave.actions_invalidated == 24 and wave.created_by.username == "editor"
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.INVALIDATE_WAVE)
    assert entry.wave == wave and entry.reason == "bots" and entry.count_change == -24
    listed = client.get(f"/studio/c/{campaign.pk}/waves/?show=invalidated").content.decode()
    assert "bots" in listed and "Why undo" in listed


def test_an_address_wave_is_invalidated_from_the_list_undone_and_its_network_blocked(campaign, as_role, settings):
    settings.OUTCRY_VELOCITY_MIN_ACTIONS = 10
    act(campaign, 15, ip=BOT_IP)
    burst = next(b for b in find_bursts([campaign]) if b.dimension == Wave.Dimension.IP_HASH)
    client = as_role("editor")
    page = client.get(f"/studio/c/{campaign.pk}/waves/").content.decode()
    assert "Block this network on this campaign" in page and "Invalidate this wave" in page

    assert client.post(f"/studio/c/{campaign.pk}/waves/invalidate/", window(burst) | {"reason": "a bot farm"}).status_code == 303
    wave = Wave.objects.get()
    assert Action.objects.filter(status=Action.Status.INVALID).count() == 15

    assert client.post(f"/studio/c/{campaign.pk}/waves/{wave.pk}/undo/", {"reason": "a school"}).status_code == 303
    wave.refresh_from_db()
    assert wave.undone_at is not None and wave.undo_reason == "a school"
    assert not Action.objects.filter(status=Action.Status.INVALID).exists()
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.UNDO_WAVE, actor__username="editor").count() == 1

    assert client.post(f"/studio/c/{campaign.pk}/waves/block/", {"ip_hash": hash_ip(BOT_IP), "reason": "farm"}).status_code == 303
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.CONTROLS)
    assert entry.actor.username == "editor" and hash_ip(BOT_IP) in entry.details

    filtered = client.get(f"/studio/c/{campaign.pk}/waves/?show=invalidated&state=standing").content.decode()
    assert "0 waves invalidated" in filtered or "None." in filtered


def test_waves_found_by_the_job_are_listed_filtered_and_paginated(campaign, as_role):
    now = timezone.now()
    for i in range(30):
        WaveAlert.objects.create(campaign=campaign, dimension="country" if i % 2 else "email_domain", value=f"v{i:02}",
                                 first_seen_at=now, last_seen_at=now, actions=20, usual=1.0)
    client = as_role("editor")
    first = client.get(f"/studio/c/{campaign.pk}/waves/?dimension=country").content.decode()
    assert "15 waves found" in first and "v01" in first and "v02" not in first
    everything = client.get(f"/studio/c/{campaign.pk}/waves/").content.decode()
    assert "Page 1 of 2" in everything and 'href="?show=found&amp;page=2"' in everything
    second = client.get(f"/studio/c/{campaign.pk}/waves/?show=found&dimension=country&page=1")
    assert second.status_code == 200


def test_viewers_and_other_organisations_cannot_see_or_invalidate(campaign, other_campaign, celebrity_wave, as_role):  # noqa: F811
    viewer = as_role("viewer")
    for url in ["waves/", "waves/review/?" + "&".join(f"{k}={v}" for k, v in window(celebrity_wave).items())]:
        assert viewer.get(f"/studio/c/{campaign.pk}/{url}").status_code == 403
    assert viewer.post(f"/studio/c/{campaign.pk}/waves/invalidate/", window(celebrity_wave) | {"reason": "x", "reviewed": "True"}).status_code == 403
    editor = as_role("editor", "editor2")
    assert editor.get(f"/studio/c/{other_campaign.pk}/waves/").status_code == 404
    assert editor.post(f"/studio/c/{other_campaign.pk}/waves/invalidate/", window(celebrity_wave) | {"reason": "x", "reviewed": "True"}).status_code == 404
    assert not Wave.objects.exists()
