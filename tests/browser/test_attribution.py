"""A share link's ref, via and utm_* reach the action in a real Chromium, with JavaScript (the page's
script fills the hidden fields) and without (the server reads the POST's Referer), though the page
itself is the same shared copy whatever the link (issue 12 item 1)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from outcry.actions.models import Action
from tests.browser.test_supporter_path import LIBYA, fill_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHARE = "?ref=Sh4rer01&via=whatsapp&utm_source=newsletter&utm_medium=email&utm_campaign=spring&fbclid=IwAR0random"


def _assert_attributed(email: str) -> None:
    action = Action.objects.get(email=email)
    assert (action.referred_by, action.source) == ("Sh4rer01", Action.Source.WHATSAPP)
    assert (action.utm_source, action.utm_medium, action.utm_campaign) == ("newsletter", "email", "spring")


def test_with_javascript_the_share_link_is_recorded(visit):
    v = visit("phone", locale="en-US")
    page = v.page
    response = v.goto(LIBYA + SHARE)
    assert "Sh4rer01" not in response.text()  # the shared copy holds no share parameter
    expect(page.locator("form.action-form input[name=ref]")).to_have_value("Sh4rer01")
    # The language links carry the share link on; the country guess follows the browser (en-US).
    expect(page.locator("nav.languages a[hreflang=fr]")).to_have_attribute("href", "/fr" + LIBYA + "?ref=Sh4rer01&via=whatsapp&utm_source=newsletter&utm_medium=email&utm_campaign=spring")
    expect(page.get_by_label("Country", exact=True)).to_have_value("US")
    fill_form(page, email="script@example.com")
    page.get_by_role("button", name="Send the letter").click()
    page.wait_for_url(f"**{LIBYA}thanks/")
    _assert_attributed("script@example.com")


def test_without_javascript_the_share_link_is_recorded_even_after_an_error(visit):
    v = visit("phone", java_script_enabled=False)
    page = v.page
    v.goto(LIBYA + SHARE)
    page.get_by_role("button", name="Send the letter").click()  # empty: the page comes back from the POST
    expect(page.locator("#form-errors")).to_be_visible()
    fill_form(page, email="noscript@example.com")
    page.get_by_role("button", name="Send the letter").click()
    page.wait_for_url(f"**{LIBYA}thanks/")
    _assert_attributed("noscript@example.com")


def test_a_crafted_utm_value_never_stops_a_supporter(visit):
    # Issue 13.5: 48 characters, four encoded line feeds, 48 more.
    v = visit("phone")
    v.goto(LIBYA + "?utm_source=" + "a" * 48 + "%0A" * 4 + "b" * 48)
    fill_form(v.page, email="crafted@example.com")
    v.page.get_by_role("button", name="Send the letter").click()
    v.page.wait_for_url(f"**{LIBYA}thanks/")
    assert Action.objects.get(email="crafted@example.com").utm_source == "a" * 48 + " " + "b" * 48
