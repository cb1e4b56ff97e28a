from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign

pytestmark = pytest.mark.django_db


def test_thanks_page_has_share_links_carrying_the_supporters_code(client, campaign, supporter):
    client.post("/c/free-them/", supporter)
    code = Action.objects.get().referral_code
    html = client.get("/c/free-them/thanks/").content.decode()
    for host in ["facebook.com/sharer", "x.com/intent", "wa.me", "t.me/share", "mailto:?"]:
        assert host in html
    assert f"ref%3D{code}%26via%3Dwhatsapp" in html or f"ref={code}&amp;via=whatsapp" in html
    assert f"?ref={code}&amp;via=copy" in html
    assert "<script src=\"http" not in html


def test_action_through_a_share_records_channel_and_sharer(client, campaign, supporter):
    client.post("/c/free-them/", supporter)
    sharer = Action.objects.get()
    friend = client.__class__()
    # The hidden fields as the page's script fills them from the share link (tests/campaigns/test_attribution.py).
    friend.post("/c/free-them/", supporter | {"email": "friend@example.com", "ref": sharer.referral_code, "via": "whatsapp", "utm_source": "newsletter"})
    action = Action.objects.get(email="friend@example.com")
    assert action.source == Action.Source.WHATSAPP
    assert action.referred_by == sharer.referral_code
    assert action.utm_source == "newsletter"


def test_unknown_channel_and_malformed_code_fall_back_to_direct(client, campaign, supporter):
    client.post("/c/free-them/", supporter | {"via": "evil", "ref": "<script>"})
    action = Action.objects.get()
    assert action.source == Action.Source.DIRECT
    assert action.referred_by == ""


def test_mailto_campaign_offers_a_prefilled_email_to_the_target(client, campaign, supporter):
    campaign.action_kind = Campaign.ActionKind.MAILTO
    campaign.delivery_mode = Campaign.DeliveryMode.MAILTO
    campaign.save()
    client.post("/c/free-them/", supporter)
    html = client.get("/c/free-them/thanks/").content.decode()
    href = html.split('href="mailto:minister@example.org?')[1].split('"')[0]
    query = parse_qs(urlsplit("x:?" + href.replace("&amp;", "&")).query)
    assert query["subject"] == ["Free them"]
    assert query["body"][0].startswith("Dear Minister,")
    assert query["body"][0].endswith("Amal Haddad")
    assert Action.objects.count() == 1
