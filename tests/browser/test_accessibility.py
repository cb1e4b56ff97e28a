"""axe-core finds no serious or critical WCAG violation on the public pages, and a keyboard alone gets through."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_supporter_path import LIBYA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/", "/ar/", LIBYA, "/ar" + LIBYA, "/c/al-khoms-unhcr/", "/ar/c/al-khoms-unhcr/", "/fr/c/al-khoms-unhcr/",
    "/c/no-such-campaign/", LIBYA + "integrity/", "/ar" + LIBYA + "integrity/", LIBYA + "embed/",
]


def assert_no_violations(v, what: str) -> None:
    violations = v.axe_violations()
    assert violations == [], f"{what}: {violations}"


def test_axe_reports_a_planted_violation(visit):
    """The check below would catch a real problem: the same page with an unlabelled field fails it."""
    v = visit("phone")
    v.goto(LIBYA)
    v.page.evaluate("document.querySelector('label[for=id_email]').remove()")
    assert "label" in [violation["id"] for violation in v.axe_violations()]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("path", PAGES)
def test_public_pages_have_no_serious_accessibility_violations(visit, viewport, path):
    v = visit(viewport)
    v.goto(path)
    assert_no_violations(v, path)
    assert v.foreign_requests() == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_error_state_and_thank_you_have_no_serious_accessibility_violations(visit, language):
    v = visit("phone")
    page = v.page
    v.goto(f"/{language}{LIBYA}")
    page.locator(".action-form button[type=submit]").click()
    expect(page.locator("#form-errors")).to_be_focused()  # announced first, then each field says what is wrong
    assert_no_violations(v, "the form with errors")
    v.shot("errors")
    page.locator("#id_first_name").fill("Amal")
    page.locator("#id_last_name").fill("Haddad")
    page.locator("#id_email").fill(f"amal-{language}@example.com")
    page.locator("#id_country").select_option("LY")
    page.locator(".action-form button[type=submit]").click()
    page.wait_for_url(f"**/{language}{LIBYA}thanks/")
    assert_no_violations(v, "the thank-you page")
    v.shot("thank you")
    assert v.foreign_requests() == []


def test_a_keyboard_alone_reaches_the_thank_you_page_with_focus_always_visible(visit):
    v = visit("desktop")
    page = v.page
    v.goto(LIBYA)
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    expect(page.locator(".skip")).to_be_in_viewport()
    page.keyboard.press("Enter")  # skip the header and its language links
    reached = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {id: el.id, tag: el.tagName, outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
        }""")
        assert focused["outline"] != "none" and focused["width"] >= 2, f"focus is invisible on {focused}"
        reached.append(focused["id"])
        if focused["id"] == "id_first_name":
            break
    assert reached[-1] == "id_first_name", f"the form was not reached by Tab: {reached}"
    page.keyboard.type("Amal")
    page.keyboard.press("Tab")
    page.keyboard.type("Haddad")
    page.keyboard.press("Tab")
    page.keyboard.type("keyboard@example.com")
    page.keyboard.press("Tab")
    expect(page.locator("#id_country")).to_be_focused()
    page.keyboard.type("Libya")  # a focused select picks the option typed
    expect(page.locator("#id_country")).to_have_value("LY")
    v.shot("filled by keyboard")
    page.locator("#id_email").press("Enter")  # Enter in a field submits the form
    page.wait_for_url(f"**{LIBYA}thanks/")
    expect(page.locator("h1")).to_have_text("Messages have been sent!")
    v.shot("thank you")
