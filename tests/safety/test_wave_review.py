"""A referral-code or country wave may be a real share going viral: it is never one click from being
invalidated; the click leads to its conversion pattern, and only that page's button invalidates it."""

from __future__ import annotations

import pytest
from django.test import Client

from outcry.actions.models import Action
from outcry.actions.services import ActionData, take_action
from outcry.campaigns.models import Organisation
from outcry.safety.models import Wave
from outcry.safety.velocity import find_bursts
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def celebrity_wave(campaign, settings):
    settings.OUTCRY_VELOCITY_MIN_ACTIONS = 10
    referrer = take_action(campaign=campaign, data=ActionData(first_name="Fa", last_name="Mous", email="famous@star.example", country="GB", ip="192.0.2.1"))
    for i in range(24):
        take_action(campaign=campaign, data=ActionData(
            first_name="P", last_name="Q", email=f"fan{i}@mail{i % 7}.example", country=["GB", "FR", "DE"][i % 3],
            ip=f"198.51.100.{i}", ref=referrer.referral_code,
        ))
    fans = Action.objects.filter(referred_by=referrer.referral_code).order_by("pk")
    # Two fans shared it on.
    for n, fan in enumerate(fans[:2]):
        take_action(campaign=campaign, data=ActionData(first_name="F", last_name="F", email=f"next{n}@x.example", country="GB", ip="203.0.113.9", ref=fan.referral_code))
    return next(b for b in find_bursts([campaign]) if b.dimension == Wave.Dimension.REFERRAL)


def invalidate(client, burst, **extra):
    return client.post("/admin/safety/wave/alerts/", {
        "campaign": burst.campaign.pk, "dimension": burst.dimension, "value": burst.value,
        "since": burst.since.isoformat(), "until": burst.until.isoformat(), "reason": "looks like bots",
    } | extra)


def test_a_referral_wave_has_no_invalidate_button_only_a_link_to_how_it_converted(staff_client, celebrity_wave):
    html = staff_client.get("/admin/safety/wave/alerts/").content.decode()
    row = html[html.index(celebrity_wave.value[:16]):]
    row = row[:row.index("</tr>")]
    assert "See how it converted" in row and "Invalidate this wave" not in row and "<form" not in row


def test_one_click_on_a_share_wave_leads_to_its_pattern_and_invalidates_nothing(staff_client, celebrity_wave):
    response = invalidate(staff_client, celebrity_wave)
    assert response.status_code == 302 and "/admin/safety/wave/alerts/review/?" in response["Location"]
    assert not Action.objects.filter(status=Action.Status.INVALID).exists() and not Wave.objects.exists()

    page = staff_client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "<td>24 (counted: 24)</td>" in html  # the fans, not the referrer
    assert "<td>24 (the largest brought 4%)</td>" in html  # 24 networks, none dominant
    assert "<td>7</td>" in html  # email providers
    assert "2 of these supporters brought further actions" in html
    assert "The share code&#x27;s owner" in html or "The share code's owner" in html
    assert "Spread over time" in html and 'name="reviewed"' in html

    # Only the reviewed form's button invalidates.
    assert invalidate(staff_client, celebrity_wave, reviewed="True").status_code == 302
    assert Action.objects.filter(status=Action.Status.INVALID).count() == 24
    assert Wave.objects.get().dimension == Wave.Dimension.REFERRAL


def test_another_organisations_staff_cannot_see_the_pattern(campaign, celebrity_wave, staff_client):
    location = invalidate(staff_client, celebrity_wave)["Location"]
    intruder = Client()
    intruder.force_login(make_staff(Organisation.objects.create(name="Else", slug="else"), "intruder"))
    assert intruder.get(location).status_code == 404
