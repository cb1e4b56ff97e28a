"""The production web server (`python -m outcry.server`) in a process of its own, for tests that need
real HTTP through several processes."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.faults.harness import Postgres, Redis, free_port, wait_until


def http_request(port: int, method: str, path: str, body: str = "", headers: dict | None = None) -> tuple[int, Any, str]:
    """(status, headers (any case), text) of one request on a connection of its own."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body, headers or {})
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    return response.status, response.headers, text


def _answers(port: int) -> bool:
    try:
        return http_request(port, "GET", "/healthz")[0] == 200
    except OSError:
        return False


@contextmanager
def production_server(env: dict[str, str], log: Path, *, workers: int = 2, threads: int = 2) -> Iterator[int]:
    """`python -m outcry.server` with `env` added to this environment, on a free port it yields, until the end."""
    port = free_port()
    env = os.environ | {"SITE_URL": f"http://127.0.0.1:{port}", "BENCH_EXEMPT_LOOPBACK": "1"} | env
    env.pop("OUTCRY_TEST_DB_NAME", None)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "outcry.server", "--port", str(port), "--workers", str(workers), "--threads", str(threads)],
            cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            assert wait_until(lambda: _answers(port), 90), f"the server did not start; see {log}"
            yield port
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def site_on_its_own_postgres(prefix: str) -> Iterator[tuple[int, Postgres]]:
    """A PostgreSQL cluster and a redis-server of its own (never the machine's), migrated with the demo
    campaigns, and production_server() on them: yields (port, postgres) for a test or bench to break."""
    # Not under pytest's tmp_path (private to this user): the cluster's files belong to the postgres user.
    root = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(root, 0o755)
    postgres = Postgres(root / "pg")
    redis = Redis(root)
    env = {"DATABASE_URL": postgres.url, "REDIS_URL": f"redis://127.0.0.1:{redis.port}/0", "DEBUG": "0", "LOG_LEVEL": "WARNING",
           "OUTCRY_TESTING": "", "PYTEST_XDIST_WORKER": "", "PROMETHEUS_MULTIPROC_DIR": str(root / "metrics")}
    try:
        with (root / "server.log").open("ab") as log:
            for command in (["migrate", "--noinput", "-v0"], ["load_demo", "-v0"]):
                subprocess.run([sys.executable, "manage.py", *command], cwd=settings.BASE_DIR, env=os.environ | env,
                               check=True, stdout=log, stderr=subprocess.STDOUT)
        with production_server(env, root / "server.log") as port:
            yield port, postgres
    finally:
        redis.kill()
        try:
            postgres.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped by what broke it
        shutil.rmtree(root / "pg" / "pgdata", ignore_errors=True)  # the logs stay for a look after a failure
