"""The studio's waves, outbox and integrations pages in real Chromium: axe-clean on a phone and a laptop,
the filters a plain GET form and creating a token a plain POST, nothing from another origin. (axe runs
through page.evaluate, which never returns in a context with JavaScript switched off, so the context
keeps it on; none of these pages has a script of its own.)"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from outcry.campaigns.models import Campaign
from outcry.delivery.models import Attempt, Message
from outcry.integrations.models import ApiToken
from outcry.safety.models import WaveAlert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_waves_outbox_and_integrations_are_axe_clean_and_local(visit, viewport):
    campaign = Campaign.objects.filter(organisation__slug="amnesty-demo").first()
    now = timezone.now()
    WaveAlert.objects.create(campaign=campaign, dimension="referred_by", value="abc123", first_seen_at=now, last_seen_at=now, actions=40, usual=1.0)
    target = campaign.targets.first()
    letter = Message.objects.create(campaign=campaign, target=target, kind=Message.Kind.LETTER, status=Message.Status.DEFERRED, attempts=1, last_error="451 try later")
    Attempt.objects.create(message=letter, outcome=Attempt.Outcome.DEFERRED, smtp_code=451, detail="451 try later")
    v = visit(viewport)
    page = v.page
    v.sign_in_to_studio("campaigner", "outcry-demo")
    expect(page.locator("h1")).to_have_text("Amnesty International (demo)")

    page.get_by_role("link", name="Outbox").click()
    page.get_by_label("State").select_option("deferred")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("caption")).to_have_text("1 message")
    assert page.url.endswith("status=deferred") or "status=deferred" in page.url
    assert v.axe_violations() == [], "outbox"
    v.goto(page.locator("table.list tbody a").first.get_attribute("href"))
    expect(page.get_by_text("Temporary failure")).to_be_visible()
    assert v.axe_violations() == [], "outbox message"

    page.get_by_role("link", name="API tokens and webhooks").click()
    assert v.axe_violations() == [], "tokens"
    page.get_by_label("Name").fill("Nightly export")
    page.get_by_role("button", name="Create the token").click()
    secret = page.locator("[data-secret]").input_value()
    assert secret.startswith("outcry_") and ApiToken.objects.get(name="Nightly export").prefix == secret[:12]
    assert v.axe_violations() == [], "token shown once"
    v.goto("/studio/o/amnesty-demo/integrations/?show=webhooks")
    assert v.axe_violations() == [], "webhooks"

    for path in [f"/studio/c/{campaign.pk}/waves/", f"/studio/c/{campaign.pk}/waves/?show=invalidated"]:
        v.goto(path)
        assert v.axe_violations() == [], path
    v.goto(f"/studio/c/{campaign.pk}/waves/")
    v.goto(page.get_by_role("link", name="See how it converted").first.get_attribute("href"))
    expect(page.get_by_role("heading", name="How it converted")).to_be_visible()
    assert v.axe_violations() == [], "wave review"
    v.shot("wave review")
    assert v.foreign_requests() == []
