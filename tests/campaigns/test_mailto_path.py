"""The email-your-target path for everyone (issue 18.5): mail app, webmail, or copy and paste."""

from __future__ import annotations

import html as html_lib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from outcry.campaigns.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailto_campaign(campaign) -> Campaign:
    campaign.action_kind = Campaign.ActionKind.MAILTO
    campaign.delivery_mode = Campaign.DeliveryMode.MAILTO
    campaign.save()
    campaign.targets.filter(name="A Minister").update(translations={"ar": {"name": "الوزير"}})
    return campaign


def _href(page: str, start: str) -> dict[str, list[str]]:
    href = html_lib.unescape(page.split(f'href="{start}')[1].split('"')[0])
    return parse_qs(urlsplit(start + href).query)


def test_the_address_the_message_and_webmail_are_all_on_the_thank_you_page(client, mailto_campaign, supporter):
    client.post("/c/free-them/", supporter)
    page = client.get("/c/free-them/thanks/").content.decode()
    assert 'type="email" readonly dir="ltr" value="minister@example.org"' in page
    assert 'data-copy="mailto-address-1"' in page and 'data-copy="mailto-body-1"' in page
    message = html_lib.unescape(page.split('id="mailto-body-1"')[1].split(">", 1)[1].split("</textarea>")[0])
    assert message.startswith("Dear Minister,") and message.endswith("Amal Haddad")
    gmail = _href(page, "https://mail.google.com/mail/?")
    assert gmail["to"] == ["minister@example.org"] and gmail["su"] == ["Free them"] and gmail["body"] == [message]
    outlook = _href(page, "https://outlook.live.com/mail/0/deeplink/compose?")
    assert outlook["to"] == ["minister@example.org"] and outlook["subject"] == ["Free them"] and outlook["body"] == [message]
    # Honest about when it counted: on the form, before any email left.
    assert "we cannot see whether you pressed Send" in page


def test_the_target_is_named_in_the_page_language_and_kept_apart_from_the_sentence(client, mailto_campaign, supporter, offer):
    offer(mailto_campaign, "ar")
    client.post("/ar/c/free-them/", supporter)
    page = client.get("/ar/c/free-them/thanks/").content.decode()
    assert "<bdi>الوزير</bdi>" in page


def test_the_dashboards_say_the_count_means_opened_the_email(mailto_campaign, staff_client):
    from django.template.loader import render_to_string

    note = render_to_string("reports/_mailto_count_note.html", {"campaign": mailto_campaign})
    assert "“opened the email”, not “emails sent”" in note
    letter = Campaign(action_kind=Campaign.ActionKind.LETTER)
    assert render_to_string("reports/_mailto_count_note.html", {"campaign": letter}).strip() == ""
    mailto_campaign.save()
    page = staff_client.get(reverse("studio:dashboard", kwargs={"pk": mailto_campaign.pk}))
    assert page.status_code == 200
    assert "opened the email" in page.content.decode()
