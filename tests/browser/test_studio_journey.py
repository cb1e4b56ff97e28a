"""A campaigner who is not a superuser, in a real Chromium: invited by the organisation's owner (the email
goes through a real SMTP server), joins, enrols two-factor from the studio, writes in Markdown with a photo
uploaded from the toolbar, previews, fails the checklist, fixes it, goes live, sees a supporter's action
arrive on the dashboard and downloads the hand-in PDF. axe on each page of the way; every studio page is
swept in test_studio_pages.py."""

from __future__ import annotations

import base64
import io
import re
import signal
import subprocess
import time

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from outcry.campaigns.models import Campaign, Membership, Organisation
from outcry.reports.services import refresh_rollups
from tests.browser.test_markdown_toolbar import photo
from tests.delivery.smtp import SMTPServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long pass phrase for Nadia 42"


@pytest.fixture(autouse=True)
def folders(settings, tmp_path):
    """Uploads, image copies and hand-ins in this test's own folders (set before the demo loads its heroes)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OUTCRY_PRIVATE_DIR = tmp_path / "private"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 with mailers.default pointed at it: the worker sends the invitation there."""
    server = SMTPServer().start()
    settings.MAILERS = server.mailers()
    yield server.handler
    server.stop()


def work_the_queue() -> None:
    """What the task worker does between two page loads: run every task queued so far (django-tasks-db's
    own worker, in batch mode), so the invitation is sent and the hand-in built as in production."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", queue_name="*", batch=True, startup_delay=False, reload=False, stdout=io.StringIO())
    finally:
        for number, handler in handlers.items():  # the worker takes them over for its clean stop
            signal.signal(number, handler)


def code_from(key: bytes, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this key now (or that many 30-second steps later)."""
    totp = TOTP(key, drift=steps_ahead)
    totp.time = time.time()
    return f"{totp.token():06d}"


def sign_in(page, username: str, password: str, code: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(code)
    page.get_by_role("button", name="Sign in").click()


def test_an_invited_campaigner_joins_enrols_two_factor_writes_publishes_and_hands_in(visit, smtp, settings, tmp_path):
    settings.OUTCRY_STAFF_2FA = True  # as in production: owners and editors give a code
    amnesty = Organisation.objects.get(slug="amnesty-demo")
    Organisation.objects.filter(pk=amnesty.pk).update(privacy_url="https://www.example.org/amnesty/privacy")
    owner = User.objects.get(username="campaigner")
    assert not owner.is_superuser and not owner.is_staff
    owner_key = TOTPDevice.objects.create(user=owner, name="studio", confirmed=True).bin_key
    checked: list[str] = []

    def axe_clean(visitor, step: str) -> None:
        assert visitor.axe_violations() == [], step
        checked.append(step)

    # The owner invites a colleague by email.
    boss = visit("desktop", label="owner")
    boss.goto("/studio/")
    boss.page.wait_for_url("**/studio/login/**")
    sign_in(boss.page, "campaigner", "outcry-demo", code_from(owner_key))
    expect(boss.page.locator("h1")).to_have_text("Amnesty International (demo)")
    boss.page.get_by_role("link", name="Team").click()
    boss.page.get_by_label("Email address").fill("nadia@example.org")
    boss.page.locator("#id_role").select_option("editor")
    boss.page.get_by_role("button", name="Send the invitation").click()
    expect(boss.page.locator(".messages")).to_contain_text("The invitation is on its way to nadia@example.org.")
    expect(boss.page.locator("main")).to_contain_text("nadia@example.org: Editor")
    axe_clean(boss, "team")

    assert smtp.to("nadia@example.org") == []  # nothing leaves in the request; the worker sends it
    work_the_queue()
    [invitation] = smtp.to("nadia@example.org")
    assert "Amnesty International (demo)" in invitation.message["Subject"]
    link = re.search(r"http://\S+/studio/invitation/\S+/", invitation.message.get_content()).group(0)
    assert link.startswith(settings.SITE_URL)

    # Nadia opens the link, creates her account and joins; the site sends her to enrol two-factor first.
    v = visit("desktop")
    page = v.page
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Join Amnesty International (demo)")
    expect(page.locator("main")).to_contain_text("You are invited as: Editor (also writes, previews and publishes).")
    axe_clean(v, "invitation")
    page.get_by_label("Username").fill("nadia")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create my account and join").click()
    page.wait_for_url("**/studio/two-factor/**")
    nadia = User.objects.get(username="nadia")
    assert nadia.email == "nadia@example.org" and not nadia.is_superuser and not nadia.is_staff
    assert Membership.objects.get(user=nadia, organisation=amnesty).role == Membership.Role.EDITOR

    # Two-factor from the studio: the QR code is drawn here, and the key is written out for typing by hand.
    expect(page.locator("svg.qr")).to_be_visible()
    axe_clean(v, "two-factor enrolment")
    key = base64.b32decode(page.locator(".qr-figure figcaption code").inner_text().replace(" ", ""))
    page.get_by_label("The 6-digit code your app shows").fill(code_from(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator("h2")).to_have_text("Your recovery codes")
    recovery_codes = page.locator(".codes li").all_inner_texts()
    assert len(recovery_codes) == 10 and len(set(recovery_codes)) == 10
    axe_clean(v, "recovery codes")
    page.get_by_role("link", name="Continue to the studio").click()
    expect(page.locator("h1")).to_have_text("Amnesty International (demo)")
    expect(page.locator("main")).to_contain_text("Your role: Editor")

    # Signing in again takes the password and a code. The code just used to enrol is never accepted twice,
    # so the app's next code is typed (the server allows one step either side of its clock).
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/studio/login/**")
    v.goto("/studio/")
    sign_in(page, "nadia", PASSWORD, code_from(key, steps_ahead=1))
    expect(page.locator("h1")).to_have_text("Amnesty International (demo)")
    axe_clean(v, "campaign list")

    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Title").fill("Release the students")
    page.get_by_label("Slug").fill("release-the-students")
    page.get_by_label("Action").select_option("petition")
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url("**/edit/")
    axe_clean(v, "editor")

    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Go live").click()
    expect(page.locator(".problems")).to_contain_text("Write the story.")
    axe_clean(v, "checklist refused")
    assert Campaign.objects.get(slug="release-the-students").status == "draft"

    page.get_by_role("link", name="Write").click()
    page.locator("#id_summary").fill("Twelve students are held for a protest.")
    story = page.locator("#id_story")
    story.fill("They were arrested **at dawn**.\n\nRead the report: <https://www.example.org/report>")
    # The live preview (studio/js/editor.js) shows the Markdown rendered by the server while typing.
    expect(page.locator("[data-story-preview] strong")).to_have_text("at dawn")
    # A photo in the story: the toolbar's Image button uploads it with its description and inserts the Markdown.
    story.press("End")
    page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Image").click()
    dialog = page.get_by_role("dialog", name="Insert an image")
    dialog.get_by_label("Description (alt text)").fill("Students outside the court")
    dialog.get_by_label("Image (JPEG, PNG or WebP)").set_input_files({"name": "court.jpg", "mimeType": "image/jpeg", "buffer": photo()})
    axe_clean(v, "image dialog")
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(dialog).to_be_hidden()
    expect(story).to_have_value(re.compile(r"\n\n!\[Students outside the court\]\(/media/story/[0-9a-f]+\.webp\)$"))
    work_the_queue()  # the worker makes the image's copies; the live preview asks again until they are there
    expect(page.locator("[data-story-preview] img")).to_have_attribute("alt", "Students outside the court", timeout=15_000)
    page.locator("#id_goal").fill("500")
    page.get_by_role("button", name="Show the story").click()
    expect(page.locator("[data-story-preview] strong")).to_have_text("at dawn")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved.")

    page.get_by_role("link", name="Overview").click()
    axe_clean(v, "overview")
    preview = page.locator("#preview-url").input_value()
    colleague = visit("phone", label="colleague")  # no account, no session
    colleague.page.goto(preview)
    expect(colleague.page.locator("h1")).to_have_text("Release the students")
    expect(colleague.page.locator(".story-text strong")).to_have_text("at dawn")
    expect(colleague.page.locator(".story-text img")).to_have_attribute("alt", "Students outside the court")
    colleague.page.wait_for_function("() => { const i = document.querySelector('.story-text img'); return i && i.complete && i.naturalWidth > 0; }")
    colleague.shot("preview")
    axe_clean(colleague, "preview")

    page.get_by_role("button", name="Go live").click()
    expect(page.locator(".messages")).to_contain_text("The campaign is live.")

    supporter = visit("phone", label="supporter")
    supporter.goto("/c/release-the-students/")
    expect(supporter.page.locator(".story-text img")).to_have_attribute("alt", "Students outside the court")
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
    axe_clean(v, "dashboard")

    # The hand-in: asked for here, built by the worker, downloaded as a PDF with the title and the signer.
    page.get_by_role("button", name="Build the hand-in PDF").click()
    expect(page.locator(".messages")).to_contain_text("The hand-in document is being built")
    work_the_queue()
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    assert pdf.name.startswith("release-the-students-hand-in-") and pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Release the students" in text and "Amal Haddad" in text

    page.get_by_role("link", name="Updates").click()
    axe_clean(v, "updates")
    assert len(checked) == 12
    assert [] == v.foreign_requests() == boss.foreign_requests() == supporter.foreign_requests() == colleague.foreign_requests()
