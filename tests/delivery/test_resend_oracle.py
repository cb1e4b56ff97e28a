"""POST /c/<slug>/confirm/resend/ tells nobody whether an address has an action waiting (issue 16): the
request does the same work for every address (one task row holding a keyed hash) and is rate-limited per
client network; the worker finds the action and sends the email."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcry.actions.confirmation import resend_confirmation
from outcry.actions.models import Action
from outcry.delivery.models import Message
from outcry.lib.hashing import hash_email
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(campaign):
    campaign.double_opt_in = True
    campaign.save()
    action = act(campaign, email="waiting@example.org")
    # Its first confirmation went out long enough ago for a resend to be allowed.
    Message.objects.filter(action=action).update(created_at=action.created_at.replace(year=2020))
    return action


def resend_statements(client, email: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/c/free-them/confirm/resend/", {"email": email}, REMOTE_ADDR="198.51.100.77")
    assert response.status_code == 200
    # Literal values aside (the hash, timestamps, ids), the same statements in the same order.
    return [q["sql"].split(" VALUES ")[0].split(" WHERE ")[0] for q in queries.captured_queries]


def test_the_request_does_the_same_work_for_any_address_and_sends_nothing_itself(client, waiting, settings):
    settings.BENCH_EXEMPT_LOOPBACK = False
    messages = Message.objects.count()
    assert resend_statements(client, "waiting@example.org") == resend_statements(client, "nobody@example.org")
    assert Message.objects.count() == messages  # nothing decided in the request
    # The worker's side: a fresh link for the waiting address, nothing for the other.
    assert resend_confirmation(waiting.campaign, hash_email("waiting@example.org")) is True
    assert resend_confirmation(waiting.campaign, hash_email("nobody@example.org")) is False


def test_the_resend_task_sends_the_link(client, waiting, django_capture_on_commit_callbacks):
    from outcry.actions.tasks import resend_confirmation_task

    before = Message.objects.filter(action=waiting, kind=Message.Kind.CONFIRM).count()
    assert resend_confirmation_task.call(waiting.campaign_id, hash_email("WAITING@example.org")) is True
    assert Message.objects.filter(action=waiting, kind=Message.Kind.CONFIRM).count() == before + 1
    assert Action.objects.get(pk=waiting.pk).status == Action.Status.UNCONFIRMED


def test_resend_is_rate_limited_per_network(client, waiting, settings):
    settings.BENCH_EXEMPT_LOOPBACK = False
    settings.OUTCRY_RATE_RESEND = "3/3600"
    codes = [client.post("/c/free-them/confirm/resend/", {"email": f"x{n}@example.org"}, REMOTE_ADDR=f"2001:db8:5:5::{n + 1}").status_code
             for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]
