"""The next ask, the one-click return from an email, and outcomes on the page and in the JSON."""

from __future__ import annotations

import datetime
import re

import pytest

from outcry.actions.counting import Metric, flush_noted, get_count
from outcry.actions.links import return_token
from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, CampaignUpdate, Organisation
from outcry.delivery.emails import build_email
from outcry.delivery.models import Message
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_campaign(campaign) -> Campaign:
    follow_up = Campaign.objects.create(
        organisation=campaign.organisation, slug="next-one", title="The next one", summary="Next.",
        status=Campaign.Status.LIVE, double_opt_in=True,
    )
    campaign.follow_up_campaign = follow_up
    campaign.save()
    return follow_up


def form_data(page: str, **changes: str) -> dict[str, str]:
    """The form's fields as the page filled them in, as a browser would post them."""
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    fields |= {"country": re.search(r'<option value="(\w\w)" selected', page).group(1)}
    return fields | changes


def test_the_receipt_carries_a_one_click_link_that_fills_the_form_without_naming_anyone(client, campaign, next_campaign):
    first = act(campaign, "Amal", "Haddad", email="amal@example.com")
    receipt = build_email(Message.objects.get(action=first, kind=Message.Kind.RECEIPT))
    link = re.search(r"http://\S+/c/next-one/r/\S+/", receipt.body).group(0)
    assert "amal" not in link.lower() and "haddad" not in link.lower()

    page = client.get(link.split("8000", 1)[-1] if "8000" in link else link)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    html = page.content.decode()
    assert 'value="Amal"' in html and 'value="amal@example.com"' in html and "Not you?" in html

    # Acting through it counts at once, although the next campaign asks others to confirm by email.
    response = client.post("/c/next-one/", form_data(html))
    assert response.status_code == 303
    again = Action.objects.get(campaign=next_campaign)
    assert again.status == Action.Status.COUNTED and again.confirmed_at is not None
    assert not Message.objects.filter(action=again, kind=Message.Kind.CONFIRM).exists()


def test_a_return_link_with_another_address_still_asks_for_confirmation(client, campaign, next_campaign):
    first = act(campaign, "Amal", "Haddad", email="amal@example.com")
    page = client.get(f"/c/next-one/r/{return_token(first, next_campaign)}/").content.decode()
    client.post("/c/next-one/", form_data(page, email="someone.else@example.com"))
    assert Action.objects.get(campaign=next_campaign).status == Action.Status.UNCONFIRMED


def test_a_return_link_is_refused_for_another_campaign_or_another_organisation(client, campaign, next_campaign):
    first = act(campaign, "Amal", "Haddad", email="amal@example.com")
    elsewhere = Campaign.objects.create(
        organisation=Organisation.objects.create(name="Else", slug="else"), slug="elsewhere", title="Elsewhere",
        summary="x", status=Campaign.Status.LIVE,
    )
    for url in (f"/c/elsewhere/r/{return_token(first, elsewhere)}/", f"/c/free-them/r/{return_token(first, next_campaign)}/"):
        html = client.get(url).content.decode()
        assert 'value="amal@example.com"' not in html and "Amal" not in html


def test_the_thank_you_page_offers_the_next_step_and_the_dashboard_counts_who_took_it(client, campaign, next_campaign):
    page = client.get("/c/free-them/thanks/").content.decode()
    assert 'href="/c/free-them/next/"' in page and "The next one" in page
    response = client.get("/c/free-them/next/")
    assert response.status_code == 303 and response["Location"] == "/c/next-one/"
    flush_noted()  # clicks are noted without a write, and the scheduled job moves them into the counter rows
    assert get_count(campaign.pk, Metric.FOLLOW_UPS, cached=False) == 1


def test_the_page_and_the_stats_json_show_the_outcome_and_the_updates(client, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(
        outcome_kind=Campaign.Outcome.HANDED_IN, outcome_text="Handed in at the ministry.", outcome_date=datetime.date(2026, 3, 3)
    )
    update = CampaignUpdate.objects.create(campaign=campaign, title="We were there", body="It went well.")
    CampaignUpdate.objects.create(campaign=campaign, title="Not yet public", body="Draft.", published=False)

    stats = client.get("/api/v1/campaigns/free-them/stats").json()
    assert stats["outcome"] == {"kind": "handed_in", "text": "Handed in at the ministry.", "date": "2026-03-03"}
    assert [u["title"] for u in stats["updates"]] == ["We were there"]
    assert stats["updates"][0]["url"].endswith(f"/c/free-them/updates/{update.pk}/")

    page = client.get("/c/free-them/").content.decode()
    assert "Handed in at the ministry." in page and "We were there" in page and "Not yet public" not in page
    assert client.get(f"/c/free-them/updates/{update.pk}/").status_code == 200


def test_a_campaign_without_outcome_or_updates_says_so_in_the_json(client, campaign):
    stats = client.get("/api/v1/campaigns/free-them/stats").json()
    assert stats["outcome"] is None and stats["updates"] == []
