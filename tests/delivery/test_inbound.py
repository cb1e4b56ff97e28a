"""A real `manage.py inbound` process receives replies and bounces over SMTP (and LMTP): a reply to a letter's
Reply-To lands as a response and is forwarded only to a supporter who asked; a DSN to a letter's envelope
sender marks it bounced; made-up addresses and oversized mail are refused before anything is stored."""

from __future__ import annotations

import os
import re
import smtplib
import subprocess
import sys
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.conf import settings

from outcry.actions import counting
from outcry.delivery.addresses import bounce_address, reply_address
from outcry.delivery.models import Message, Response
from outcry.delivery.sending import send_due
from tests.delivery.conftest import act
from tests.delivery.test_worker_kill import ROOT, database_url, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def start_inbound(tmp_path, *extra: str, env: dict | None = None) -> tuple[subprocess.Popen, int]:
    environment = os.environ | {"DATABASE_URL": database_url(), "OUTCRY_INBOUND_MAX_BYTES": "200000", "OUTCRY_INBOUND_ATTACHMENT_BYTES": "100000"} | (env or {})
    environment.pop("OUTCRY_TEST_DB_NAME", None)
    log = (tmp_path / "inbound.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "inbound", "--port", "0", *extra],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=log, text=True,
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    found = re.search(r"listening on [0-9.]+:(\d+)", line)
    assert found, f"inbound did not start: {line!r}, {(tmp_path / 'inbound.log').read_text()}"
    return process, int(found[1])


@pytest.fixture
def inbound(tmp_path):
    process, port = start_inbound(tmp_path)
    yield port
    process.terminate()
    assert process.wait(timeout=10) == 0  # SIGTERM stops it cleanly
    log = (tmp_path / "inbound.log").read_text()
    assert "amal" not in log.lower() and "example.com" not in log  # no supporter's data in its log


def reply_mail(to: str, *, html: str = "", attachments: tuple = ()) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Office of the Minister <minister@example.org>"
    mail["To"] = to
    mail["Subject"] = "Re: Free them"
    mail["Message-ID"] = make_msgid(domain="example.org")
    mail["Authentication-Results"] = "mx.outcry.example; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org; dmarc=pass"
    mail.set_content("We have received your letter and the matter is under review.\n")
    if html:
        mail.add_alternative(html, subtype="html")
    for data, maintype, subtype, filename in attachments:
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail


def dsn_mail(to: str, original_reply_to: str, action: str = "failed", status: str = "5.1.1") -> bytes:
    """A delivery status notification as Postfix writes one (RFC 3464)."""
    return f"""From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
To: {to}
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; minister@example.org
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 5.1.1 <minister@example.org>: Recipient address
    rejected: User unknown

--B1
Content-Type: text/rfc822-headers

From: someone via Rights Now <letters@{settings.MAIL_DOMAIN}>
Reply-To: {original_reply_to}
Subject: Free them

--B1--
""".replace("\n", "\r\n").encode()


def send(port: int, mail: EmailMessage | bytes, to: str, lmtp: bool = False) -> None:
    client = smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port, timeout=30)
    with client:
        if isinstance(mail, bytes):
            client.sendmail("", [to], mail)  # a bounce has the null sender
        else:
            client.send_message(mail, from_addr="minister@example.org", to_addrs=[to])


def letters_to(campaign, email: str) -> list[Message]:
    return list(Message.objects.filter(campaign=campaign, kind=Message.Kind.LETTER, action__email=email).order_by("target__position"))


def test_a_reply_lands_as_a_response_and_is_forwarded_only_with_consent(smtp, campaign, inbound):
    act(campaign, "Amal", "Haddad", email="amal@example.com", forward_replies=True, forward_replies_wording="Forward me any reply")
    act(campaign, "Jane", "Doe", email="jane@example.com")
    send_due()
    to_minister = smtp.handler.to("minister@example.org")
    assert len(to_minister) == 2
    amal_letter, jane_letter = letters_to(campaign, "amal@example.com")[0], letters_to(campaign, "jane@example.com")[0]
    for received in to_minister:
        # The Reply-To is the letter's own address, never the supporter's.
        reply_to = str(received.message["Reply-To"])
        assert "example.com" not in reply_to
        assert reply_to in {reply_address(amal_letter.pk), reply_address(jane_letter.pk)}
        assert received.mail_from in {bounce_address(amal_letter.pk), bounce_address(jane_letter.pk)}
        assert received.message["From"].addresses[0].addr_spec == f"letters@{settings.MAIL_DOMAIN}"

    html = '<p>Under <b>review</b>.</p><script>alert(1)</script><img src="https://tracker.example/x.png" onerror="x()">'
    attachments = ((PDF, "application", "pdf", "answer.pdf"), (b"MZ\x90\x00evil", "application", "x-msdownload", "run.exe"),
                   (b"not really a pdf", "application", "pdf", "fake.pdf"), (b"%PDF-" + b"x" * 120_000, "application", "pdf", "big.pdf"))
    send(inbound, reply_mail(reply_address(amal_letter.pk), html=html, attachments=attachments), reply_address(amal_letter.pk))
    send(inbound, reply_mail(reply_address(jane_letter.pk)), reply_address(jane_letter.pk))
    wait_for(lambda: Response.objects.count() == 2, 30, "two responses stored")

    response = Response.objects.get(letter=amal_letter)
    assert response.target == amal_letter.target and response.campaign == campaign
    assert response.from_address == "minister@example.org" and response.from_target
    assert response.subject == "Re: Free them"
    assert "under review" in response.text
    assert "<b>review</b>" in response.html and "script" not in response.html and "onerror" not in response.html and "<img" not in response.html
    assert response.auth == {"spf": "pass", "dkim": "pass", "dmarc": "pass"}
    assert [(a.filename, a.content_type, bytes(a.data)) for a in response.attachments.all()] == [("answer.pdf", "application/pdf", PDF)]
    assert sorted((d["filename"], d["why"]) for d in response.dropped_attachments) == [
        ("big.pdf", "size"), ("fake.pdf", "content does not match its type"), ("run.exe", "type"),
    ]

    # Amal asked for replies; Jane did not.
    assert response.forward is not None and response.forward.kind == Message.Kind.FORWARD
    assert Response.objects.get(letter=jane_letter).forward is None
    send_due()
    (forwarded,) = smtp.handler.to("amal@example.com")[1:]  # after her receipt
    body = forwarded.message.get_body(("plain",)).get_content()
    assert "A Minister, Minister of the Interior replied" in forwarded.message["Subject"] + body
    assert "under review" in body
    assert len(smtp.handler.to("jane@example.com")) == 1  # her receipt only


def test_made_up_addresses_and_oversized_mail_are_refused(campaign, inbound):
    act(campaign)
    letter = Message.objects.filter(kind=Message.Kind.LETTER).first()
    genuine = reply_address(letter.pk)
    forged = genuine.replace(genuine.split("-")[2][:4], "0000", 1)
    with smtplib.SMTP("127.0.0.1", inbound, timeout=30) as client:
        client.ehlo()
        assert client.mail("minister@example.org")[0] == 250
        assert client.rcpt(forged)[0] == 550
        assert client.rcpt(f"r-{letter.pk + 1}-{genuine.split('-')[2]}")[0] == 550  # another letter's MAC
        assert client.rcpt("postmaster@example.org")[0] == 550  # no relaying
        assert client.rcpt(genuine)[0] == 250
        code, _ = client.data(b"Subject: big\r\n\r\n" + (b"x" * 70 + b"\r\n") * 4000)
        assert code == 552
    assert Response.objects.count() == 0


def test_a_dsn_marks_the_letter_bounced_and_repeated_bounces_warn_the_staff(smtp, campaign, inbound, organisation):
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_user("campaigner", email="campaigner@rights.example", password="x-for-tests")
    organisation.staff.add(staff)
    for n in range(3):
        act(campaign, "Amal", f"Haddad{n}", email=f"amal{n}@example.com")
    send_due()
    counting.forget_cached_count(campaign.pk, counting.Metric.MESSAGES_SENT)
    assert counting.get_count(campaign.pk, counting.Metric.MESSAGES_SENT) == 6
    letters = list(Message.objects.filter(kind=Message.Kind.LETTER, target__email="minister@example.org").order_by("pk"))

    # A delay report changes nothing; a failure marks the letter, with the reason.
    send(inbound, dsn_mail(bounce_address(letters[0].pk), reply_address(letters[0].pk), "delayed", "4.4.1"), bounce_address(letters[0].pk))
    send(inbound, dsn_mail(bounce_address(letters[0].pk), reply_address(letters[0].pk)), bounce_address(letters[0].pk))
    wait_for(lambda: Message.objects.get(pk=letters[0].pk).status == Message.Status.BOUNCED, 30, "the letter bounced")
    letters[0].refresh_from_db()
    assert "5.1.1" in letters[0].last_error and "User unknown" in letters[0].last_error
    counting.forget_cached_count(campaign.pk, counting.Metric.MESSAGES_SENT)
    assert counting.get_count(campaign.pk, counting.Metric.MESSAGES_SENT) == 5
    assert Response.objects.count() == 0  # a bounce is no reply
    assert campaign.targets.get(email="minister@example.org").email_failing_since is None

    for letter in letters[1:]:
        send(inbound, dsn_mail(bounce_address(letter.pk), reply_address(letter.pk)), bounce_address(letter.pk))
    wait_for(lambda: Message.objects.filter(kind=Message.Kind.ALERT).exists(), 30, "the staff warned")
    assert campaign.targets.get(email="minister@example.org").email_failing_since is not None
    assert campaign.targets.get(email="president@example.org").email_failing_since is None
    # The same DSN again (a relay's retry) neither counts twice nor warns twice.
    send(inbound, dsn_mail(bounce_address(letters[1].pk), reply_address(letters[1].pk)), bounce_address(letters[1].pk))
    send_due()
    (alert,) = smtp.handler.to("campaigner@rights.example")
    assert "bouncing" in alert.message["Subject"] and "minister@example.org" in alert.message.get_content()
    assert f"/studio/c/{campaign.pk}/targets/" in alert.message.get_content()  # where campaigners fix it
    assert Message.objects.filter(kind=Message.Kind.ALERT).count() == 1
    counting.forget_cached_count(campaign.pk, counting.Metric.MESSAGES_SENT)
    assert counting.get_count(campaign.pk, counting.Metric.MESSAGES_SENT) == 3


def test_lmtp_delivers_replies_too(campaign, tmp_path):
    process, port = start_inbound(tmp_path, "--lmtp")
    try:
        act(campaign)
        letter = Message.objects.filter(kind=Message.Kind.LETTER).first()
        send(port, reply_mail(reply_address(letter.pk)), reply_address(letter.pk), lmtp=True)
        wait_for(lambda: Response.objects.filter(letter=letter).exists(), 30, "the reply stored")
    finally:
        process.terminate()
        process.wait(timeout=10)
