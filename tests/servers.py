"""The production web server (`python -m outcry.server`) in a process of its own, for tests that need
real HTTP through several processes."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.faults.harness import free_port, wait_until


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
