"""The studio's spike controls page: editors of the campaign's organisation change its rules through the
same service as the admin (audited, in force on the next POST); viewers and other organisations cannot."""

from __future__ import annotations

import pytest
from django.test import TestCase

from outcry.lib import shared_cache
from outcry.safety.controls import controls_for
from outcry.safety.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_remembered():
    shared_cache._local.clear()
    yield
    shared_cache._local.clear()


def test_an_editor_blocks_a_domain_and_the_next_action_from_it_is_refused(as_role, campaign, supporter, settings):
    settings.BENCH_EXEMPT_LOOPBACK = False
    client = as_role("editor")
    url = f"/studio/c/{campaign.pk}/controls/"
    assert client.get(url).status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"blocked_domains": "spam.example", "ip_limit": "", "domain_limit": "", "allowed_networks": "", "blocked_networks": "", "reason": "a flood"})
    assert response.status_code == 303
    assert controls_for(campaign.pk).blocks_domain("spam.example")
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.CONTROLS)
    assert entry.actor.username == "editor" and entry.reason == "a flood" and "spam.example" in entry.details
    page = client.get(url).content.decode()
    assert "a flood" in page and "spam.example" in page
    refused = client.post("/c/free-them/", supporter | {"email": "x@spam.example"})
    assert refused.status_code == 400 and "cannot accept addresses at this email domain" in refused.content.decode()


def test_a_bad_network_is_shown_back_with_the_error(as_role, campaign):
    response = as_role("editor").post(f"/studio/c/{campaign.pk}/controls/", {"allowed_networks": "10.0.0.0/33"})
    assert response.status_code == 400 and "Not a network or an address: 10.0.0.0/33" in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_viewers_and_other_organisations_cannot(as_role, campaign, other_campaign):
    client = as_role("viewer")
    assert client.get(f"/studio/c/{campaign.pk}/controls/").status_code == 403
    assert client.post(f"/studio/c/{other_campaign.pk}/controls/", {"blocked_domains": "x.example"}).status_code == 404
    assert not AuditEntry.objects.exists()
