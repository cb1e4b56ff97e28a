from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from outcry.actions import counting
from outcry.delivery.models import Attempt, Message
from outcry.delivery.sending import claim, send_due
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db


def letter_to(address: str) -> Message:
    return Message.objects.get(kind=Message.Kind.LETTER, target__email=address)


def sent_count(campaign) -> int:
    counting.forget_cached_count(campaign.pk, counting.Metric.MESSAGES_SENT)
    return counting.get_count(campaign.pk, counting.Metric.MESSAGES_SENT)


def test_451_then_250_is_retried_and_delivered_once(smtp, campaign):
    act(campaign)
    smtp.handler.data_answers.append("451 4.3.0 Mailbox busy, try again later")

    first = send_due()

    assert (first.sent, first.deferred) == (2, 1)  # the connection stays usable after a 4xx
    deferred = letter_to("minister@example.org")
    assert deferred.status == Message.Status.DEFERRED
    assert deferred.last_error == "451 4.3.0 Mailbox busy, try again later"
    assert send_due().sent == 1
    deferred.refresh_from_db()
    assert deferred.status == Message.Status.SENT and deferred.attempts == 2
    assert list(deferred.attempt_log.values_list("outcome", "smtp_code")) == [
        (Attempt.Outcome.DEFERRED, 451), (Attempt.Outcome.SENT, 250),
    ]
    assert len(smtp.handler.to("minister@example.org")) == 1
    assert send_due().sent == 0
    assert sent_count(campaign) == 2


def test_a_temporary_failure_waits_for_its_backoff(smtp, campaign, settings):
    settings.OUTCRY_DELIVERY_RETRY_SECONDS = 60
    act(campaign)
    smtp.handler.data_answers.append("451 4.7.0 Slow down")
    send_due()
    deferred = letter_to("minister@example.org")
    assert timedelta(seconds=47) < deferred.next_try_at - timezone.now() < timedelta(seconds=73)
    send_due()
    assert letter_to("minister@example.org").status == Message.Status.DEFERRED
    send_due(now=timezone.now() + timedelta(seconds=75))
    assert letter_to("minister@example.org").status == Message.Status.SENT


def test_550_is_recorded_as_failed_with_the_servers_answer(smtp, campaign):
    smtp.handler.rcpt_answers["minister@example.org"] = "550 5.1.1 No such mailbox here"
    act(campaign)
    report = send_due()
    assert (report.sent, report.failed) == (2, 1)
    failed = letter_to("minister@example.org")
    assert failed.status == Message.Status.FAILED
    assert failed.last_error == "550 5.1.1 No such mailbox here"
    assert list(failed.attempt_log.values_list("outcome", "smtp_code", "detail")) == [
        (Attempt.Outcome.FAILED, 550, "550 5.1.1 No such mailbox here")
    ]
    assert send_due().failed == 0  # never retried
    assert sent_count(campaign) == 1


def test_temporary_failures_give_up_after_the_maximum_attempts(smtp, campaign, settings):
    settings.OUTCRY_DELIVERY_MAX_ATTEMPTS = 3
    smtp.handler.rcpt_answers["minister@example.org"] = "452 4.2.2 Mailbox full"
    act(campaign)
    for _ in range(4):
        send_due()
    message = letter_to("minister@example.org")
    assert message.status == Message.Status.FAILED and message.attempts == 3
    assert message.last_error == "Gave up after 3 attempts. Last answer: 452 4.2.2 Mailbox full"


def test_a_claim_is_taken_by_one_worker_only(campaign):
    act(campaign)
    message = letter_to("minister@example.org")
    now = timezone.now()
    assert claim(message.pk, now) is not None
    assert claim(message.pk, now) is None


def test_a_claim_whose_lease_lapsed_is_taken_over_and_logged_interrupted(smtp, campaign, settings):
    settings.OUTCRY_LEASE_SECONDS = 30
    act(campaign)
    message = letter_to("minister@example.org")
    assert claim(message.pk, timezone.now())

    send_due()
    assert letter_to("minister@example.org").status == Message.Status.SENDING  # its lease still runs
    assert not smtp.handler.to("minister@example.org")

    send_due(now=timezone.now() + timedelta(seconds=31))

    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 2
    assert list(message.attempt_log.values_list("outcome", flat=True)) == [Attempt.Outcome.INTERRUPTED, Attempt.Outcome.SENT]
    assert len(smtp.handler.to("minister@example.org")) == 1
    assert sent_count(campaign) == 2
