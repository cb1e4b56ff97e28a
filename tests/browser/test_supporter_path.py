"""A supporter's whole path in a real Chromium, on a phone and a desktop, with and without JavaScript."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from outcry.actions.models import Action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LIBYA = "/c/stop-detention-libya/"
KHOMS = "/c/al-khoms-unhcr/"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def fill_form(page, *, first: str = "Amal", last: str = "Haddad", email: str = "amal@example.com", country: str = "GB") -> None:
    page.get_by_label("First name", exact=True).fill(first)
    page.get_by_label("Last name", exact=True).fill(last)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Country", exact=True).select_option(country)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_supporter_reads_acts_and_copies_the_share_link(visit, viewport, settings):
    settings.OUTCRY_COUNTER_POLL_MS = 250  # the page's count may be a cached second old; the poll catches up
    v = visit(viewport)
    v.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=v.base_url)
    page = v.page
    v.goto(LIBYA)
    expect(page.locator("h1")).to_have_text("Demand Libya stop the detention and sale of migrants")
    expect(page.locator(".letter")).to_contain_text("Dear Prime Minister of Libya")
    v.shot("read")
    fill_form(page)
    expect(page.locator("[data-signature]")).to_have_text("Amal Haddad")  # the letter signs as they type
    v.shot("form filled")
    page.get_by_role("button", name="Send the letter").click()
    page.wait_for_url(f"**{LIBYA}thanks/")
    expect(page.locator("h1")).to_have_text("Messages have been sent!")
    expect(page.locator("[data-count]")).to_have_text("1", timeout=15_000)
    v.shot("thank you")
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator(".copied")).to_have_text("Link copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    code = Action.objects.get().referral_code
    assert copied == f"{v.base_url}{LIBYA}?ref={code}&via=copy"
    v.shot("link copied")
    assert v.foreign_requests() == []


def test_the_count_moves_without_a_reload_when_someone_else_acts(visit, settings):
    settings.OUTCRY_COUNTER_POLL_MS = 250
    reader = visit("phone", label="reader")
    reader.goto(KHOMS)
    count = reader.page.locator("[data-count]")
    expect(count).to_have_text("0")
    reader.page.evaluate("window.stillTheSamePage = true")
    reader.shot("before")
    other = visit("desktop", label="other")
    other.goto(KHOMS)
    fill_form(other.page, first="Sara", last="Conti", email="sara@example.com", country="IT")
    other.page.get_by_role("button", name="Write to them now").click()
    other.page.wait_for_url(f"**{KHOMS}thanks/")
    expect(count).to_have_text("1", timeout=15_000)
    assert reader.page.evaluate("window.stillTheSamePage") is True
    reader.shot("after")
    assert reader.foreign_requests() == [] and other.foreign_requests() == []


def test_the_whole_path_works_with_javascript_off(visit):
    v = visit("phone", java_script_enabled=False)
    page = v.page
    v.goto(LIBYA)
    page.get_by_role("button", name="Send the letter").click()  # empty: the server answers with errors
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_have_attribute("aria-invalid", "true")
    v.shot("errors")
    fill_form(page, email="noscript@example.com")
    page.get_by_role("button", name="Send the letter").click()
    page.wait_for_url(f"**{LIBYA}thanks/")
    expect(page.locator("h1")).to_have_text("Messages have been sent!")
    link = page.get_by_label("Copy the link")
    expect(link).to_have_value(f"{v.base_url}{LIBYA}?ref={Action.objects.get().referral_code}&via=copy")
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()  # it needs JavaScript, so it stays out
    v.shot("thank you")
    assert Action.objects.filter(status=Action.Status.COUNTED).count() == 1
    assert v.foreign_requests() == []


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_arabic_page_reads_right_to_left(visit, viewport):
    v = visit(viewport)
    page = v.page
    v.goto("/ar" + LIBYA)
    assert page.evaluate("[document.documentElement.lang, document.dir]") == ["ar", "rtl"]
    assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
    expect(page.locator("h1")).to_have_text("طالِبوا ليبيا بوقف احتجاز المهاجرين وبيعهم")
    text_right, main_right = page.evaluate("""() => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector("h1"));
        return [range.getBoundingClientRect().right, document.querySelector("main").getBoundingClientRect().right];
    }""")
    assert main_right - text_right <= 20, "the heading's text starts at the right edge"
    brand = page.locator(".brand").bounding_box()
    switcher = page.locator(".languages").bounding_box()
    # The organisation's name starts at the right edge (on a phone a long name takes a line of its own).
    assert brand["x"] + brand["width"] >= switcher["x"] + switcher["width"] - 1, "the header is mirrored: the name on the right"
    assert brand["x"] + brand["width"] > page.viewport_size["width"] - 40
    if viewport == "desktop":
        box = page.locator(".action-box").bounding_box()
        story = page.locator(".story").bounding_box()
        assert box["x"] < story["x"], "the action box sits on the left, mirroring the English page"
    label = page.locator("label[for=id_first_name]").bounding_box()
    field = page.locator("#id_first_name").bounding_box()
    assert abs((label["x"] + label["width"]) - (field["x"] + field["width"])) < 2, "labels align to the right"
    v.shot("arabic")
    assert v.foreign_requests() == []


@pytest.mark.parametrize("slug", ["stop-detention-libya", "al-khoms-unhcr"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_demo_campaigns_fit_a_phone_in_english_and_arabic(visit, slug, language):
    """Also writes the phone screenshots the README links to, when OUTCRY_DOCS_SCREENSHOTS=1."""
    v = visit("phone")
    v.goto(f"/{language}/c/{slug}/")
    assert v.page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing scrolls sideways on a phone"
    docs = DOCS / f"phone-{slug}-{language}.png" if os.environ.get("OUTCRY_DOCS_SCREENSHOTS") else None
    v.shot(f"{slug}-{language}", also=docs)
    assert v.foreign_requests() == []


def test_the_page_reads_in_order_with_css_off(visit):
    v = visit("phone")
    page = v.page
    v.goto(LIBYA)
    page.evaluate("for (const sheet of document.styleSheets) sheet.disabled = true")
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "system-ui"  # the stylesheet is off
    order = page.evaluate("""() => ["h1", ".summary", ".action-form", ".story-text", ".letter"].map(
        (selector) => document.querySelector(selector).getBoundingClientRect().top)""")
    assert order == sorted(order), f"title, summary, form, story, letter should read top to bottom: {order}"
    expect(page.locator("h1")).to_be_in_viewport()
    expect(page.get_by_label("Email", exact=True)).to_be_visible()
    v.shot("css off")
