"""The private preview of a draft: shows page, form, letter and thank-you; counts and sends nothing."""

from __future__ import annotations

import pytest
from django.core import mail, signing
from django.urls import reverse

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, Membership
from outcry.delivery.models import Message
from outcry.studio.previews import SALT, preview_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(campaign) -> Campaign:
    campaign.status = Campaign.Status.DRAFT
    campaign.save()
    return campaign


def test_preview_link_shows_the_draft_open_with_a_signed_letter_to_someone_without_an_account(client, draft):
    response = client.get(preview_url(draft))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Free them now" in page and 'name="first_name"' in page
    assert "Alex Example" in page  # the letter's signature
    assert "Please free them." in page
    assert "This campaign is closed" not in page
    assert "no-store" in response["Cache-Control"] and response["Referrer-Policy"] == "same-origin"


def test_the_public_address_of_a_draft_still_shows_nothing(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_acting_on_a_preview_counts_and_sends_nothing(client, draft, supporter):
    before = counting.get_count(draft.pk, cached=False)
    thanks_url = reverse("studio:preview_thanks", kwargs={"token": preview_url(draft).split("/")[-2]})
    page = client.get(preview_url(draft)).content.decode()
    assert f'action="{thanks_url}"' in page
    response = client.post(thanks_url, supporter)
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert Action.objects.count() == 0 and Message.objects.count() == 0 and mail.outbox == []
    assert counting.get_count(draft.pk, cached=False) == before
    assert counting.get_count(draft.pk, "thanks_views", cached=False) == 0


def test_forged_or_expired_preview_links_show_nothing(client, draft, settings):
    forged = signing.dumps(draft.pk, salt="something else")
    assert client.get(reverse("studio:preview", kwargs={"token": forged})).status_code == 404
    settings.OUTCRY_PREVIEW_LINK_DAYS = 0
    token = signing.dumps(draft.pk, salt=SALT)
    import time

    time.sleep(1.1)
    assert client.get(reverse("studio:preview", kwargs={"token": token})).status_code == 404


def test_preview_link_is_only_given_to_members(client, as_role, draft, other_organisation):
    from tests.studio.conftest import member

    client.force_login(member(other_organisation, "outsider", Membership.Role.OWNER))
    assert client.get(reverse("studio:campaign", kwargs={"pk": draft.pk})).status_code == 404
    viewer = as_role(Membership.Role.VIEWER)
    assert "/studio/preview/" in viewer.get(reverse("studio:campaign", kwargs={"pk": draft.pk})).content.decode()
