"""Branding: a contrast-checked colour served as our own stylesheet, a logo, a footer, the emails' sender name."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from outcry.campaigns.models import Membership
from outcry.lib.colour import contrast_ratio, validate_brand_colour

pytestmark = pytest.mark.django_db


def test_contrast_is_measured_as_wcag_does():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54
    validate_brand_colour("#b3261e")
    for bad in ("#ffcc00", "#777777", "red", "#12345"):
        with pytest.raises(ValidationError):
            validate_brand_colour(bad)


def test_owner_brands_the_public_page_without_inline_style(as_role, client, organisation, campaign):
    owner = as_role(Membership.Role.OWNER)
    url = reverse("studio:settings", kwargs={"organisation": organisation.slug})
    refused = owner.post(url, {"name": "Rights Now", "brand_colour": "#ffee00"})
    assert refused.status_code == 400 and "contrast" in refused.content.decode()
    data = {"name": "Rights Now", "brand_colour": "#0b5d1e", "footer_text": "Rights Now, 1 Free Street", "sender_name": "Rights Now team",
            "privacy_url": "https://rights.example.org/privacy"}
    assert owner.post(url, data).status_code == 303
    client.logout()
    page = client.get(campaign.get_absolute_url()).content.decode()
    css_url = reverse("campaigns:brand_css", kwargs={"slug": organisation.slug, "version": "0b5d1e"})
    assert f'href="{css_url}"' in page and "Rights Now, 1 Free Street" in page and "style=" not in page
    css = client.get(css_url)
    assert css.content.decode().strip() == ":root { --accent: #0b5d1e; }" and css["Content-Type"].startswith("text/css")
    assert client.get(reverse("campaigns:brand_css", kwargs={"slug": organisation.slug, "version": "ffffff"})).content == b""


def test_editors_cannot_change_the_organisation(as_role, organisation):
    assert as_role(Membership.Role.EDITOR).get(reverse("studio:settings", kwargs={"organisation": organisation.slug})).status_code == 403


def test_update_emails_come_from_the_sender_name(campaign):
    from outcry.campaigns.models import CampaignUpdate
    from outcry.delivery.emails import build_email
    from outcry.updates.services import send_test

    campaign.organisation.sender_name = "Rights Now team"
    campaign.organisation.save()
    item = CampaignUpdate.objects.create(campaign=campaign, title="News", body="Text")
    assert build_email(send_test(item, "me@example.org")).extra_headers["From"].startswith("Rights Now team <")


def test_a_sender_name_with_a_line_break_is_refused(as_role, organisation):
    owner = as_role(Membership.Role.OWNER)
    url = reverse("studio:settings", kwargs={"organisation": organisation.slug})
    refused = owner.post(url, {"name": "Rights Now", "sender_name": "Rights Now\r\nBcc: victim@example.net"})
    assert refused.status_code == 400 and "one line" in refused.content.decode()
    organisation.refresh_from_db()
    assert organisation.sender_name == ""
