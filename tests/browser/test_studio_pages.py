"""axe-core on every studio page (and, on a phone, nothing wider than the screen), in a real Chromium, as an organisation's owner (not a superuser) whose
organisation has something on each page: supporters, a held action, waves found and invalidated, a
hand-in, updates, an open invitation, spike-control changes, translations, a draft with its preview.

Which pages were checked is read from the addresses the browser ended on, and compared with the
studio's URL names: a new studio page fails this test until it is swept here, or listed in NOT_PAGES
with the reason it is not a page.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.urls import resolve
from django.utils import timezone
from playwright.sync_api import expect

from outcry.actions.services import ActionData, take_action
from outcry.campaigns.models import Campaign, CampaignUpdate, Membership, Organisation
from outcry.campaigns.services import duplicate_campaign
from outcry.campaigns.story_images import add_story_image, build_story_image
from outcry.integrations.models import Webhook
from outcry.integrations.services import create_api_token, new_webhook_secret
from outcry.lib.hashing import hash_ip
from outcry.reports.handin import build_hand_in
from outcry.reports.models import HandIn
from outcry.reports.services import refresh_rollups
from outcry.safety import services as safety
from outcry.safety.controls import block_hashed_network
from outcry.safety.models import Wave, WaveAlert
from outcry.safety.velocity import find_bursts
from outcry.studio.previews import preview_url
from outcry.studio.services import invite, invite_token
from outcry.studio.urls import urlpatterns
from tests.browser.conftest import Visit
from tests.browser.test_markdown_toolbar import photo
from tests.browser.test_small_screens import assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
OWNER = ("campaigner", "outcry-demo")

# Studio URL names that are not pages a person reads, and where what they lead to is checked.
NOT_PAGES = {
    "logout": "POST only; leads to the sign-in page",
    "member": "POST only (a role change or a removal); leads to the team page",
    "leave": "POST only; leads to the studio's home",
    "render": "POST only: the editor's live preview, an HTML fragment checked inside the editor",
    "close": "POST only; leads to the campaign's overview",
    "duplicate": "POST only; leads to the new draft's editor",
    "build_hand_in": "POST only; leads to the dashboard",
    "review_held": "POST only; leads to the dashboard",
    "wave_invalidate": "POST only; leads to the waves",
    "wave_block": "POST only; leads to the waves",
    "wave_undo": "POST only; leads to the waves",
    "delete_story_image": "POST only; leads to the story's images",
    "translate_names": "POST only; leads to the translation page (its errors are shown there too)",
    "end_partnership": "POST only; leads to the partners",
    "schedule": "POST only; leads to the campaign's overview",
    "revoke_token": "POST only; leads to the tokens",
    "test_webhook": "POST only; leads to the webhooks",
    "delete_webhook": "POST only; leads to the webhooks",
    "outbox_csv": "a CSV download",
    "hand_in": "a PDF (tests/browser/test_studio_journey.py reads it)",
    "signers_csv": "a CSV download",
    "actions_csv": "a CSV download",
}


@pytest.fixture(autouse=True)
def folders(settings, tmp_path):
    """Uploads, image copies and hand-ins in this test's own folders (set before the demo loads its heroes)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OUTCRY_PRIVATE_DIR = tmp_path / "private"


def studio_url_names() -> set[str]:
    return {pattern.name for pattern in urlpatterns}


def url_name(url: str) -> str:
    path = re.sub(r"^/(fr|ar|it)/", "/", urlsplit(url).path)
    match = resolve(path)
    return match.url_name if match.namespace == "studio" else f"{match.namespace}:{match.url_name}"


def seed(owner: User) -> dict[str, object]:
    """Something in every list of the owner's organisation."""
    amnesty = Organisation.objects.get(slug="amnesty-demo")
    amnesty.privacy_url = "https://www.example.org/amnesty/privacy"
    amnesty.save()
    libya = Campaign.objects.get(slug="stop-detention-libya")
    for name, role in (("nadia", Membership.Role.EDITOR), ("omar", Membership.Role.VIEWER)):
        user = User.objects.create_user(username=name, email=f"{name}@example.org", password="unused-here-1")
        Membership.objects.create(organisation=amnesty, user=user, role=role)
    create_api_token(organisation=amnesty, name="Our CRM", user=owner)
    hook = Webhook(organisation=amnesty, name="CRM sync", url="https://crm.example.org/outcry")
    new_webhook_secret(hook)
    hook.save()
    invitation = invite(organisation=amnesty, email="lina@example.org", role=Membership.Role.EDITOR, invited_by=owner)

    # Supporters: one shared it on, and a dozen came through the share (a referral wave, "now");
    # a dozen from one address (an address wave, invalidated, its network blocked); one held for review.
    sharer = take_action(campaign=libya, data=ActionData(first_name="Amal", last_name="Haddad", email="amal@example.com",
                                                         country="GB", ip="192.0.2.1", consent_updates=True))
    for i in range(12):
        take_action(campaign=libya, data=ActionData(first_name="Fan", last_name=str(i), email=f"fan{i}@mail{i % 3}.example",
                                                    country=["GB", "FR", "IT"][i % 3], ip=f"198.51.100.{i}", ref=sharer.referral_code))
        take_action(campaign=libya, data=ActionData(first_name="Bot", last_name=str(i), email=f"bot{i}@example.net",
                                                    country="LY", ip="203.0.113.7"))
    take_action(campaign=libya, data=ActionData(first_name="Held", last_name="Person", email="held@example.com", country="FR", hold=True))
    bursts = find_bursts([libya])
    by_ip = next(b for b in bursts if b.dimension == Wave.Dimension.IP_HASH)
    safety.invalidate_wave(campaign=libya, dimension=by_ip.dimension, value=by_ip.value, since=by_ip.since,
                           until=by_ip.until, user=owner, reason="one address, a dozen names")
    block_hashed_network(campaign=libya, ip_hash=hash_ip("203.0.113.7"), user=owner, reason="the same address again")
    now = timezone.now()
    WaveAlert.objects.create(campaign=libya, dimension=Wave.Dimension.COUNTRY, value="LY", first_seen_at=now - timedelta(minutes=20),
                             last_seen_at=now - timedelta(minutes=5), actions=13, usual=1.0)
    assert any(b.dimension == Wave.Dimension.REFERRAL for b in bursts)  # listed as a wave "now"

    refresh_rollups(libya.pk)  # the dashboard's breakdowns
    hand_in = HandIn.objects.create(campaign=libya, requested_by=owner)
    build_hand_in(str(hand_in.pk))
    draft_update = CampaignUpdate.objects.create(campaign=libya, title="The minister answered", body="She wrote **back**.")
    image = add_story_image(campaign=libya, file=io.BytesIO(photo()), alt="Students outside the court", user=owner)
    build_story_image(image.pk)
    draft = duplicate_campaign(libya)
    Campaign.objects.filter(pk=draft.pk).update(story="")  # so the checklist refuses it
    return {
        "libya": libya, "draft": draft, "update": draft_update, "sent_update": libya.updates.exclude(pk=draft_update.pk).first(),
        "invitation": invite_token(invitation), "image": image, "preview": preview_url(draft),
    }


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_every_studio_page_is_axe_clean_and_local(visit, viewport, settings):
    settings.OUTCRY_VELOCITY_MIN_ACTIONS = 10
    owner = User.objects.get(username=OWNER[0])
    assert not owner.is_superuser and not owner.is_staff
    world = seed(owner)
    libya, draft = world["libya"], world["draft"]
    checked: dict[str, list[str]] = {}

    def check(v: Visit, path: str | None = None) -> None:
        if path is not None:
            v.goto(path)
        name = url_name(v.page.url)
        assert v.axe_violations() == [], f"{name}: {v.page.url}"
        if viewport == "phone":
            assert_fits(v.page, f"{name}: {v.page.url}")  # nothing to scroll sideways to, on a phone
        assert v.foreign_requests() == []
        checked.setdefault(name, []).append(urlsplit(v.page.url).path)

    # Before signing in: the sign-in page, a refused sign-in, an invitation (valid and not), a preview.
    stranger = visit(viewport, label="stranger")
    check(stranger, "/studio/login/")
    stranger.sign_in_to_studio(OWNER[0], "not the password")
    expect(stranger.page.locator(".form-errors")).to_be_visible()
    check(stranger)
    check(stranger, f"/studio/invitation/{world['invitation']}/")
    stranger.page.get_by_role("button", name="Create my account and join").click()  # the form's errors
    expect(stranger.page.locator(".field.invalid").first).to_be_visible()
    check(stranger)
    check(stranger, "/studio/invitation/not-a-real-token/")
    check(stranger, world["preview"])
    with stranger.page.expect_response(lambda response: response.request.method == "POST") as posted:
        stranger.page.locator(".action-form button[type=submit]").last.click()
    assert posted.value.status == 200  # the browser's own POST passes CSRF (it once sent Origin: null)
    expect(stranger.page.locator("main")).to_contain_text("Your action is counted")
    check(stranger)
    check(stranger, "/ar" + world["preview"])

    # Signed in, with no organisation: the studio's home says so.
    User.objects.create_user(username="loner", password="a loner's pass phrase 7")
    loner = visit(viewport, label="loner")
    loner.sign_in_to_studio("loner", "a loner's pass phrase 7")
    check(loner)

    v = visit(viewport)
    page = v.page
    v.sign_in_to_studio(*OWNER)
    expect(page.locator("h1")).to_have_text("Amnesty International (demo)")
    check(v)
    v.shot("campaigns", also=DOCS / f"studio-campaigns-{viewport}.png")
    check(v, "/studio/o/amnesty-demo/?status=draft")
    check(v, "/ar/studio/o/amnesty-demo/")
    check(v, "/studio/o/amnesty-demo/new/")
    page.get_by_role("button", name="Create the draft").click()  # nothing filled in: the errors
    check(v)
    check(v, "/studio/o/amnesty-demo/team/")
    check(v, "/studio/o/amnesty-demo/settings/")
    check(v, "/studio/two-factor/")
    check(v, f"/studio/invitation/{world['invitation']}/")  # signed in: join as oneself
    check(v, "/studio/o/amnesty-demo/partners/")
    check(v, "/studio/o/amnesty-demo/outbox/")
    page.locator("table.list a[href*='/outbox/']").first.click()
    page.wait_for_url("**/outbox/*/")
    check(v)
    check(v, "/studio/o/amnesty-demo/outbox/?status=pending")
    check(v, "/studio/o/amnesty-demo/integrations/")
    page.locator("#id_token-name").fill("Newsletter tool")
    page.get_by_role("button", name="Create the token").click()  # its secret, shown once
    check(v)
    check(v, "/studio/o/amnesty-demo/integrations/?show=webhooks")
    page.locator("#id_webhook-name").fill("Inside")
    page.get_by_role("button", name="Create the webhook").click()  # refused: no address
    expect(page.locator(".field.invalid").first).to_be_visible()
    check(v)

    for campaign in (libya, draft):
        check(v, f"/studio/c/{campaign.pk}/")
        check(v, f"/studio/c/{campaign.pk}/edit/")
        check(v, f"/studio/c/{campaign.pk}/targets/")
        check(v, f"/studio/c/{campaign.pk}/translations/fr/")
        check(v, f"/studio/c/{campaign.pk}/images/")
    check(v, f"/ar/studio/c/{libya.pk}/translations/ar/")
    check(v, f"/studio/c/{libya.pk}/images/?added={world['image'].key}")
    check(v, f"/studio/c/{draft.pk}/")
    page.get_by_role("button", name="Go live").click()  # refused: the draft has no story
    check(v)
    v.goto(f"/studio/c/{libya.pk}/edit/")
    v.shot("editor", also=DOCS / f"studio-editor-{viewport}.png")

    check(v, f"/studio/c/{libya.pk}/dashboard/")
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    v.shot("dashboard", also=DOCS / f"studio-dashboard-{viewport}.png")
    check(v, f"/ar/studio/c/{libya.pk}/dashboard/")
    check(v, f"/studio/c/{libya.pk}/controls/")
    check(v, f"/studio/c/{libya.pk}/waves/")
    check(v, f"/studio/c/{libya.pk}/waves/?show=invalidated")
    page.get_by_role("link", name="See how it converted").first.click()
    page.wait_for_url("**/waves/review/**")
    check(v)
    check(v, f"/studio/c/{libya.pk}/updates/")
    check(v, f"/studio/c/{libya.pk}/updates/{world['update'].pk}/")
    if world["sent_update"] is not None:
        check(v, f"/studio/c/{libya.pk}/updates/{world['sent_update'].pk}/")

    unchecked = studio_url_names() - set(checked) - set(NOT_PAGES)
    assert not unchecked, f"studio pages no browser test checked with axe: {sorted(unchecked)} (sweep them here, or say in NOT_PAGES why not)"
    assert not set(checked) & set(NOT_PAGES), "a page listed as not a page was shown"
    assert set(NOT_PAGES) <= studio_url_names(), "NOT_PAGES names a URL the studio no longer has"
