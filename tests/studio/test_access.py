"""Roles in the studio: who is let in, who is told "not found", who is told "forbidden"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outcry.campaigns.models import Membership
from tests.studio.conftest import PASSWORD, member

pytestmark = pytest.mark.django_db


def test_signed_out_person_is_sent_to_the_login(client, campaign):
    response = client.get(reverse("studio:campaign", kwargs={"pk": campaign.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("studio:login"))


def test_login_with_password_reaches_own_organisation(client, organisation):
    member(organisation, "amal", Membership.Role.VIEWER)
    response = client.post(reverse("studio:login"), {"username": "amal", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("studio:organisation", kwargs={"organisation": organisation.slug})
    assert b"Rights Now" in response.content


def test_repeated_wrong_passwords_lock_the_studio_login(client, organisation, settings):
    member(organisation, "amal")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("studio:login"), {"username": "amal", "password": "wrong"})
    response = client.post(reverse("studio:login"), {"username": "amal", "password": PASSWORD})
    assert response.status_code == 429


def test_viewer_sees_the_campaign_list(as_role, organisation, campaign):
    response = as_role(Membership.Role.VIEWER).get(reverse("studio:organisation", kwargs={"organisation": organisation.slug}))
    assert response.status_code == 200
    assert campaign.title.encode() in response.content


def test_member_of_one_organisation_finds_nothing_of_another(as_role, other_organisation, other_campaign):
    client = as_role(Membership.Role.OWNER)
    assert client.get(reverse("studio:organisation", kwargs={"organisation": other_organisation.slug})).status_code == 404
    assert client.get(reverse("studio:campaign", kwargs={"pk": other_campaign.pk})).status_code == 404


def test_person_in_two_organisations_switches_between_them(client, organisation, other_organisation, other_campaign, campaign):
    user = member(organisation, "both")
    Membership.objects.create(organisation=other_organisation, user=user, role=Membership.Role.VIEWER)
    client.force_login(user)
    first = client.get(reverse("studio:home"))
    assert first["Location"] == reverse("studio:organisation", kwargs={"organisation": other_organisation.slug})
    page = client.get(first["Location"])
    assert b"Their secret draft" in page.content and b"Free them now" not in page.content
    client.get(reverse("studio:organisation", kwargs={"organisation": organisation.slug}))
    # The studio remembers the organisation worked on last.
    assert client.get(reverse("studio:home"))["Location"] == reverse("studio:organisation", kwargs={"organisation": organisation.slug})


def test_existing_staff_are_members(organisation):
    from tests.conftest import make_staff

    user = make_staff(organisation, "old-style")
    assert Membership.objects.get(user=user, organisation=organisation).role == Membership.Role.EDITOR


def test_campaign_list_filters_by_status(as_role, organisation, campaign):
    from outcry.campaigns.models import Campaign

    Campaign.objects.create(organisation=organisation, slug="a-draft", title="A quiet draft", summary="s")
    client = as_role(Membership.Role.VIEWER)
    url = reverse("studio:organisation", kwargs={"organisation": organisation.slug})
    drafts = client.get(url, {"status": "draft"}).content.decode()
    assert "A quiet draft" in drafts and "Free them now" not in drafts
    assert "Free them now" in client.get(url, {"status": "live"}).content.decode()
