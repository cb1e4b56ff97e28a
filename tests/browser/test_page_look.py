"""Issue 18 in a real Chromium: what a supporter on a phone sees of the page's look."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from outcry.actions import counting
from outcry.campaigns.models import Campaign
from outcry.lib.shared_cache import bump_campaign_version
from tests.browser.test_supporter_path import LIBYA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def filled(png: bytes) -> float:
    """The share of the image in the bar's fill colour (the accent, #b3261e, give or take antialiasing)."""
    with Image.open(io.BytesIO(png)) as image:
        pixels = list(image.convert("RGB").get_flattened_data())
    return sum(1 for r, g, b in pixels if r > 140 and g < 80 and b < 80) / len(pixels)


def test_progress_bar_is_visible_from_the_first_action(visit):
    libya = Campaign.objects.get(slug="stop-detention-libya")
    assert libya.goal == 15000
    assert counting.get_count(libya.pk, cached=False) == 0
    v = visit("phone")
    v.goto(LIBYA)
    assert filled(v.page.locator("progress").screenshot()) == 0  # nothing yet, nothing drawn

    counting.add_to_count(libya.pk, 1)
    counting.forget_cached_count(libya.pk)
    bump_campaign_version([libya.slug])
    v = visit("phone", label="one")
    v.goto(LIBYA)
    bar = v.page.locator("progress")
    expect(bar).to_have_attribute("value", "1")
    expect(v.page.locator("[data-goal-text]")).to_have_text("Next milestone: 10 · Goal: 15,000")
    # One action of a 15,000 goal is a tenth of the first milestone: about that much of the bar is filled.
    assert filled(bar.screenshot()) > 0.07
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
