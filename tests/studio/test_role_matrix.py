"""Every studio URL, walked from outcry/studio/urls.py rather than listed by hand, so that a page added
later is covered the day it lands: a member of one organisation finds nothing of another by URL
(pages, exports, actions), a viewer can do nothing an editor does, an editor nothing only an owner does,
and no URL that names an organisation or a campaign escapes the one access helper."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, reverse

from outcry.campaigns.models import Membership
from outcry.studio.urls import urlpatterns
from tests.studio.conftest import member

pytestmark = pytest.mark.django_db

# Reached without an organisation or a campaign in the URL: sign-in, the invitation and the preview link
# (a signed token, tested in test_team.py and test_preview.py).
NOT_SCOPED = {"home", "login", "logout", "two_factor", "accept", "preview", "preview_thanks"}
RANK = {Membership.Role.VIEWER: 1, Membership.Role.EDITOR: 2, Membership.Role.OWNER: 3}


def _scoped() -> list[URLPattern]:
    return [p for p in urlpatterns if p.name not in NOT_SCOPED]


def _url(pattern: URLPattern, *, organisation: str, campaign: int) -> str:
    """The pattern's address with the given organisation or campaign; any other part is a plausible
    value, since access is decided before the view looks for the object it names."""
    kwargs: dict[str, object] = {}
    for name, converter in pattern.pattern.converters.items():
        if name == "organisation":
            kwargs[name] = organisation
        elif name == "pk":
            kwargs[name] = campaign
        elif type(converter).__name__ == "UUIDConverter":
            kwargs[name] = uuid.uuid4()
        elif type(converter).__name__ == "IntConverter":
            kwargs[name] = 1
        else:
            kwargs[name] = "en" if name == "language" else "x"
    return reverse(f"studio:{pattern.name}", kwargs=kwargs)


def test_every_url_naming_an_organisation_or_campaign_goes_through_the_access_helper():
    unguarded = [p.name for p in _scoped() if not hasattr(p.callback, "studio_role")]
    assert unguarded == []


@pytest.mark.parametrize("pattern", _scoped(), ids=lambda p: p.name)
def test_an_owner_of_one_organisation_finds_nothing_of_another(client, organisation, other_organisation, other_campaign, pattern):
    client.force_login(member(organisation, "owner", Membership.Role.OWNER))
    url = _url(pattern, organisation=other_organisation.slug, campaign=other_campaign.pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Taken over"}).status_code == 404
    other_campaign.refresh_from_db()
    assert other_campaign.title == "Their secret draft"


@pytest.mark.parametrize("role", [Membership.Role.VIEWER, Membership.Role.EDITOR])
def test_a_role_below_what_a_url_needs_is_refused_for_reading_and_writing(client, organisation, campaign, role):
    client.force_login(member(organisation, role, role))
    above = [p for p in _scoped() if RANK[p.callback.studio_role] > RANK[role]]
    assert above, "every role below owner has something it may not do"
    for pattern in above:
        url = _url(pattern, organisation=organisation.slug, campaign=campaign.pk)
        assert (pattern.name, client.get(url).status_code) == (pattern.name, 403)
        assert (pattern.name, client.post(url, {"title": "Changed"}).status_code) == (pattern.name, 403)
    campaign.refresh_from_db()
    assert campaign.title != "Changed"
