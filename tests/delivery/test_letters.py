from __future__ import annotations

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from outcry.actions import counting
from outcry.campaigns.models import Target
from outcry.delivery.addresses import bounce_address, reply_address
from outcry.delivery.models import Attempt, Message
from outcry.delivery.sending import send_due
from outcry.delivery.tasks import send_action_messages
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db


def test_both_targets_receive_the_letter_as_from_the_supporter(smtp, campaign):
    action = act(campaign, "Jane", "Doe", email="jane@example.com")
    assert smtp.handler.received == []  # acting never talks to the SMTP server

    report = send_due()

    assert report.sent == 3  # two letters and the receipt
    letters = {r.rcpt_tos[0]: r for r in smtp.handler.received if r.rcpt_tos[0].endswith("@example.org")}
    assert sorted(letters) == ["minister@example.org", "president@example.org"]
    for target in campaign.targets.all():
        received = letters[target.email]
        mail = received.message
        message = Message.objects.get(action=action, target=target)
        # Bounces come back to the letter's own envelope sender (VERP), replies to its own Reply-To.
        assert received.mail_from == bounce_address(message.pk)
        assert mail["From"].addresses[0].display_name == "Jane Doe via Rights Now"
        assert mail["From"].addresses[0].addr_spec == f"letters@{settings.MAIL_DOMAIN}"
        assert str(mail["Reply-To"]) == reply_address(message.pk)
        assert "jane@example.com" not in received.raw.decode()
        assert mail["To"].addresses[0].addr_spec == target.email
        assert mail["Subject"] == "Free them"
        assert mail["Message-ID"] == message.message_id
        assert mail["Message-ID"].endswith(f"@{settings.MAIL_DOMAIN}>")
        assert mail["Date"].datetime is not None
        body = mail.get_content()
        assert body.startswith("Dear Minister,\n\nPlease free them.\n\nThey have done nothing wrong.\n\nYours sincerely,\nJane Doe\nUnited Kingdom\n")
        assert message.status == Message.Status.SENT and message.sent_at is not None
        assert list(message.attempt_log.values_list("outcome", "smtp_code")) == [(Attempt.Outcome.SENT, 250)]
    counting.forget_cached_count(campaign.pk, counting.Metric.MESSAGES_SENT)
    assert counting.get_count(campaign.pk, counting.Metric.MESSAGES_SENT) == 2


def test_the_supporter_gets_a_receipt_with_their_share_link(smtp, campaign):
    action = act(campaign, "Jane", "Doe", email="jane@example.com")
    send_due()
    (receipt,) = smtp.handler.to("jane@example.com")
    mail = receipt.message
    assert mail["Subject"] == "Thank you for taking action: Free them now"
    assert mail["From"].addresses[0].display_name == "Rights Now"
    text = mail.get_body(("plain",)).get_content()
    assert f"{settings.SITE_URL}/c/free-them/?ref={action.referral_code}&via=email" in text
    html = mail.get_body(("html",)).get_content()
    assert f"?ref={action.referral_code}&amp;via=email" in html


def test_acting_enqueues_a_task_after_commit_and_the_task_sends(smtp, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        action = act(campaign)
    assert smtp.handler.received == []
    result = DBTaskResult.objects.get(task_path=send_action_messages.module_path)
    assert result.args_kwargs["args"] == [action.pk]
    assert send_action_messages.call(action.pk)["sent"] == 3
    assert len(smtp.handler.received) == 3


def test_a_name_with_crlf_adds_no_header(smtp, campaign):
    # The form refuses such names; this checks the service still cannot be made to write a header.
    act(campaign, "Eve\r\nBcc: x@example.org", "Smith\nX-Injected: yes", email="eve@example.com")
    send_due()
    assert len(smtp.handler.received) == 3
    assert not smtp.handler.to("x@example.org")
    for received in smtp.handler.received:
        assert "x@example.org" not in received.rcpt_tos
        assert received.message["Bcc"] is None and received.message["X-Injected"] is None
        header_names = [line.split(b":")[0] for line in received.raw.split(b"\r\n\r\n")[0].split(b"\r\n") if line[:1] not in (b" ", b"\t")]
        assert b"Bcc" not in header_names and b"X-Injected" not in header_names
    letter = smtp.handler.to("minister@example.org")[0].message
    assert letter["From"].addresses[0].display_name == "Eve Bcc: x@example.org Smith X-Injected: yes via Rights Now"
    assert letter["From"].addresses[0].addr_spec == f"letters@{settings.MAIL_DOMAIN}"


def test_a_subject_with_crlf_adds_no_header(smtp, campaign):
    campaign.letter_subject = "Free them\r\nBcc: x@example.org"
    campaign.save()
    act(campaign)
    send_due()
    letter = smtp.handler.to("minister@example.org")[0].message
    assert letter["Subject"] == "Free them Bcc: x@example.org"
    assert letter["Bcc"] is None and not smtp.handler.to("x@example.org")


def test_non_ascii_names_and_an_internationalised_domain_are_encoded(smtp, campaign):
    Target.objects.create(campaign=campaign, name="Ministère", email="ministre@exämple.org", position=3)
    act(campaign, "Zoë", "Ψαρά", email="zoe@exämple.com", country="GR")
    send_due()
    received = smtp.handler.to("ministre@xn--exmple-cua.org")
    assert len(received) == 1
    head = received[0].raw.split(b"\r\n\r\n")[0]
    assert head.isascii()  # encoded words and punycode, no raw UTF-8 in headers
    mail = received[0].message
    assert mail["From"].addresses[0].display_name == "Zoë Ψαρά via Rights Now"
    assert b"zoe@" not in received[0].raw  # the supporter's address is nowhere in the letter
    assert "Zoë Ψαρά\nGreece" in mail.get_content()


def test_letters_of_an_action_that_no_longer_counts_are_cancelled(smtp, campaign):
    action = act(campaign)
    action.status = action.Status.INVALID
    action.save()
    send_due()
    letters = Message.objects.filter(kind=Message.Kind.LETTER)
    assert {m.status for m in letters} == {Message.Status.CANCELLED}
    assert all("invalid" in m.last_error for m in letters)
    assert not smtp.handler.to("minister@example.org")
