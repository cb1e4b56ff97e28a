"""/metrics from `python -m outcry.server` with two worker processes: whichever process answers the
scrape, it reports the requests every process served (prometheus_client's multiprocess mode)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.delivery.test_worker_kill import database_url
from tests.ops.test_metrics import value
from tests.servers import http_request, production_server

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
TOKEN = "processes-token"


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, str]:
    status, _, text = http_request(port, "GET", path, headers=headers)
    return status, text


@pytest.fixture
def server(campaign, tmp_path):
    env = {"DATABASE_URL": database_url(), "METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
           "CACHE_KEY_PREFIX": f"metrics-{uuid.uuid4().hex[:8]}"}
    with production_server(env, tmp_path / "server.log") as port:
        yield port, tmp_path / "metrics"


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
