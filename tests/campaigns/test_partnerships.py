"""Partnerships: a one-click link from one organisation's email to another's campaign, only when both agreed."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from outcry.actions.links import return_token
from outcry.actions.models import Action
from outcry.campaigns import partners
from outcry.campaigns.models import Campaign, Membership, Organisation, Partnership
from outcry.delivery.emails import build_email
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due
from tests.delivery.conftest import act
from tests.delivery.smtp import SMTPServer
from tests.updates.test_return_and_outcome import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings):
    """A real SMTP server on 127.0.0.1, and mailers.default pointed at it."""
    server = SMTPServer().start()
    settings.MAILERS = server.mailers()
    yield server
    server.stop()


@pytest.fixture
def theirs(campaign) -> Campaign:
    """A live campaign of another organisation, named as the follow-up of ours."""
    other = Campaign.objects.create(
        organisation=Organisation.objects.create(name="Friends of the Coast", slug="friends"), slug="their-ask",
        title="Their ask", summary="x", status=Campaign.Status.LIVE,
    )
    Campaign.objects.filter(pk=campaign.pk).update(follow_up_campaign=other)
    return other


def prefilled(client, url: str) -> str:
    return client.get(url).content.decode()


def test_the_demo_receipt_of_a_libya_action_carries_a_one_click_link_to_al_khoms_that_fills_the_form(
    client, sink, django_capture_on_commit_callbacks
):
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # idempotent: still one current side each
    assert Partnership.objects.filter(ended_at__isnull=True).count() == 2
    libya, al_khoms = Campaign.objects.get(slug="stop-detention-libya"), Campaign.objects.get(slug="al-khoms-unhcr")
    assert libya.organisation_id != al_khoms.organisation_id and libya.follow_up_campaign == al_khoms

    supporter = {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "country": "GB"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/c/stop-detention-libya/", supporter).status_code == 303
    send_due()
    [receipt] = [r for r in sink.handler.to("jane@example.com")]
    text = receipt.message.get_body(("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/c/al-khoms-unhcr/r/[^/\s]+/)", text).group(1)
    assert "jane" not in link.lower() and "doe" not in link.lower()
    assert "Care4Calais" in text  # the email says whose campaign it is

    page = prefilled(client, link)
    assert 'value="Jane"' in page and 'value="jane@example.com"' in page and "Not you?" in page
    assert "This is a campaign of Care4Calais" in page and "receives them only if you act here" in page
    # Opening the link gave the partner nothing: no action, no message on its side.
    assert not Action.objects.filter(campaign=al_khoms).exists()
    assert not Message.objects.filter(campaign=al_khoms).exists()
    # "Not you?" is the ordinary page, with nobody's details.
    plain = client.get("/c/al-khoms-unhcr/").content.decode()
    assert "jane@example.com" not in plain and 'value="Jane"' not in plain

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/c/al-khoms-unhcr/", form_data(page)).status_code == 303
    acted = Action.objects.get(campaign=al_khoms)
    assert acted.email == "jane@example.com" and acted.first_name == "Jane"


def test_a_one_sided_partnership_is_not_enough_and_ending_a_side_stops_links_already_mailed(client, campaign, theirs):
    first = act(campaign, "Amal", "Haddad", email="amal@example.com")
    link = f"/c/their-ask/r/{return_token(first, theirs)}/"

    partners.agree(organisation=campaign.organisation, partner=theirs.organisation)
    assert "amal@example.com" not in prefilled(client, link)
    receipt = build_email(Message.objects.get(action=first, kind=Message.Kind.RECEIPT)).body
    assert "/c/their-ask/r/" not in receipt and "/c/their-ask/" in receipt  # a plain link, nothing filled in

    partners.agree(organisation=theirs.organisation, partner=campaign.organisation)
    assert 'value="amal@example.com"' in prefilled(client, link)
    assert "/c/their-ask/r/" in build_email(Message.objects.get(action=first, kind=Message.Kind.RECEIPT)).body

    assert partners.end(organisation=theirs.organisation, partner=campaign.organisation)
    assert "amal@example.com" not in prefilled(client, link)
    # The ended side stays on record: who agreed, and when it ended.
    assert Partnership.objects.filter(organisation=theirs.organisation, ended_at__isnull=False).count() == 1


def test_a_link_across_organisations_that_are_not_partners_is_refused(client, campaign, theirs):
    first = act(campaign, "Amal", "Haddad", email="amal@example.com")
    page = prefilled(client, f"/c/their-ask/r/{return_token(first, theirs)}/")
    assert "amal@example.com" not in page and "Amal" not in page
    assert not partners.may_link(campaign.organisation_id, theirs.organisation_id)


def test_only_an_owner_of_the_organisation_may_agree_or_end_its_side(campaign, theirs):
    editor = get_user_model().objects.create_user("ed", password="x")
    Membership.objects.create(organisation=campaign.organisation, user=editor, role=Membership.Role.EDITOR)
    with pytest.raises(PermissionDenied):
        partners.agree(organisation=campaign.organisation, partner=theirs.organisation, user=editor)
    owner = get_user_model().objects.create_user("own", password="x")
    Membership.objects.create(organisation=campaign.organisation, user=owner, role=Membership.Role.OWNER)
    side = partners.agree(organisation=campaign.organisation, partner=theirs.organisation, user=owner)
    assert side.agreed_by == owner and partners.agree(organisation=campaign.organisation, partner=theirs.organisation, user=owner) == side
    with pytest.raises(PermissionDenied):  # an owner of ours cannot agree on the partner's behalf
        partners.agree(organisation=theirs.organisation, partner=campaign.organisation, user=owner)
    with pytest.raises(PermissionDenied):
        partners.end(organisation=campaign.organisation, partner=theirs.organisation, user=editor)
