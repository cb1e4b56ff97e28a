"""Campaign updates through a real SMTP server: who gets one, in which language, once, and how they stop."""

from __future__ import annotations

import signal
from collections import Counter

import pytest
from django.db import connection

from outcry.actions.links import unsubscribe_token
from outcry.actions.models import Action, Unsubscribe
from outcry.campaigns.models import Campaign, CampaignUpdate, UpdateTranslation
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due
from outcry.delivery.tasks import send_due_messages
from outcry.updates import services
from tests.delivery.conftest import act
from tests.delivery.test_worker_kill import start_worker, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def unpaced(settings):
    # Pacing is tested on its own below; here every email is due at once.
    settings.OUTCRY_UPDATE_RATE_PER_MINUTE = 10**9
    settings.OUTCRY_UPDATE_DOMAIN_RATE_PER_MINUTE = 10**9


def write_update(campaign: Campaign) -> CampaignUpdate:
    update = CampaignUpdate.objects.create(campaign=campaign, title="Letters handed in", body="We handed them in.\n\nThank you.")
    UpdateTranslation.objects.create(update=update, language="fr", title="Lettres remises", body="Nous les avons remises.")
    return update


def supporters(campaign: Campaign) -> dict[str, Action]:
    """Three who asked for updates (one reading French), one who did not, one who asked and was then erased."""
    people = {
        "amal": act(campaign, "Amal", "Haddad", consent_updates=True),
        "jean": act(campaign, "Jean", "Dupont", consent_updates=True, language="fr"),
        "li": act(campaign, "Li", "Wei", consent_updates=True),
        "no": act(campaign, "No", "Thanks", consent_updates=False),
        "gone": act(campaign, "Gone", "Away", consent_updates=True),
    }
    Action.objects.filter(pk=people["gone"].pk).update(erased_at="2026-01-01T00:00Z", email="")
    return people


def update_mail(smtp) -> list:
    return [r for r in smtp.handler.received if r.message["List-Unsubscribe"] or "[Test]" in r.message["Subject"]]


def test_an_update_reaches_exactly_the_consenting_supporters_once_each_in_their_language(smtp, campaign, django_capture_on_commit_callbacks):
    people = supporters(campaign)
    send_due()
    update = write_update(campaign)
    assert services.request_send(update) is True
    assert services.request_send(update) is False  # asking twice sends once
    queued, finished = services.fan_out(update.pk)
    assert (queued, finished) == (3, True)
    assert services.fan_out(update.pk) == (0, True)
    send_due()

    received = update_mail(smtp)
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(people[n].email for n in ("amal", "jean", "li"))
    by_address = {r.rcpt_tos[0]: r.message for r in received}
    assert by_address[people["jean"].email]["Subject"].startswith("Lettres remises")
    assert by_address[people["amal"].email]["Subject"].startswith("Letters handed in")
    body = by_address[people["amal"].email].get_body(("plain",)).get_content()
    assert "We handed them in." in body and "/u/" in body
    assert by_address[people["amal"].email]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert services.progress(update)["sent"] == 3


def test_fan_out_resumes_batch_by_batch_and_never_queues_one_supporter_twice(campaign):
    for n in range(7):
        act(campaign, f"P{n}", "Doe", consent_updates=True)
    update = write_update(campaign)
    services.request_send(update)
    runs = []
    while True:
        # A budget of zero: one batch per run, as if a worker died after each batch it committed.
        queued, finished = services.fan_out(update.pk, batch_size=2, budget_seconds=0)
        runs.append(queued)
        if finished:
            break
    assert runs == [2, 2, 2, 1, 0]
    # Even a fan-out that forgot how far it got queues nobody twice.
    CampaignUpdate.objects.filter(pk=update.pk).update(send_watermark=0, send_finished_at=None)
    assert services.fan_out(update.pk)[0] == 0
    assert Counter(update.messages.values_list("action_id", flat=True)).most_common(1)[0][1] == 1
    assert update.messages.count() == 7


def test_pacing_spreads_an_update_per_domain(settings, campaign):
    settings.OUTCRY_UPDATE_RATE_PER_MINUTE = 600
    settings.OUTCRY_UPDATE_DOMAIN_RATE_PER_MINUTE = 2
    for n in range(4):
        act(campaign, f"G{n}", "Doe", email=f"g{n}@gmail.com", consent_updates=True)
    act(campaign, "Other", "Doe", email="o@example.net", consent_updates=True)
    update = write_update(campaign)
    services.request_send(update)
    services.fan_out(update.pk)
    start = min(update.messages.values_list("next_try_at", flat=True))
    gmail = sorted((m.next_try_at - start).total_seconds() for m in update.messages.filter(action__email_domain="gmail.com"))
    assert gmail == [0, 30, 60, 90]  # two a minute to one provider
    other = update.messages.get(action__email_domain="example.net")
    assert (other.next_try_at - start).total_seconds() < 1  # another provider does not wait for gmail


def test_one_click_unsubscribe_by_post_without_a_session_stops_the_next_update(client, smtp, campaign):
    people = supporters(campaign)
    token = unsubscribe_token(people["amal"])
    # What a mail client sends for RFC 8058: a POST with no cookies and no CSRF token.
    response = client.post(f"/u/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert client.post(f"/u/{token}/", {"List-Unsubscribe": "One-Click"}).status_code == 200  # idempotent
    people["amal"].refresh_from_db()
    assert people["amal"].unsubscribed_at is not None

    update = write_update(campaign)
    services.request_send(update)
    services.fan_out(update.pk)
    send_due()
    assert people["amal"].email not in [r.rcpt_tos[0] for r in update_mail(smtp)]
    assert len(update_mail(smtp)) == 2


def test_unsubscribing_from_the_organisation_stops_its_other_campaigns_and_cancels_queued_emails(client, campaign):
    people = supporters(campaign)
    other = Campaign.objects.create(
        organisation=campaign.organisation, slug="other", title="Other", summary="x", status=Campaign.Status.LIVE,
    )
    same_person = act(other, "Amal", "Haddad", email=people["amal"].email, consent_updates=True)
    queued_update = write_update(other)
    services.request_send(queued_update)
    services.fan_out(queued_update.pk)
    assert queued_update.messages.get(action=same_person).status == Message.Status.PENDING

    token = unsubscribe_token(people["amal"])
    page = client.get(f"/u/{token}/")
    assert page.status_code == 200 and b"every campaign of" in page.content
    assert Action.objects.get(pk=people["amal"].pk).unsubscribed_at is None  # a GET (a mail scanner) changes nothing
    done = client.post(f"/u/{token}/", {"scope": "organisation"})
    assert done.status_code == 200
    assert Unsubscribe.objects.filter(organisation=campaign.organisation).count() == 1
    assert queued_update.messages.get(action=same_person).status == Message.Status.CANCELLED
    assert Action.objects.get(pk=same_person.pk).unsubscribed_at is not None


def test_a_forged_unsubscribe_link_changes_nothing(client, campaign):
    people = supporters(campaign)
    response = client.post(f"/u/{people['amal'].referral_code}:forged/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404
    assert not Action.objects.filter(unsubscribed_at__isnull=False).exists()


def test_a_test_copy_goes_only_to_the_campaigner(smtp, campaign):
    supporters(campaign)
    send_due()
    before = len(smtp.handler.received)
    services.send_test(write_update(campaign), "campaigner@example.org")
    send_due()
    new = smtp.handler.received[before:]
    assert [r.rcpt_tos for r in new] == [["campaigner@example.org"]]
    assert new[0].message["Subject"].startswith("[Test]") and new[0].message["List-Unsubscribe"] is None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_update_survives_a_worker_killed_mid_send(smtp, campaign, tmp_path):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("the worker process needs a database file it can open")
    for n in range(12):
        act(campaign, f"K{n}", "Doe", consent_updates=True)
    send_due()
    already = len(smtp.handler.received)
    update = write_update(campaign)
    services.request_send(update)
    smtp.handler.delay = 0.5
    log = tmp_path / "workers.log"
    first = start_worker(smtp.url, log)
    try:
        for _ in range(3):
            assert smtp.handler.data_started.acquire(timeout=60), log.read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    smtp.handler.delay = 0
    second = start_worker(smtp.url, log)
    try:
        send_due_messages.enqueue()
        wait_for(lambda: update.messages.filter(status=Message.Status.SENT).count() == 12, 90, "every update sent")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    got = Counter(r.rcpt_tos[0] for r in smtp.handler.received[already:])
    assert set(got) == set(Action.objects.values_list("email", flat=True))
    # At least once: only the email in flight when the worker died may have gone twice.
    assert sum(n - 1 for n in got.values()) <= 1
    assert update.messages.count() == 12


def test_an_address_that_bounced_an_update_is_not_mailed_the_next_one(smtp, campaign):
    from outcry.delivery.addresses import parse_address
    from outcry.delivery.services import receive_mail
    from tests.delivery.test_inbound import dsn_mail

    people = supporters(campaign)
    send_due()
    first = write_update(campaign)
    services.request_send(first)
    services.fan_out(first.pk)
    send_due()
    to_li = next(r for r in update_mail(smtp) if r.rcpt_tos == [people["li"].email])
    # The envelope sender names the email, while the From the supporter sees stays the organisation's.
    assert parse_address(to_li.mail_from) == ("b", Message.objects.get(update=first, action=people["li"]).pk)
    assert campaign.organisation.name in to_li.message["From"]

    receive_mail(dsn_mail(to_li.mail_from, ""), [to_li.mail_from])
    assert Message.objects.get(update=first, action=people["li"]).status == Message.Status.BOUNCED
    assert services.progress(first)["sent"] == 2

    smtp.handler.received.clear()
    second = CampaignUpdate.objects.create(campaign=campaign, title="They answered", body="The minister wrote back.")
    services.request_send(second)
    assert services.fan_out(second.pk) == (2, True)
    send_due()
    assert sorted(r.rcpt_tos[0] for r in update_mail(smtp)) == sorted(people[n].email for n in ("amal", "jean"))
