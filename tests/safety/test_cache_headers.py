"""Every response says how it may be cached, and nothing per-person is ever `public` (issue 13.6)."""

from __future__ import annotations

import pytest
from django.test import Client

from outcry.campaigns.models import CampaignUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_update(campaign) -> CampaignUpdate:
    return CampaignUpdate.objects.create(campaign=campaign, title="Delivered", body="We handed it in.", published=True)


def _public_paths(campaign, update) -> list[str]:
    return [
        "/", "/c/free-them/", "/fr/c/free-them/", "/c/free-them/thanks/", f"/c/free-them/updates/{update.pk}/",
        "/c/free-them/share.png", "/c/free-them/embed/", "/c/free-them/integrity/", "/api/v1/campaigns/free-them/stats",
        "/privacy/my-data/", "/privacy/my-data/not-a-token/", "/c/free-them/r/not-a-token/", "/studio/login/",
        "/admin/login/", "/c/no-such-campaign/", "/c/free-them/confirm/not-a-token/",
    ]


def test_every_anonymous_answer_says_how_it_may_be_cached(campaign, published_update):
    for path in _public_paths(campaign, published_update):
        response = Client().get(path, headers={"Sec-Fetch-Site": "none"})
        assert response.has_header("Cache-Control"), path
        if response.cookies:
            assert "private" in response["Cache-Control"], path


def test_every_answer_to_staff_is_private(staff_client, campaign, published_update):
    for path in [*_public_paths(campaign, published_update), "/studio/", "/admin/", "/admin/campaigns/campaign/"]:
        response = staff_client.get(path, headers={"Sec-Fetch-Site": "none"})
        cache_control = response.get("Cache-Control", "")
        assert "private" in cache_control and "public" not in cache_control, (path, cache_control)
        assert "Cookie" in response.get("Vary", ""), path


def test_an_update_seen_by_staff_is_not_shared(staff_client, campaign, published_update):
    # The view marks the update page public for everyone; a signed-in reader may see more (drafts, notices).
    response = staff_client.get(f"/c/free-them/updates/{published_update.pk}/")
    assert response["Cache-Control"].startswith("private") and "max-age" not in response["Cache-Control"]


def test_an_answer_that_sets_a_cookie_is_never_public(campaign, supporter):
    response = Client().post("/c/free-them/", supporter)
    assert response.status_code == 303 and response.cookies
    assert "private" in response["Cache-Control"]
