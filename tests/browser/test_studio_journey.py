"""A campaigner who is not a superuser, in a real Chromium: sign in, write in Markdown, preview, fail
the checklist, fix it, go live, and see a supporter's action arrive on the dashboard. axe on each
studio page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from outcry.campaigns.models import Campaign, Organisation
from outcry.reports.services import refresh_rollups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_campaigner_writes_previews_publishes_and_sees_an_action(visit):
    Organisation.objects.filter(slug="amnesty-demo").update(privacy_url="https://www.example.org/amnesty/privacy")
    v = visit("desktop")
    page = v.page
    checked: list[str] = []

    def axe_clean(step: str) -> None:
        assert v.axe_violations() == [], step
        checked.append(step)

    v.goto("/studio/")
    page.wait_for_url("**/studio/login/**")
    axe_clean("login")
    page.get_by_label("Username").fill("campaigner")
    page.get_by_label("Password").fill("outcry-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Amnesty International (demo)")
    axe_clean("campaign list")

    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Title").fill("Release the students")
    page.get_by_label("Slug").fill("release-the-students")
    page.get_by_label("Action").select_option("petition")
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url("**/edit/")
    axe_clean("editor")

    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Go live").click()
    expect(page.locator(".problems")).to_contain_text("Write the story.")
    axe_clean("checklist refused")
    assert Campaign.objects.get(slug="release-the-students").status == "draft"

    page.get_by_role("link", name="Write").click()
    page.locator("#id_summary").fill("Twelve students are held for a protest.")
    page.locator("#id_story").fill("They were arrested **at dawn**.\n\nRead the report: <https://www.example.org/report>")
    # The live preview (studio/js/editor.js) shows the Markdown rendered by the server while typing.
    expect(page.locator("[data-story-preview] strong")).to_have_text("at dawn")
    page.locator("#id_goal").fill("500")
    page.get_by_role("button", name="Show the story").click()
    expect(page.locator("[data-story-preview] strong")).to_have_text("at dawn")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved.")

    page.get_by_role("link", name="Overview").click()
    axe_clean("overview")
    preview = page.locator("#preview-url").input_value()
    colleague = visit("phone", label="colleague")  # no account, no session
    colleague.page.goto(preview)
    expect(colleague.page.locator("h1")).to_have_text("Release the students")
    expect(colleague.page.locator(".story-text strong")).to_have_text("at dawn")
    colleague.shot("preview")
    assert colleague.axe_violations() == []

    page.get_by_role("button", name="Go live").click()
    expect(page.locator(".messages")).to_contain_text("The campaign is live.")

    supporter = visit("phone", label="supporter")
    supporter.goto("/c/release-the-students/")
    supporter.page.get_by_label("First name", exact=True).fill("Amal")
    supporter.page.get_by_label("Last name", exact=True).fill("Haddad")
    supporter.page.get_by_label("Email", exact=True).fill("amal@example.com")
    supporter.page.get_by_label("Country", exact=True).select_option("GB")
    supporter.page.locator(".action-form button[type=submit]").last.click()
    supporter.page.wait_for_url("**/thanks/")

    refresh_rollups(Campaign.objects.get(slug="release-the-students").pk)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("[data-live-count]")).to_have_text("1")
    expect(page.locator("[data-as-of]")).to_contain_text("1 counted then, and 0 more counted since")
    v.shot("dashboard")
    axe_clean("dashboard")
    page.get_by_role("link", name="Updates").click()
    axe_clean("updates")
    assert v.foreign_requests() == [] and supporter.foreign_requests() == []


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_every_studio_page_is_axe_clean_and_local(visit, viewport):
    campaign = Campaign.objects.filter(organisation__slug="amnesty-demo").first()
    update = campaign.updates.first()
    v = visit(viewport)
    page = v.page
    v.goto("/studio/login/")
    page.get_by_label("Username").fill("campaigner")
    page.get_by_label("Password").fill("outcry-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Amnesty International (demo)")
    v.shot("campaigns", also=DOCS / f"studio-campaigns-{viewport}.png")
    paths = [
        f"/studio/c/{campaign.pk}/", f"/studio/c/{campaign.pk}/edit/", f"/studio/c/{campaign.pk}/targets/",
        f"/studio/c/{campaign.pk}/translations/fr/", f"/studio/c/{campaign.pk}/dashboard/",
        f"/studio/c/{campaign.pk}/updates/", "/studio/o/amnesty-demo/team/", "/studio/o/amnesty-demo/settings/", "/studio/two-factor/",
        "/studio/o/amnesty-demo/new/", "/ar/studio/o/amnesty-demo/",
    ]
    if update is not None:
        paths.append(f"/studio/c/{campaign.pk}/updates/{update.pk}/")
    for path in paths:
        v.goto(path)
        assert v.axe_violations() == [], path
    v.goto(f"/studio/c/{campaign.pk}/edit/")
    v.shot("editor", also=DOCS / f"studio-editor-{viewport}.png")
    v.goto(f"/studio/c/{campaign.pk}/dashboard/")
    v.shot("dashboard", also=DOCS / f"studio-dashboard-{viewport}.png")
    assert v.foreign_requests() == []
