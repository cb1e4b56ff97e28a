"""Real `manage.py worker` processes against a real SMTP server: one is killed with SIGKILL in the middle of a
send, another takes over. Checks the guarantee in sending.py: no message lost, at most one duplicate per
killed worker (the one it was sending), and the duplicate carries the same Message-ID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from outcry.campaigns.models import Campaign
from outcry.delivery.models import Attempt, Message, OutboxEmail
from outcry.delivery.tasks import send_due_messages
from tests.delivery.conftest import act

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(smtp_url: str, log: Path) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "EMAIL_URL": smtp_url,  # empty: the outbox, as with no settings
        "OUTCRY_DELIVERY_STALE_SECONDS": "3",
        "OUTCRY_DELIVERY_SWEEP_SECONDS": "1",
        "OUTCRY_DELIVERY_RETRY_SECONDS": "0",
    }
    env.pop("OUTCRY_TEST_DB_NAME", None)
    command = [sys.executable, "manage.py", "worker", "--interval", "0.1", "--schedule-every", "0.5"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_send_loses_nothing_and_duplicates_at_most_its_one_message(smtp, campaign, tmp_path):
    for n in range(8):
        act(campaign, f"Person{n}", "Doe")
    total = Message.objects.count()  # 8 actions x (2 letters + 1 receipt)
    assert total == 24
    # The server records each mail, then holds its answer: a kill lands after acceptance, before the
    # worker could record it, which is the case that can duplicate.
    smtp.handler.delay = 1.0
    send_due_messages.enqueue()
    log = tmp_path / "workers.log"

    first = start_worker(smtp.url, log)
    try:
        for _ in range(4):
            assert smtp.handler.data_started.acquire(timeout=60), log.read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    accepted_before_kill = len(smtp.handler.received)
    # The rest of its batch is reserved (sending, with a lease) but was never started: no attempt, no claim time.
    in_flight = Message.objects.get(status=Message.Status.SENDING, claimed_at__isnull=False)
    assert not in_flight.attempt_log.exists()
    reserved = Message.objects.filter(status=Message.Status.SENDING, claimed_at__isnull=True)
    assert not Attempt.objects.filter(message__in=reserved).exists() and not reserved.filter(attempts__gt=0).exists()

    smtp.handler.delay = 0
    second = start_worker(smtp.url, log)
    try:
        wait_for(lambda: Message.objects.filter(status=Message.Status.SENT).count() == total, 60, "every message sent")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)

    ids = Counter(received.message["Message-ID"] for received in smtp.handler.received)
    assert set(ids) == set(Message.objects.values_list("message_id", flat=True))  # nothing lost
    duplicates = {message_id: n for message_id, n in ids.items() if n > 1}
    assert duplicates == {in_flight.message_id: 2}  # only the one in flight when killed
    assert accepted_before_kill == 4
    in_flight.refresh_from_db()
    assert in_flight.attempts == 2
    assert list(in_flight.attempt_log.values_list("outcome", flat=True)) == [Attempt.Outcome.INTERRUPTED, Attempt.Outcome.SENT]
    # Only the message in flight is logged as interrupted; the reserved ones went out once, at their first attempt.
    assert Attempt.objects.filter(outcome=Attempt.Outcome.INTERRUPTED).count() == 1
    assert not Message.objects.exclude(pk=in_flight.pk).filter(attempts__gt=1).exists()
    assert second.returncode == 0  # stopped cleanly on SIGTERM


def test_with_no_email_settings_a_worker_fills_the_outbox_with_the_demos_letters(client, django_capture_on_commit_callbacks, tmp_path):
    call_command("load_demo", verbosity=0)
    demo = Campaign.objects.get(slug="stop-detention-libya")
    supporter = {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "country": "GB"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/c/{demo.slug}/", supporter).status_code == 303
    log = tmp_path / "worker.log"
    worker = start_worker("", log)
    try:
        # The letters to the targets a supporter from Britain writes to, and the receipt.
        owed = len(demo.targets_for("GB")) + 1
        wait_for(lambda: OutboxEmail.objects.filter(campaign=demo).count() == owed, 60, "the outbox to fill")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
    letters = OutboxEmail.objects.filter(campaign=demo, message__kind=Message.Kind.LETTER)
    assert sorted(o.to.split("<")[1].rstrip(">") for o in letters) == sorted(t.email for t in demo.targets_for("GB"))
    assert all(o.from_email == f'"Jane Doe via {demo.organisation.name}" <letters@{settings.MAIL_DOMAIN}>' for o in letters)
