from __future__ import annotations

import email
import email.policy

import pytest
from django.contrib.auth import get_user_model

from outcry.campaigns.models import Campaign, Organisation
from outcry.delivery.models import Message, OutboxEmail
from outcry.delivery.sending import send_due
from tests.conftest import make_staff
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def outbox_mailer(settings):
    # What settings.py configures with EMAIL_URL unset (the test runner swaps in locmem).
    settings.MAILERS = {"default": {"BACKEND": "outcry.delivery.backends.OutboxBackend"}}


def test_without_email_url_mail_is_kept_in_the_outbox_linked_to_its_message(campaign):
    act(campaign, "Jane", "Doe")
    assert send_due().sent == 3
    outbox = OutboxEmail.objects.filter(message__kind=Message.Kind.LETTER).order_by("to")
    assert [o.to for o in outbox] == ["A Minister <minister@example.org>", "A President <president@example.org>"]
    assert all(o.campaign_id == campaign.pk for o in outbox)
    parsed = email.message_from_string(outbox[0].raw.replace("\r\n", "\n"), policy=email.policy.default)
    assert parsed["From"].addresses[0].display_name == "Jane Doe via Rights Now"
    assert parsed["Message-ID"] == outbox[0].message.message_id
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}


def test_campaigners_read_their_own_organisations_outbox_only(client, campaign):
    act(campaign, "Jane", "Doe")
    other_org = Organisation.objects.create(name="Other", slug="other")
    other = Campaign.objects.create(
        organisation=other_org, slug="other", title="Other campaign", summary="x", status=Campaign.Status.LIVE,
        action_kind=Campaign.ActionKind.LETTER, delivery_mode=Campaign.DeliveryMode.INDIVIDUAL,
        letter_subject="Other letter subject",
    )
    other.targets.create(name="Someone", email="someone@example.org")
    act(other, "Olga", "Other")
    send_due()

    client.force_login(make_staff(campaign.organisation, "staffer"))
    listing = client.get("/admin/delivery/outboxemail/")
    assert listing.status_code == 200
    assert b"Free them" in listing.content and b"Other letter subject" not in listing.content
    mine = OutboxEmail.objects.filter(campaign=campaign, message__kind=Message.Kind.LETTER).first()
    detail = client.get(f"/admin/delivery/outboxemail/{mine.pk}/change/")
    assert detail.status_code == 200 and b"Please free them." in detail.content
    theirs = OutboxEmail.objects.get(campaign=other, message__kind=Message.Kind.LETTER)
    assert client.get(f"/admin/delivery/outboxemail/{theirs.pk}/change/").status_code in (302, 404)

    messages = client.get("/admin/delivery/message/")
    assert messages.status_code == 200 and b"someone@example.org" not in messages.content
    letter = Message.objects.filter(campaign=campaign, kind=Message.Kind.LETTER).first()
    page = client.get(f"/admin/delivery/message/{letter.pk}/change/")
    assert page.status_code == 200 and b"Accepted by the server" in page.content


def test_mail_of_no_campaign_is_for_superusers_only(client, campaign):
    OutboxEmail.objects.create(subject="Server error report", from_email="x@example.org", to="admin@example.org", raw="")
    client.force_login(make_staff(campaign.organisation, "staffer"))
    assert b"Server error report" not in client.get("/admin/delivery/outboxemail/").content
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-only")
    client.force_login(admin)
    assert b"Server error report" in client.get("/admin/delivery/outboxemail/").content


def test_retry_now_puts_a_failed_message_back_in_the_queue(client, campaign):
    act(campaign)
    letter = Message.objects.filter(kind=Message.Kind.LETTER).first()
    Message.objects.filter(pk=letter.pk).update(status=Message.Status.FAILED, last_error="550 no")
    client.force_login(make_staff(campaign.organisation, "staffer"))
    response = client.post("/admin/delivery/message/", {"action": "retry_now", "_selected_action": [letter.pk]})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Message.Status.PENDING
