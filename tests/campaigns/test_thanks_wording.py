"""The thank-you page tells the supporter the truth about their action (issue 18.1)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from outcry.actions import referral
from outcry.actions.models import Action
from outcry.campaigns.models import Campaign

pytestmark = pytest.mark.django_db

COUNTED = "Your action is counted, and your letter is on its way"
AWAITING = "we have emailed you a link"
PENDING = "It is not counted yet"


def acted(campaign: Campaign, supporter: dict, email: str = "amal@example.com") -> tuple[Client, Action]:
    client = Client()
    assert client.post("/c/free-them/", supporter | {"email": email}).status_code == 303
    return client, Action.objects.get(email=email)


def as_if_now(client: Client, campaign: Campaign, action: Action) -> None:
    """The supporter's cookie as the form's redirect sets it for an action in this state."""
    response = HttpResponse()
    referral.remember(response, RequestFactory().get("/"), campaign, action)
    client.cookies[referral.cookie_name(campaign)] = response.cookies[referral.cookie_name(campaign)].value


@pytest.fixture
def letter_campaign(campaign) -> Campaign:
    campaign.message_after_action = "Messages have been sent!"
    campaign.message_after_acting = "You are one of the first: share now and the count doubles."
    campaign.save()
    return campaign


def test_a_counted_action_is_thanked_by_name_with_what_happens_next(letter_campaign, supporter):
    client, _action = acted(letter_campaign, supporter)
    page = client.get("/c/free-them/thanks/").content.decode()
    assert "<h1>Messages have been sent!</h1>" in page
    assert '<p class="greeting">Thank you, Amal.</p>' in page
    assert COUNTED in page and "receipt" in page
    assert AWAITING not in page and PENDING not in page
    assert '<p class="momentum">You are one of the first: share now and the count doubles.</p>' in page


def test_a_held_action_is_not_said_to_be_sent(letter_campaign, supporter):
    client, action = acted(letter_campaign, supporter)
    action.status = Action.Status.HELD
    action.save()
    as_if_now(client, letter_campaign, action)
    page = client.get("/c/free-them/thanks/").content.decode()
    assert "Messages have been sent!" not in page and COUNTED not in page
    assert PENDING in page and "Thank you, Amal." in page


def test_an_action_awaiting_confirmation_says_check_your_inbox_and_offers_a_new_link(letter_campaign, supporter):
    letter_campaign.double_opt_in = True
    letter_campaign.save()
    client, action = acted(letter_campaign, supporter)
    page = client.get("/c/free-them/thanks/").content.decode()
    assert AWAITING in page and "Check your spam folder" in page and 'href="/c/free-them/confirm/resend/"' in page
    assert "Messages have been sent!" not in page and COUNTED not in page


def test_confirming_turns_the_page_to_counted(letter_campaign, supporter):
    from outcry.actions.links import confirm_token

    letter_campaign.double_opt_in = True
    letter_campaign.save()
    client, action = acted(letter_campaign, supporter)
    client.post(f"/c/free-them/confirm/{confirm_token(action)}/")
    page = client.get("/c/free-them/thanks/").content.decode()
    assert COUNTED in page and AWAITING not in page


def test_without_a_cookie_the_page_claims_nothing_and_greets_no_one(letter_campaign):
    page = Client().get("/c/free-them/thanks/").content.decode()
    assert "Messages have been sent!" not in page and COUNTED not in page and PENDING not in page
    assert "Thank you for taking action!" in page and 'class="greeting"' not in page


def test_the_first_name_never_reaches_the_shared_copy(letter_campaign, supporter):
    amal, _first = acted(letter_campaign, supporter)
    sara, _second = acted(letter_campaign, supporter | {"first_name": "Sara"}, "sara@example.com")
    assert "Thank you, Amal." in amal.get("/c/free-them/thanks/").content.decode()
    page = sara.get("/c/free-them/thanks/")
    assert "Thank you, Sara." in page.content.decode() and "Amal" not in page.content.decode()
    assert "private" in page["Cache-Control"]
    assert "Amal" not in Client().get("/c/free-them/thanks/").content.decode()


def test_the_next_campaign_is_named_in_the_page_language(campaign, organisation, supporter, offer):
    from outcry.campaigns.models import CampaignTranslation

    offer(campaign, "ar")

    other = Campaign.objects.create(organisation=organisation, slug="next-one", status=Campaign.Status.LIVE, title="The next one")
    CampaignTranslation.objects.create(campaign=other, language="ar", title="الحملة التالية")
    campaign.follow_up_campaign = other
    campaign.save()
    page = Client().get("/ar/c/free-them/thanks/").content.decode()
    assert "الحملة التالية" in page and "The next one" not in page
