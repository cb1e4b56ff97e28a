"""What campaigners and the public see of replies and bounces: a published reply on the campaign page, and the
ledger's accepted, delivered (no bounce after 48 hours) and bounced letters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from outcry.actions.models import Action
from outcry.delivery import inbound
from outcry.delivery.models import Message, Response
from outcry.delivery.sending import send_due
from outcry.delivery.services import publish_response, record_bounce
from outcry.reports.integrity import delivery_ledger
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db

HARD = [inbound.Status(action="failed", status="5.1.1", diagnostic="550 5.1.1 User unknown", recipient="minister@example.org")]


def test_a_published_reply_shows_on_the_campaign_page_with_its_summary(client, campaign, staff_client):
    act(campaign)
    letter = Message.objects.filter(kind=Message.Kind.LETTER, target__name="A Minister").first()
    response = Response.objects.create(
        campaign=campaign, target=letter.target, letter=letter, subject="Re: Free them",
        text="Dear Amal Haddad, thank you <b>for</b> your letter.", received_at=timezone.datetime(2026, 3, 3, 12, tzinfo=timezone.UTC),
    )
    assert "replied on" not in client.get("/c/free-them/").content.decode()

    publish_response(response, published=True, public_text="")
    page = client.get("/c/free-them/").content.decode()
    assert "<bdi>A Minister</bdi> replied on 3 March" in page  # the name kept apart from the sentence
    assert "thank you &lt;b&gt;for&lt;/b&gt; your letter" in page  # escaped, never rendered

    # A summary replaces the words (replies quote letters, and letters carry names).
    publish_response(response, published=True, public_text="The minister promises to look into it.")
    page = client.get("/c/free-them/").content.decode()
    assert "The minister promises to look into it." in page and "Amal Haddad" not in page

    publish_response(response, published=False, public_text="")
    assert "replied on" not in client.get("/c/free-them/").content.decode()


def test_staff_read_replies_in_the_admin_and_publish_them(campaign, staff_client):
    act(campaign)
    letter = Message.objects.filter(kind=Message.Kind.LETTER).first()
    response = Response.objects.create(campaign=campaign, target=letter.target, letter=letter, subject="Re: Free them",
                                       text="Under review.", html="<p>Under review.</p>", auth={"spf": "pass"})
    listing = staff_client.get("/admin/delivery/response/").content.decode()
    assert "Re: Free them" in listing
    page = staff_client.get(f"/admin/delivery/response/{response.pk}/change/").content.decode()
    assert "Under review." in page and "spf=pass" in page
    staff_client.post("/admin/delivery/response/", {"action": "publish", "_selected_action": [response.pk]})
    response.refresh_from_db()
    assert response.published and response.published_at is not None


def test_the_ledger_tells_accepted_delivered_and_bounced_apart(smtp, campaign, client):
    for n in range(3):
        act(campaign, "Amal", f"Haddad{n}", email=f"amal{n}@example.com")
    send_due()
    minister = list(Message.objects.filter(kind=Message.Kind.LETTER, target__name="A Minister").order_by("pk"))
    # Two letters went three days ago; one of them came back.
    Message.objects.filter(pk__in=[minister[0].pk, minister[1].pk]).update(sent_at=timezone.now() - timedelta(days=3))
    assert record_bounce(minister[1].pk, HARD) == 1
    assert record_bounce(minister[1].pk, HARD) == 0  # the same DSN twice counts once

    by_target: dict[str, dict[str, int]] = {}
    for row in delivery_ledger(campaign):
        totals = by_target.setdefault(row.target, {"sent": 0, "delivered": 0, "bounced": 0})
        for key in totals:
            totals[key] += getattr(row, key)
    assert by_target["A Minister, Minister of the Interior"] == {"sent": 2, "delivered": 1, "bounced": 1}
    assert by_target["A President, President"] == {"sent": 3, "delivered": 0, "bounced": 0}

    data = client.get("/api/v1/campaigns/free-them/integrity").json()
    assert sum(row["bounced"] for row in data["ledger"]) == 1 and sum(row["delivered"] for row in data["ledger"]) == 1


@pytest.mark.parametrize("raw", [
    b"\xff\xfe\x00garbage with no headers at all",
    b"From: =?x-unknown?B?AAAA?= <\r\nSubject: =?utf-8?q?broken\r\nContent-Type: text/plain; charset=x-no-such\r\n\r\nbody \xe9\r\n",
    b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/mixed; boundary=y\r\n\r\n--y\r\n" * 50,
])
def test_malformed_mail_is_stored_without_crashing(campaign, raw):
    from outcry.delivery.addresses import reply_address
    from outcry.delivery.services import receive_mail

    act(campaign)
    letter = Message.objects.filter(kind=Message.Kind.LETTER).first()
    receive_mail(raw, [reply_address(letter.pk)])
    response = Response.objects.get()
    assert response.letter == letter and response.size == len(raw) and response.html == ""


def test_erasing_a_supporter_blanks_the_replies_to_their_letters(campaign):
    from outcry.safety.services import erase_actions

    action = act(campaign, "Amal", "Haddad", email="amal@example.com")
    letter = Message.objects.filter(kind=Message.Kind.LETTER, action=action).first()
    response = Response.objects.create(campaign=campaign, target=letter.target, letter=letter, subject="Re: Amal Haddad",
                                       text="Dear Amal Haddad, ...", html="<p>Dear Amal Haddad</p>", public_text="We will look into it.")
    response.attachments.create(filename="answer.pdf", content_type="application/pdf", size=5, data=b"%PDF-")
    erase_actions(actions=Action.objects.filter(pk=action.pk), reason="asked")
    response.refresh_from_db()
    assert (response.subject, response.text, response.html) == ("", "", "") and not response.attachments.exists()
    assert response.public_text == "We will look into it."
