"""Issue 18 in a real Chromium: what a supporter on a phone sees of the page's look."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from outcry.actions import counting
from outcry.campaigns.models import Campaign
from outcry.lib.shared_cache import bump_campaign_version
from tests.browser.test_supporter_path import LIBYA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def filled(png: bytes, colour: tuple[int, int, int]) -> float:
    """The share of the image in the bar's fill colour (give or take antialiasing)."""
    with Image.open(io.BytesIO(png)) as image:
        pixels = list(image.convert("RGB").get_flattened_data())
    return sum(1 for pixel in pixels if sum(abs(a - b) for a, b in zip(pixel, colour, strict=True)) < 40) / len(pixels)


def accent(page) -> tuple[int, int, int]:
    """The fill colour: the organisation's brand colour where it has one, else Outcry's accent."""
    value = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()")
    return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))


def test_progress_bar_is_visible_from_the_first_action(visit):
    libya = Campaign.objects.get(slug="stop-detention-libya")
    assert libya.goal == 15000
    assert counting.get_count(libya.pk, cached=False) == 0
    v = visit("phone")
    v.goto(LIBYA)
    assert filled(v.page.locator("progress").screenshot(), accent(v.page)) == 0  # nothing yet, nothing drawn

    counting.add_to_count(libya.pk, 1)
    counting.forget_cached_count(libya.pk)
    bump_campaign_version([libya.slug])
    v = visit("phone", label="one")
    v.goto(LIBYA)
    bar = v.page.locator("progress")
    expect(bar).to_have_attribute("value", "1")
    expect(v.page.locator("[data-goal-text]")).to_have_text("Next milestone: 10 · Goal: 15,000")
    # One action of a 15,000 goal is a tenth of the first milestone: about that much of the bar is filled.
    assert filled(bar.screenshot(), accent(v.page)) > 0.07
    assert v.axe_violations() == []


@pytest.mark.parametrize(("locale", "country"), [("ar", ""), ("ar-EG", "EG")])
def test_the_country_is_guessed_only_from_a_region(visit, locale, country):
    v = visit("phone", locale=locale, label=locale)
    v.goto("/ar" + LIBYA)
    select = v.page.locator("#id_country")
    expect(select).to_have_value(country)
    if not country:
        expect(select.locator("option:checked")).to_have_text("اختر بلدك")  # the prompt, not a guess
    # In the page's collation: الإمارات near the top, not where "United Arab Emirates" sorts in English.
    codes = select.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert codes.index("AE") < 30


def test_the_campaign_page_shares_through_icons_the_phones_sheet_and_a_copied_link(visit):
    v = visit("phone")
    v.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=v.base_url)
    # A phone with a share sheet: record what the page hands it.
    v.context.add_init_script("navigator.share = (data) => { window.__shared = data; return Promise.resolve(); };")
    page = v.page
    v.goto(LIBYA + "?ref=someone&via=x")
    share = page.locator("section.share")
    whatsapp = share.locator("a.share-whatsapp")
    expect(whatsapp).to_be_visible()
    # The icon is drawn (from our own sprite) in the button's text colour, on the network's own green.
    icon = whatsapp.locator("svg.icon")
    assert icon.bounding_box()["width"] >= 18
    colours = whatsapp.evaluate("a => [getComputedStyle(a).backgroundColor, getComputedStyle(a).color]")
    assert colours == ["rgb(37, 211, 102)", "rgb(0, 0, 0)"]
    with Image.open(io.BytesIO(icon.screenshot())) as drawn:
        assert sum(1 for r, g, b in drawn.convert("RGB").get_flattened_data() if r + g + b < 120) > 50
    native = share.get_by_role("button", name="Share…")
    expect(native).to_be_visible()
    native.click()
    shared = page.evaluate("window.__shared")
    assert shared["url"].endswith(f"{LIBYA}?via=native") and shared["title"] and shared["text"]
    share.get_by_role("button", name="Copy link").click()
    expect(share.locator("[data-copied-text]")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"{LIBYA}?via=copy")
    v.shot("share on the campaign page")
    assert v.axe_violations() == []
    assert v.foreign_requests() == []


def test_the_mailto_path_works_without_a_mail_app(visit):
    from tests.browser.test_supporter_path import KHOMS, fill_form

    v = visit("phone")
    v.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=v.base_url)
    page = v.page
    v.goto(KHOMS)
    fill_form(page, first="Sara", last="Conti", email="sara-mailto@example.com", country="IT")
    page.get_by_role("button", name="Write to them now").click()
    page.wait_for_url(f"**{KHOMS}thanks/")
    mailto = page.locator("section.mailto")
    expect(mailto.get_by_label("Address")).to_have_value("unhcr-libya@example.org")
    expect(mailto.get_by_role("link", name="Gmail")).to_have_attribute("href", re.compile(r"^https://mail\.google\.com/mail/\?view=cm&fs=1&to=unhcr-libya%40example\.org"))
    expect(mailto.get_by_role("link", name="Outlook")).to_be_visible()
    mailto.get_by_role("button", name="Copy the address").click()
    expect(mailto.get_by_text("Address copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == "unhcr-libya@example.org"
    mailto.get_by_role("button", name="Copy the message").click()
    expect(mailto.get_by_text("Message copied")).to_be_visible()
    message = page.evaluate("navigator.clipboard.readText()")
    assert message == mailto.get_by_label("Message").input_value() and message.endswith("Sara Conti")
    v.shot("mailto thank you")
    assert v.axe_violations() == []
    assert v.foreign_requests() == []


@pytest.mark.parametrize("path", [LIBYA, "/ar/c/al-khoms-unhcr/"])
def test_the_demo_pages_show_their_organisations_look_and_a_hero_image(visit, path):
    v = visit("phone", label=path.strip("/").replace("/", "-"))
    v.goto(path)
    hero = v.page.locator("figure.hero img")
    expect(hero).to_be_visible()
    assert hero.evaluate("img => img.complete && img.naturalWidth") > 0
    # A phone downloads a small copy, not the 1600 px original.
    assert hero.evaluate("img => img.currentSrc").endswith(("480w.webp", "800w.webp"))
    assert hero.get_attribute("alt")
    expect(v.page.locator("footer.site")).to_contain_text("demo organisation")
    expect(v.page.locator("header.site .brand")).to_contain_text("(demo)")  # the organisation's name, not Outcry
    v.shot("look", full_page=False)
    assert v.axe_violations() == []
    assert v.foreign_requests() == []


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("slug", ["stop-detention-libya", "al-khoms-unhcr"])
def test_demo_thank_you_pages_fit_a_phone_in_english_and_arabic(visit, slug, language):
    """Also writes the thank-you screenshots the README links to, when OUTCRY_DOCS_SCREENSHOTS=1."""
    import os

    from tests.browser.test_supporter_path import DOCS

    v = visit("phone")
    page = v.page
    v.goto(f"/{language}/c/{slug}/")
    page.locator("#id_first_name").fill("Amal" if language == "en" else "أمل")
    page.locator("#id_last_name").fill("Haddad" if language == "en" else "حداد")
    page.locator("#id_email").fill(f"shot-{slug}-{language}@example.com")
    page.locator("#id_country").select_option("GB" if language == "en" else "EG")
    page.locator(".action-form button[type=submit]").click()
    page.wait_for_url(f"**/{language}/c/{slug}/thanks/")
    expect(page.locator(".greeting")).to_contain_text("Amal" if language == "en" else "أمل")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing scrolls sideways on a phone"
    docs = DOCS / f"phone-{slug}-{language}-thanks.png" if os.environ.get("OUTCRY_DOCS_SCREENSHOTS") else None
    v.shot(f"{slug}-{language}-thanks", also=docs)
    assert v.axe_violations() == []
    assert v.foreign_requests() == []
