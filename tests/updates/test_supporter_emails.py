"""The receipt and the confirmation request in the campaign's own words, per language, links always kept."""

from __future__ import annotations

import pytest

from outcry.campaigns.models import Campaign, CampaignTranslation
from outcry.delivery.emails import preview_supporter_email
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db


def worded(campaign: Campaign) -> Campaign:
    campaign.receipt_subject = "Thank you, {first_name}!"
    campaign.receipt_intro = "Dear {first_name},\n\nYou stood up for {campaign}. {not a placeholder}"
    campaign.confirm_subject = "One click left, {first_name}"
    campaign.confirm_intro = "Hello {first_name}, please confirm."
    campaign.save()
    CampaignTranslation.objects.create(
        campaign=campaign, language="fr", receipt_subject="Merci, {first_name} !", receipt_intro="Chère, cher {first_name},",
    )
    return campaign


def test_the_receipt_uses_the_campaigns_words_in_the_supporters_language_and_keeps_the_share_link(smtp, campaign):
    worded(campaign)
    act(campaign, "Amal", "Haddad")
    act(campaign, "Jean", "Dupont", language="fr")
    send_due()
    receipts = {r.rcpt_tos[0]: r.message for r in smtp.handler.received if "Merci" in r.message["Subject"] or "Thank you" in r.message["Subject"]}
    english = receipts["amal.haddad@example.com"]
    assert english["Subject"] == "Thank you, Amal!"
    text = english.get_body(("plain",)).get_content()
    assert text.startswith("Dear Amal,\n\nYou stood up for Free them now. {not a placeholder}")
    assert "ref=" in text  # the share link Outcry always adds
    french = receipts["jean.dupont@example.com"]
    assert french["Subject"] == "Merci, Jean !"
    assert french.get_body(("plain",)).get_content().startswith("Chère, cher Jean,")


def test_the_confirmation_request_keeps_its_link_whatever_the_wording(smtp, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(double_opt_in=True)
    campaign.refresh_from_db()
    worded(campaign)
    act(campaign, "Amal", "Haddad")
    send_due()
    [confirm] = [r.message for r in smtp.handler.received if r.message["Subject"] == "One click left, Amal"]
    text = confirm.get_body(("plain",)).get_content()
    assert text.startswith("Hello Amal, please confirm.") and "/confirm/" in text


def test_a_campaign_without_its_own_wording_keeps_outcrys(campaign):
    email = preview_supporter_email(campaign, Message.Kind.RECEIPT)
    assert email.subject == "Thank you for taking action: Free them now"
    assert email.body.startswith("Dear Amal,")
    assert not Message.objects.exists()  # a preview saves nothing


def test_a_subject_cannot_carry_a_header_line(campaign):
    campaign.receipt_subject = "Hi {first_name}\r\nBcc: victim@example.org"
    campaign.save()
    email = preview_supporter_email(campaign, Message.Kind.RECEIPT)
    assert "\n" not in email.subject and "\r" not in email.subject
