from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from outcry.actions import counting
from outcry.campaigns.models import Campaign
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due
from outcry.delivery.services import make_digests
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def digest_campaign(campaign) -> Campaign:
    campaign.delivery_mode = Campaign.DeliveryMode.DIGEST
    campaign.digest_period = Campaign.DigestPeriod.HOURLY
    campaign.save()
    return campaign


def attachment_rows(mail) -> list[dict[str, str]]:
    (part,) = list(mail.iter_attachments())
    assert part.get_content_type() == "text/csv"
    return list(csv.DictReader(io.StringIO(part.get_content())))


def test_each_target_gets_one_digest_with_the_names_countries_and_csv(smtp, digest_campaign):
    act(digest_campaign, "Amal", "Haddad", country="LY")
    act(digest_campaign, "Jean", "Dupont", country="FR")
    act(digest_campaign, "=HYPERLINK(1)", "Hacker", country="GB")
    assert set(Message.objects.filter(kind=Message.Kind.LETTER).values_list("status", flat=True)) == {Message.Status.BATCHED}

    digests = make_digests()
    send_due()

    assert len(digests) == 2
    for address in ("minister@example.org", "president@example.org"):
        (received,) = smtp.handler.to(address)
        mail = received.message
        assert mail["Subject"] == "3 people wrote to you: Free them"
        body = mail.get_body(("plain",)).get_content()
        assert "3 people have signed the letter below" in body
        assert "- Amal Haddad (Libya)\n- Jean Dupont (France)\n- =HYPERLINK(1) Hacker (United Kingdom)\n" in body
        assert "Please free them." in body
        rows = attachment_rows(mail)
        assert [(r["first_name"], r["last_name"], r["country"]) for r in rows] == [
            ("Amal", "Haddad", "LY"), ("Jean", "Dupont", "FR"), ("'=HYPERLINK(1)", "Hacker", "GB"),
        ]
    letters = Message.objects.filter(kind=Message.Kind.LETTER)
    assert set(letters.values_list("status", flat=True)) == {Message.Status.SENT}
    assert all(letter.digest_id in {d.pk for d in digests} for letter in letters)
    counting.forget_cached_count(digest_campaign.pk, counting.Metric.MESSAGES_SENT)
    assert counting.get_count(digest_campaign.pk, counting.Metric.MESSAGES_SENT) == 6


def test_at_most_one_digest_per_period_and_the_next_holds_only_the_new_names(smtp, digest_campaign):
    act(digest_campaign, "Amal", "Haddad")
    make_digests()
    send_due()
    act(digest_campaign, "Jean", "Dupont", country="FR")

    assert make_digests() == []  # within the hour
    Message.objects.filter(kind=Message.Kind.DIGEST).update(created_at=Message.objects.first().created_at - timedelta(minutes=61))
    assert len(make_digests()) == 2
    send_due()

    second = smtp.handler.to("minister@example.org")[1].message
    assert second["Subject"] == "1 person wrote to you: Free them"
    assert [r["first_name"] for r in attachment_rows(second)] == ["Jean"]
    assert "Amal" not in second.get_body(("plain",)).get_content()


def test_a_failed_digest_fails_its_letters_with_the_reason(smtp, digest_campaign):
    smtp.handler.rcpt_answers["minister@example.org"] = "550 5.1.1 Unknown user"
    act(digest_campaign)
    make_digests()
    send_due()
    letter = Message.objects.get(kind=Message.Kind.LETTER, target__email="minister@example.org")
    assert letter.status == Message.Status.FAILED
    assert "550 5.1.1 Unknown user" in letter.last_error


def test_letters_over_the_hourly_limit_roll_into_the_next_digest(smtp, campaign):
    campaign.target_hourly_limit = 2
    campaign.save()
    for name in ("Ann", "Ben", "Cat", "Dan"):
        act(campaign, name, "Doe")

    send_due()

    for address in ("minister@example.org", "president@example.org"):
        assert len(smtp.handler.to(address)) == 2
    rolled = Message.objects.filter(kind=Message.Kind.LETTER, status=Message.Status.BATCHED)
    assert rolled.count() == 4
    assert {m.action.first_name for m in rolled} == {"Cat", "Dan"}
    assert all(m.last_error.startswith("Over the limit of 2 letters an hour") for m in rolled)
    assert all(m.attempts == 0 and not m.attempt_log.exists() for m in rolled)

    assert len(make_digests()) == 2
    send_due()

    for address in ("minister@example.org", "president@example.org"):
        received = smtp.handler.to(address)
        assert len(received) == 3
        digest = received[2].message
        assert [r["first_name"] for r in attachment_rows(digest)] == ["Cat", "Dan"]
    assert not Message.objects.exclude(status=Message.Status.SENT).exists()
    counting.forget_cached_count(campaign.pk, counting.Metric.MESSAGES_SENT)
    assert counting.get_count(campaign.pk, counting.Metric.MESSAGES_SENT) == 8


def test_the_limit_counts_only_the_last_hour(smtp, campaign):
    campaign.target_hourly_limit = 1
    campaign.save()
    act(campaign, "Ann", "Doe")
    send_due()
    Message.objects.filter(kind=Message.Kind.LETTER).update(claimed_at=Message.objects.first().created_at - timedelta(minutes=61))
    act(campaign, "Ben", "Doe")
    send_due()
    assert len(smtp.handler.to("minister@example.org")) == 2
    assert not Message.objects.filter(status=Message.Status.BATCHED).exists()
