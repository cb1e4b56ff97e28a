"""The studio's Markdown toolbar in a real Chromium: keyboard only, it makes a word bold; its Image button
uploads a photo with its description and inserts the Markdown at the cursor; once the worker has made the
copies, the live preview shows the image (our own /media/ address, nothing from another origin). axe on
the editor, with the dialog open and after."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from outcry.campaigns.models import Organisation, StoryImage
from outcry.campaigns.services import create_draft
from outcry.campaigns.story_images import build_story_image, delete_story_image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1400, 800), (30, 110, 180)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_toolbar_makes_bold_and_inserts_an_uploaded_image_that_the_preview_shows(visit):
    draft = create_draft(
        organisation=Organisation.objects.get(slug="amnesty-demo"), title="Release the students",
        slug="release-the-students", action_kind="petition", language="en",
    )
    v = visit("desktop")
    page = v.page
    v.sign_in_to_studio("campaigner", "outcry-demo")
    expect(page.locator("h1")).to_have_text("Amnesty International (demo)")
    v.goto(f"/studio/c/{draft.pk}/edit/")

    toolbar = page.get_by_role("toolbar", name="Formatting")
    expect(toolbar).to_be_visible()
    story = page.locator("#id_story")
    story.fill("They were arrested at dawn")
    story.press("Control+Shift+ArrowLeft")  # "dawn" chosen with the keyboard
    # One tab stop for the whole toolbar, arrows within it; Enter presses a button.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    while page.evaluate("document.activeElement.closest('[role=toolbar]') === null"):
        page.keyboard.press("Tab")
    expect(toolbar.get_by_role("button", name="Bold")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Italic")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    expect(story).to_have_value("They were arrested at **dawn**")
    expect(page.locator("[data-story-preview] strong")).to_have_text("dawn")
    assert v.axe_violations() == [], "editor"

    story.press("End")
    toolbar.get_by_role("button", name="Image").click()
    dialog = page.get_by_role("dialog", name="Insert an image")
    expect(dialog).to_be_visible()
    assert v.axe_violations() == [], "image dialog"
    dialog.get_by_label("Description (alt text)").fill("Students outside the court")
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(dialog.get_by_role("alert")).not_to_be_empty()  # the file is required
    dialog.get_by_label("Image (JPEG, PNG or WebP)").set_input_files(
        {"name": "court.jpg", "mimeType": "image/jpeg", "buffer": photo()},
    )
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(dialog).to_be_hidden()
    image = StoryImage.objects.get(campaign=draft)
    try:
        expect(story).to_have_value(f"They were arrested at **dawn**\n\n![Students outside the court](/media/story/{image.key}.webp)")
        expect(toolbar.get_by_role("button", name="Image")).to_be_focused()
        expect(page.locator("[data-story-preview]")).to_contain_text("Students outside the court")  # being prepared

        assert build_story_image(image.pk) == StoryImage.State.READY  # the worker's turn
        shown = page.locator("[data-story-preview] img")
        expect(shown).to_have_attribute("src", f"/media/story/{image.key}.webp", timeout=15_000)
        expect(shown).to_have_attribute("alt", "Students outside the court")
        expect(shown).to_have_attribute("loading", "lazy")
        assert "480w" in shown.get_attribute("srcset")
        page.wait_for_function("() => { const i = document.querySelector('[data-story-preview] img'); return i && i.complete && i.naturalWidth > 0; }")
        v.shot("story with an image")
        assert v.axe_violations() == [], "editor with the image"
        assert v.foreign_requests() == []

        page.locator("#id_summary").fill("Twelve students are held for a protest.")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messages")).to_contain_text("Saved.")
        draft.refresh_from_db()
        assert f"![Students outside the court](/media/story/{image.key}.webp)" in draft.story
    finally:
        delete_story_image(image)
