"""Partnerships in the studio, for owners: agree by the other's address name, both sides needed, end our side."""

from __future__ import annotations

import pytest

from outcry.campaigns import partners
from outcry.campaigns.models import Partnership
from tests.studio.conftest import member

pytestmark = pytest.mark.django_db


def url(organisation, rest: str = "") -> str:
    return f"/studio/o/{organisation.slug}/partners/{rest}"


def test_both_owners_agree_in_the_studio_and_either_ends_it(client, as_role, organisation, other_organisation):
    ours = as_role("owner")
    assert ours.post(url(organisation), {"slug": other_organisation.slug}).status_code == 303
    page = ours.get(url(organisation)).content.decode()
    assert "Waiting for the partner to agree" in page and not partners.may_link(organisation.pk, other_organisation.pk)

    client.force_login(member(other_organisation, "their-owner", "owner"))
    assert f"{organisation.name} ({organisation.slug}) agreed to a partnership with you." in client.get(url(other_organisation)).content.decode()
    assert client.post(url(other_organisation), {"slug": organisation.slug}).status_code == 303
    assert partners.may_link(organisation.pk, other_organisation.pk)
    assert "Both agreed" in client.get(url(other_organisation)).content.decode()

    assert client.post(url(other_organisation, f"{organisation.pk}/end/")).status_code == 303
    assert not partners.may_link(organisation.pk, other_organisation.pk)
    side = Partnership.objects.get(organisation=other_organisation)
    assert side.ended_by.username == "their-owner" and side.agreed_by.username == "their-owner"


def test_an_unknown_or_own_address_name_is_refused(as_role, organisation):
    client = as_role("owner")
    assert client.post(url(organisation), {"slug": "nobody-here"}).status_code == 400
    assert client.post(url(organisation), {"slug": organisation.slug}).status_code == 400
    assert not Partnership.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_viewers_and_editors_cannot_agree(as_role, organisation, other_organisation, role):
    client = as_role(role)
    assert client.get(url(organisation)).status_code == 403
    assert client.post(url(organisation), {"slug": other_organisation.slug}).status_code == 403
    assert not Partnership.objects.exists()
