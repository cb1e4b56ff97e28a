"""Sharing that invites (issue 18.3): share and copy-link on the campaign page too, per-channel words."""

from __future__ import annotations

import html as html_lib
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.contrib.staticfiles import finders

from outcry.campaigns.models import CampaignTranslation

pytestmark = pytest.mark.django_db


def share_hrefs(page: str) -> dict[str, str]:
    section = page.split('<section class="share"')[1].split("</section>")[0]
    hrefs = {}
    for channel in ["whatsapp", "facebook", "x", "telegram", "email"]:
        href = section.split(f'class="button share-{channel}" href="')[1].split('"')[0]
        hrefs[channel] = html_lib.unescape(href)
    return hrefs


def test_the_campaign_page_offers_share_buttons_and_copy_link_without_anyones_code(client, campaign):
    page = client.get("/c/free-them/?ref=someone&via=x").content.decode()
    hrefs = share_hrefs(page)
    assert "wa.me" in hrefs["whatsapp"] and "facebook.com/sharer" in hrefs["facebook"]
    assert "via%3Dwhatsapp" in hrefs["whatsapp"] and "someone" not in page  # the shared copy names no sharer
    assert 'id="copy-url" type="url" readonly dir="ltr" value="http://127.0.0.1:8000/c/free-them/?via=copy"' in page
    assert "data-native-share" in page and 'data-share-url="http://127.0.0.1:8000/c/free-them/?via=native"' in page
    # Self-hosted icons: one sprite from our own static files, each channel's symbol in it.
    assert '<use href="/static/campaigns/img/icons.svg#whatsapp">' in page
    sprite = open(finders.find("campaigns/img/icons.svg")).read()
    for channel in ["whatsapp", "facebook", "x", "telegram", "email", "link", "share"]:
        assert f'<symbol id="{channel}"' in sprite


def test_each_channel_says_what_the_campaign_wrote_for_it_in_the_page_language(client, campaign):
    campaign.share_message = "I just wrote to the minister. Will you?"
    campaign.share_x_text = "Free them now #FreeThem"
    campaign.share_email_subject = "Can you help free them?"
    campaign.share_email_body = "I took action in two minutes."
    campaign.save()
    CampaignTranslation.objects.create(
        campaign=campaign, language="fr", title="Libérez-les", story="<p>Histoire</p>", letter_body="Libérez-les.",
        share_message="J'ai écrit au ministre. Et vous ?",
    )
    campaign.offered_languages = ["fr"]
    campaign.save()
    english = share_hrefs(client.get("/c/free-them/").content.decode())
    assert parse_qs(urlsplit(english["whatsapp"]).query)["text"] == ["I just wrote to the minister. Will you? http://127.0.0.1:8000/c/free-them/?via=whatsapp"]
    assert parse_qs(urlsplit(english["x"]).query)["text"] == ["Free them now #FreeThem"]
    assert parse_qs(urlsplit(english["telegram"]).query)["text"] == ["I just wrote to the minister. Will you?"]
    mail = unquote(english["email"])
    assert mail.startswith("mailto:?subject=Can you help free them?&body=I took action in two minutes.\n\nhttp://127.0.0.1:8000/c/free-them/?via=email")
    french = share_hrefs(client.get("/fr/c/free-them/").content.decode())
    assert parse_qs(urlsplit(french["whatsapp"]).query)["text"][0].startswith("J'ai écrit au ministre. Et vous ?")
    assert parse_qs(urlsplit(french["x"]).query)["text"] == ["Free them now #FreeThem"]  # not translated: the default


def test_without_share_words_each_channel_falls_back_to_the_title(client, campaign):
    hrefs = share_hrefs(client.get("/c/free-them/").content.decode())
    assert parse_qs(urlsplit(hrefs["x"]).query)["text"] == ["Free them now"]
    assert unquote(hrefs["email"]).startswith("mailto:?subject=Free them now&body=People are held without charge.")
