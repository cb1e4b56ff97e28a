"""Supporters' data: a signed link to see, download and erase it; erasure keeps the count and leaves no
personal data; retention anonymises on schedule; nothing tells whether an address has acted."""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due
from outcry.jobs import scheduling
from outcry.safety.models import AuditEntry
from outcry.safety.privacy import data_token
from outcry.safety.services import apply_retention
from tests.delivery.smtp import SMTPServer
from tests.safety.conftest import human, stored_anywhere

pytestmark = pytest.mark.django_db
IP = "198.51.100.77"
PII = ["amal@example.com", "Haddad", "N1 9GU", "My own words to the minister"]


@pytest.fixture
def acted(client, campaign, supporter):
    """Amal acted on two campaigns, with her own letter on one."""
    campaign.allow_personalise = True
    campaign.save()
    other = Campaign.objects.create(organisation=campaign.organisation, slug="second", status="live", title="Second", summary="s")
    client.post("/c/free-them/", human(supporter | {"letter_text": "My own words to the minister", "consent_updates": "on"}), REMOTE_ADDR=IP)
    client.post("/c/second/", human(supporter), REMOTE_ADDR=IP)
    assert Action.objects.filter(status=Action.Status.COUNTED).count() == 2
    return other


def link_from(message) -> str:
    return re.search(r"http://\S+/privacy/my-data/\S+/", message.body).group(0).split("8000", 1)[1]


def send_data_links() -> None:
    """What the worker does with the outbox rows the request left."""
    for pk in Message.objects.filter(kind=Message.Kind.DATA_LINK, status=Message.Status.PENDING).values_list("pk", flat=True):
        send_due(message_id=pk)


def request_link(client, email: str):
    response = client.post("/privacy/my-data/", {"email": email}, REMOTE_ADDR="198.51.100.78")
    send_data_links()
    return response


def test_the_emailed_link_shows_the_data_and_a_json_copy(client, campaign, acted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = request_link(client, "AMAL@example.com ")
    assert response.status_code == 200 and "We have sent an email" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["AMAL@example.com"]]
    link = link_from(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "Free them now" in html and "Second" in html and "amal@example.com" in html
    export = client.get(link + "data.json")
    assert export["Content-Disposition"].startswith("attachment")
    data = export.json()
    assert {a["campaign"] for a in data["actions"]} == {"Free them now", "Second"}
    first = next(a for a in data["actions"] if a["campaign"] == "Free them now")
    assert first["personalised_letter"] == "My own words to the minister"
    assert first["wants_updates"] is True and first["consent_wording"] == "Yes, Rights Now may email me."
    assert first["ip_address"] == "stored only as a keyed hash"
    # Opening the link, as mail scanners do, erased nothing.
    assert Action.objects.filter(erased_at__isnull=True).count() == 2


def test_erasure_keeps_the_count_and_leaves_no_personal_data_anywhere(client, campaign, acted, django_capture_on_commit_callbacks):
    before = (counting.get_count(campaign.pk), counting.get_count(acted.pk))
    assert stored_anywhere("amal@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        request_link(client, "amal@example.com")
    link = link_from(mail.outbox[0])
    response = client.post(link)
    assert response.status_code == 200 and "erased" in response.content.decode()
    counting.forget_cached_count(campaign.pk)
    counting.forget_cached_count(acted.pk)
    assert (counting.get_count(campaign.pk), counting.get_count(acted.pk)) == before
    assert set(Action.objects.values_list("status", flat=True)) == {Action.Status.COUNTED}
    for needle in PII + [IP]:
        assert stored_anywhere(needle) == [], needle
    # Letters not yet sent would have gone out in her name: they are cancelled.
    assert not Message.objects.filter(status=Message.Status.PENDING).exists()
    entries = AuditEntry.objects.filter(kind=AuditEntry.Kind.ERASE)
    assert sum(e.actions_affected for e in entries) == 2 and all(e.actor is None for e in entries)
    # The link now shows nothing, and the same email may act again.
    assert "We hold no personal data" in client.get(link).content.decode()


def test_an_address_that_never_acted_gets_the_same_answer(client, campaign, acted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = request_link(client, "amal@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post("/privacy/my-data/", {"email": "nobody@example.com"}, REMOTE_ADDR="198.51.100.79")
    send_data_links()
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())  # noqa: E731
    assert strip(known) == strip(unknown)
    # Each address is told by email only, where only its owner reads it.
    assert len(mail.outbox) == 2 and "We hold no data" in mail.outbox[1].body


def test_one_link_email_per_address_every_few_minutes(client, campaign, acted, django_capture_on_commit_callbacks):
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            assert request_link(client, "amal@example.com").status_code == 200
    assert len(mail.outbox) == 1


def test_the_request_returns_before_any_smtp_and_a_worker_sends_the_link(client, campaign, acted, settings):
    # A real SMTP server that holds every answer for 3 s: the request used to wait for it.
    server = SMTPServer().start()
    server.handler.delay = 3.0
    settings.MAILERS = server.mailers()
    try:
        started = time.monotonic()
        response = client.post("/privacy/my-data/", {"email": "amal@example.com"}, REMOTE_ADDR="198.51.100.78")
        took = time.monotonic() - started
        assert response.status_code == 200 and took < 2.0
        assert server.handler.received == []
        owed = Message.objects.get(kind=Message.Kind.DATA_LINK)
        assert owed.recipient == "amal@example.com" and owed.status == Message.Status.PENDING
        assert "my-data" not in str(Message.objects.filter(pk=owed.pk).values().get())  # the link is not stored

        send_data_links()
    finally:
        server.stop()
    [received] = server.handler.received
    assert received.rcpt_tos == ["amal@example.com"] and "/privacy/my-data/" in received.message.get_content()
    owed.refresh_from_db()
    assert owed.status == Message.Status.SENT and owed.recipient == ""  # the outbox keeps no address


def test_forged_or_expired_links_show_nothing(client, campaign, acted, settings):
    good = data_token("amal@example.com")
    assert client.get(f"/privacy/my-data/{good}x/").status_code == 404
    forged = signing.dumps("0" * 64, salt="another-salt")
    assert client.get(f"/privacy/my-data/{forged}/").status_code == 404
    settings.OUTCRY_DATA_LINK_DAYS = -1
    assert client.get(f"/privacy/my-data/{good}/").status_code == 404
    assert client.post(f"/privacy/my-data/{good}/").status_code == 404
    assert Action.objects.filter(erased_at__isnull=True).count() == 2


def test_campaigners_erase_on_request_in_the_admin(staff_client, campaign, acted):
    action = Action.objects.get(campaign=campaign)
    before = counting.get_count(campaign.pk)
    response = staff_client.post("/admin/actions/action/", {"action": "erase_selected", "_selected_action": [action.pk]})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.email, action.first_name, action.postcode, action.letter_text) == ("", "", "", "")
    assert action.erased_at and action.status == Action.Status.COUNTED
    counting.forget_cached_count(campaign.pk)
    assert counting.get_count(campaign.pk) == before
    assert AuditEntry.objects.get(kind=AuditEntry.Kind.ERASE).actor.username == "staffer"


def test_retention_anonymises_closed_campaigns_after_their_period(campaign, acted):
    campaign.status, campaign.closed_at, campaign.retention_days = Campaign.Status.CLOSED, timezone.now() - timedelta(days=31), 30
    campaign.save()
    acted.status, acted.closed_at, acted.retention_days = Campaign.Status.CLOSED, timezone.now() - timedelta(days=5), 30
    acted.save()
    assert apply_retention() == 1
    assert Action.objects.get(campaign=campaign).erased_at is not None
    assert Action.objects.get(campaign=acted).email == "amal@example.com"
    assert apply_retention() == 0  # idempotent
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.RETENTION)
    assert entry.actor_label == "retention" and entry.actions_affected == 1
    assert apply_retention(now=timezone.now() + timedelta(days=26)) == 1


def test_retention_runs_on_a_schedule():
    schedule = scheduling.schedules()["outcry.safety.tasks.anonymise_expired_personal_data"]
    assert schedule.interval == timedelta(hours=1)


def test_consent_wording_is_stored_and_the_mailing_list_has_only_those_who_opted_in(client, staff_client, campaign, supporter):
    client.post("/c/free-them/", human(supporter | {"consent_updates": "on"}), REMOTE_ADDR=IP)
    client.post("/c/free-them/", human(supporter | {"email": "quiet@example.com", "first_name": "Quiet"}), REMOTE_ADDR=IP)
    yes = Action.objects.get(email="amal@example.com")
    assert yes.consent_wording == "Yes, Rights Now may email me."
    assert Action.objects.get(email="quiet@example.com").consent_wording == ""
    ids = list(Action.objects.values_list("pk", flat=True))
    response = staff_client.post("/admin/actions/action/", {"action": "export_mailing_list", "_selected_action": ids})
    body = b"".join(response.streaming_content).decode()
    assert "amal@example.com" in body and "Yes, Rights Now may email me." in body
    assert "quiet@example.com" not in body


def test_ip_addresses_are_stored_only_as_keyed_hashes_and_never_logged(client, campaign, supporter, caplog, settings):
    caplog.set_level(logging.DEBUG)
    settings.OUTCRY_RATE_IP_CAMPAIGN = "1/3600"
    client.post("/c/free-them/", human(supporter), REMOTE_ADDR="192.0.2.55")
    client.post("/c/free-them/", human(supporter | {"email": "b@example.com"}), REMOTE_ADDR="192.0.2.55")  # 429
    assert Action.objects.get().ip_hash
    assert stored_anywhere("192.0.2.55") == []
    assert "192.0.2.55" not in caplog.text and "amal@example.com" not in caplog.text
