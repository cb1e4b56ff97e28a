"""Several processes, one truth: two web servers and two task workers against one PostgreSQL and one
Redis. Concurrent actions, with repeats of the same email, go through both servers; the stored actions,
the count and the letters that reach a real SMTP server must all be exact: nothing lost, nothing doubled."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

from outcry import server
from outcry.actions.models import Action, CountShard
from outcry.delivery.addresses import parse_address
from outcry.delivery.models import Message
from tests.delivery.smtp import SMTPServer
from tests.delivery.test_worker_kill import database_url, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs DATABASE_URL=postgres://…: several processes share one database only on PostgreSQL",
    ),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the processes share one Redis cache"),
]

ROOT = Path(settings.BASE_DIR)
SUPPORTERS = 40
TARGETS = ["minister@example.org", "president@example.org"]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_action(port: int, data: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    # A browser's same-origin POST (outcry/lib/csrf.py): no token needed.
    conn.request("POST", "/c/free-them/", urlencode(data), {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}",
    })
    return conn.getresponse().status


def live_count(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/api/v1/campaigns/free-them/stats")
    return json.loads(conn.getresponse().read())["count"]


@pytest.fixture
def processes(campaign, tmp_path):
    """Two production web servers (two processes of two threads each) and two `manage.py worker`s, mail to a real SMTP server."""
    smtp = SMTPServer().start()
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "EMAIL_URL": smtp.url,
        "CACHE_KEY_PREFIX": f"processes-{uuid.uuid4().hex[:8]}",
        # Every client of this test is on loopback: let rate limits and the anti-bot check through.
        "BENCH_EXEMPT_LOOPBACK": "1",
        "OUTCRY_DELIVERY_SWEEP_SECONDS": "1",
    }
    env.pop("OUTCRY_TEST_DB_NAME", None)
    log = (tmp_path / "processes.log").open("ab")
    ports = [free_port(), free_port()]
    started = [
        subprocess.Popen(server.command(host="127.0.0.1", port=port, workers=2, threads=2, access_log=False),
                         cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        for port in ports
    ] + [
        subprocess.Popen([sys.executable, "manage.py", "worker", "--interval", "0.2", "--schedule-every", "1"],
                         cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]

    def up(port: int) -> bool:
        try:
            live_count(port)
            return True
        except OSError:
            return False

    try:
        for port in ports:
            wait_for(lambda port=port: up(port), 60, f"the web server on port {port}")
        yield ports, smtp
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()
        log.close()


def test_concurrent_actions_through_two_servers_and_two_workers_are_exact(processes, campaign):
    ports, smtp = processes
    people = [{"first_name": f"Person{n}", "last_name": "Doe", "email": f"person{n}@example.com", "country": "GB"}
              for n in range(SUPPORTERS)]
    # Every supporter acts twice, once through each server, at the same moment; a quarter act a third
    # time with their address in other case and spacing, which must count as the same address.
    attempts = [(ports[0], p) for p in people] + [(ports[1], p) for p in people]
    attempts += [(ports[n % 2], p | {"email": f"  PERSON{n}@Example.com "}) for n, p in enumerate(people[::4])]
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda a: post_action(*a), attempts))

    assert Counter(statuses) == {303: len(attempts)}, "every attempt is answered like a success"
    assert Action.objects.filter(status=Action.Status.COUNTED).count() == SUPPORTERS
    assert Action.objects.filter(status=Action.Status.DUPLICATE).count() == len(attempts) - SUPPORTERS
    counted_emails = Action.objects.filter(status=Action.Status.COUNTED).values_list("email", flat=True)
    assert sorted(e.strip().lower() for e in counted_emails) == sorted(p["email"] for p in people)
    shards = CountShard.objects.filter(campaign=campaign, metric=CountShard.Metric.ACTIONS)
    assert sum(shards.values_list("count", flat=True)) == SUPPORTERS
    # Both servers show the exact count within a few seconds (their caches expire).
    for port in ports:
        wait_for(lambda port=port: live_count(port) == SUPPORTERS, 15, f"the count on port {port}")

    def letters() -> list:
        return [r for r in smtp.handler.received if set(r.rcpt_tos) & set(TARGETS)]

    wait_for(lambda: len(letters()) >= SUPPORTERS * len(TARGETS), 90, "every letter to reach the SMTP server")
    def supporter(received) -> str:
        # Each letter's Reply-To is its own address (outcry/delivery/addresses.py), which names the letter.
        _kind, message_id = parse_address(received.message["Reply-To"].addresses[0].addr_spec)
        return Message.objects.select_related("action").get(pk=message_id).action.email.lower()

    delivered = Counter((r.rcpt_tos[0], supporter(r)) for r in letters())
    expected = {(target, p["email"]) for target in TARGETS for p in people}
    assert set(delivered) == expected, "each supporter's letter reached each target"
    assert max(delivered.values()) == 1, "no letter was sent twice"
    assert Message.objects.filter(kind=Message.Kind.LETTER, status=Message.Status.SENT).count() == SUPPORTERS * len(TARGETS)
