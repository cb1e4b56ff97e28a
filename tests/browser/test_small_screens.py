"""Every public page fits a 320 px wide phone without scrolling sideways (issue 18.7)."""

from __future__ import annotations

import pytest

from tests.browser.test_supporter_path import KHOMS, LIBYA, fill_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
PAGES = [
    "/", "/ar/", LIBYA, "/ar" + LIBYA, KHOMS, "/ar" + KHOMS, "/fr" + KHOMS,
    LIBYA + "integrity/", "/ar" + LIBYA + "integrity/", KHOMS + "integrity/", LIBYA + "embed/", "/ar" + LIBYA + "embed/",
    LIBYA + "thanks/", LIBYA + "confirm/resend/", "/c/no-such-campaign/",
]

# Wider than the viewport: the page's own width, and the elements that stick out (for the message).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 1 || box.left < -1) && getComputedStyle(el).position !== 'fixed';
  }).slice(-6).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' ' + Math.round(el.getBoundingClientRect().width));
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


def assert_fits(page, what: str) -> None:
    seen = page.evaluate(OVERFLOW)
    assert seen["scroll"] <= seen["width"], f"{what}: {seen['scroll']} px wide on a {seen['width']} px screen: {seen['wide']}"


def test_every_public_page_fits_320_px(browser, demo):
    context = browser.new_context(**NARROW)
    page = context.new_page()
    try:
        for path in PAGES:
            page.goto(demo + path)
            assert_fits(page, path)
        for language, campaign in [("", LIBYA), ("/ar", KHOMS)]:
            page.goto(demo + language + campaign)
            fill_form(page, email=f"narrow{language.strip('/')}@example.com", country="IT") if not language else _fill_by_id(page)
            page.locator(".action-form button[type=submit]").click()
            page.wait_for_url(f"**{campaign}thanks/")
            assert_fits(page, f"{language}{campaign}thanks/ after acting")
    finally:
        context.close()


def _fill_by_id(page) -> None:
    page.locator("#id_first_name").fill("أمل")
    page.locator("#id_last_name").fill("حداد")
    page.locator("#id_email").fill("narrow-ar@example.com")
    page.locator("#id_country").select_option("EG")
