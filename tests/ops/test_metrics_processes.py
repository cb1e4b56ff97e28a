"""/metrics from `python -m outcry.server` with two worker processes: whichever process answers the
scrape, it reports the requests every process served (prometheus_client's multiprocess mode)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from tests.delivery.test_worker_kill import database_url, wait_for
from tests.faults.harness import free_port
from tests.ops.test_metrics import value

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
TOKEN = "processes-token"


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, body


@pytest.fixture
def server(campaign, tmp_path):
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": database_url(), "METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "CACHE_KEY_PREFIX": f"metrics-{port}",
    }
    env.pop("OUTCRY_TEST_DB_NAME", None)
    log = (tmp_path / "server.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "outcry.server", "--port", str(port), "--workers", "2", "--threads", "2"],
                               cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)

    def up() -> bool:
        try:
            return get(port, "/healthz")[0] in (200, 503)
        except OSError:
            return False

    try:
        wait_for(up, 60, "the web server")
        yield port, tmp_path / "metrics"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_every_scrape_counts_the_requests_of_every_process(server):
    port, directory = server
    made = 0
    # Until both processes have served some (which one accepts a connection is the kernel's choice).
    with ThreadPoolExecutor(max_workers=8) as pool:
        while len(list(directory.glob("counter_*.db"))) < 2 and made < 800:
            statuses = list(pool.map(lambda _: get(port, "/api/v1/campaigns/free-them/stats")[0], range(40)))
            assert statuses == [200] * 40
            made += 40
    assert len(list(directory.glob("counter_*.db"))) == 2, "both web processes served and counted"
    seen = set()
    for _ in range(8):
        status, text = get(port, "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        seen.add(value(text, "outcry_requests_total", view="api:stats", status="200"))
    assert seen == {float(made)}, "each scrape, whichever process answered it, sums both processes' counts"
