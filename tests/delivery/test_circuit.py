"""The circuit breaker for a mail server that is down: one attempt per outage, one probe at a time with
growing waits, no sweep in a hot loop, and everything delivered once the server is back."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outcry.delivery.models import Attempt, MailServer, Message, WorkerHeartbeat
from outcry.delivery.sending import mail_circuit, send_due, unreachable_since
from outcry.delivery.tasks import send_due_messages
from outcry.lib.outbox import Gate
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db


def sweeps() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=send_due_messages.module_path, status="READY"))


def test_a_downed_server_costs_one_attempt_per_outage_and_is_probed_with_growing_waits(smtp, campaign):
    for n in range(4):
        act(campaign, f"Person{n}", "Doe")
    smtp.stop()
    start = timezone.now()

    first = send_due(now=start)

    assert (first.sent, first.deferred, first.circuit_open) == (0, 1, True)
    assert unreachable_since() == start
    probe = datetime.fromisoformat(first.probe_at)
    assert start < probe <= start + timedelta(seconds=3)

    # Until the probe is due, every run returns at once: no claim, no attempt, no connection.
    for _ in range(5):
        assert send_due(now=start + timedelta(seconds=1)).circuit_open
    assert Attempt.objects.count() == 1
    assert Attempt.objects.get().outcome == Attempt.Outcome.DEFERRED

    # A failed probe records nothing on the message it tried, and waits longer before the next one.
    second = send_due(now=probe)
    assert second.circuit_open and second.deferred == 1
    assert Attempt.objects.count() == 1
    assert datetime.fromisoformat(second.probe_at) - probe > timedelta(seconds=3)
    assert set(Message.objects.values_list("status", flat=True)) <= {Message.Status.PENDING, Message.Status.DEFERRED}

    smtp.start()
    back = send_due(now=datetime.fromisoformat(second.probe_at), budget_seconds=300)  # all twelve, however loaded the machine
    assert back.recovered and back.sent == 12 and not back.circuit_open
    assert unreachable_since() is None
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}
    ids = Counter(r.message["Message-ID"] for r in smtp.handler.received)
    assert len(ids) == 12 and set(ids.values()) == {1}
    # One deferred attempt for the whole outage, then one accepted send per message.
    assert Counter(Attempt.objects.values_list("outcome", flat=True)) == {"deferred": 1, "sent": 12}


def test_the_probe_slot_goes_to_one_process(campaign):
    now = timezone.now()
    MailServer.objects.create(name="default", circuit_opened_at=now, circuit_failures=1, circuit_next_probe_at=now)
    circuit = mail_circuit()
    assert circuit.gate(now) is Gate.PROBE
    assert circuit.gate(now) is Gate.OPEN


def test_the_sweep_never_reenqueues_itself_while_the_server_is_down(smtp, campaign):
    action = act(campaign)
    # More due than one batch takes: the case that used to re-enqueue the sweep at once, in a loop.
    Message.objects.bulk_create([Message(campaign=campaign, action=action, kind=Message.Kind.RECEIPT) for _ in range(510)])
    smtp.stop()
    DBTaskResult.objects.all().delete()

    report = send_due_messages.call()

    assert report["circuit_open"] and not report["unfinished"]
    queued = sweeps()
    assert len(queued) == 1  # one sweep, held until the probe is due, not one now
    # (a task enqueued to run at once carries run_after 9999-01-01: this one waits seconds, for the probe)
    assert timezone.now() < queued[0].run_after < timezone.now() + timedelta(seconds=30)
    for _ in range(3):
        assert send_due_messages.call()["circuit_open"]
    assert len(sweeps()) == 1
    assert Attempt.objects.count() == 1


def test_when_the_server_is_back_the_backlog_is_swept_at_once(smtp, campaign):
    for n in range(2):
        act(campaign, f"Person{n}", "Doe")
    smtp.stop()
    send_due()
    DBTaskResult.objects.all().delete()
    MailServer.objects.update(circuit_next_probe_at=timezone.now())
    smtp.start()

    report = send_due_messages.call()

    assert report["recovered"] and report["sent"] == 6
    assert len(sweeps()) == 1  # the follow-up sweep, due now


def test_the_backlog_of_an_outage_is_shared_by_every_living_worker(smtp, campaign):
    act(campaign)
    DBTaskResult.objects.all().delete()
    now = timezone.now()
    MailServer.objects.create(name="default", circuit_opened_at=now, circuit_failures=2, circuit_next_probe_at=now)
    for name in ("a", "b", "c"):
        WorkerHeartbeat.objects.create(worker_id=name, last_seen_at=now)
    WorkerHeartbeat.objects.create(worker_id="dead", last_seen_at=now - timedelta(hours=1))

    assert send_due_messages.call()["recovered"]
    assert len(sweeps()) == 3


def test_the_outbox_pages_say_since_when_the_mail_server_is_unreachable(staff_client, campaign, settings):
    settings.TIME_ZONE = "UTC"
    assert "unreachable" not in staff_client.get("/admin/delivery/message/").content.decode()
    opened = timezone.now().replace(hour=14, minute=7)
    MailServer.objects.create(name="default", circuit_opened_at=opened, circuit_failures=3, circuit_next_probe_at=opened)
    for page in ("/admin/delivery/message/", "/admin/delivery/outboxemail/"):
        html = staff_client.get(page).content.decode()
        assert "Mail server unreachable since 14:07" in html, page
    mail_circuit().close()
    assert "unreachable" not in staff_client.get("/admin/delivery/message/").content.decode()


def test_a_probe_slot_won_with_nothing_to_try_arranges_the_next_probe(smtp, campaign):
    now = timezone.now()
    MailServer.objects.create(name="default", circuit_opened_at=now, circuit_failures=1, circuit_next_probe_at=now)
    report = send_due(action_id=12345, now=now)  # an action with nothing due won the slot
    assert report.circuit_open and report.probe_at is not None
    assert datetime.fromisoformat(report.probe_at) > now
