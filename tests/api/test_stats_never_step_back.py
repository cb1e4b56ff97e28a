"""A reader of the stats never sees the count step back (issue 14 item 5), whichever web process answers:
two granian processes on one PostgreSQL and one Redis, actions arriving all the time, readers opening a
new connection for each read (so their reads land on both processes)."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from urllib.parse import urlencode

import pytest

from tests.delivery.test_worker_kill import database_url
from tests.servers import http_request, production_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"),
        reason="needs PostgreSQL and Redis: processes share copies only through Redis",
    ),
]


def stats(port: int) -> int:
    return json.loads(http_request(port, "GET", "/api/v1/campaigns/free-them/stats")[2])["count"]


def act(port: int) -> None:
    data = {"first_name": "Ana", "last_name": "Reader", "email": f"r-{uuid.uuid4().hex[:10]}@example.com", "country": "GB"}
    http_request(port, "POST", "/c/free-them/", urlencode(data), {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin",
    })


@pytest.fixture
def server(campaign, tmp_path):
    # A prefix of its own each run: the last good copies outlive a run by OUTCRY_STALE_SECONDS, and an earlier
    # run's count (of another database) served while this run builds its first copy is not a step back.
    env = {"DATABASE_URL": database_url(), "CACHE_KEY_PREFIX": f"monotonic-{uuid.uuid4().hex[:8]}", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    with production_server(env, tmp_path / "server.log") as port:
        yield port


def test_the_count_a_reader_sees_never_steps_back_across_two_processes(server):
    port = server
    stop = threading.Event()
    reads: list[list[int]] = [[], [], []]

    def actor() -> None:
        while not stop.is_set():
            act(port)

    def reader(seen: list[int]) -> None:
        while not stop.is_set():
            seen.append(stats(port))

    threads = [threading.Thread(target=actor) for _ in range(2)] + [threading.Thread(target=reader, args=(r,)) for r in reads]
    for thread in threads:
        thread.start()
    time.sleep(12)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    for seen in reads:
        assert len(seen) > 50 and seen[-1] > seen[0], "the count moved while they read"
        backs = [(a, b) for a, b in zip(seen, seen[1:], strict=False) if b < a]
        assert backs == [], f"stepped back {len(backs)} times, by up to {max(a - b for a, b in backs)}"
