"""A worker that dies anyway is started again: by `make run` (run_dev), and by systemd in production
(deploy/systemd/outcry-worker.service, Restart=always)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow
ROOT = Path(settings.BASE_DIR)
UNIT = ROOT / "deploy" / "systemd" / "outcry-worker.service"


def children(pid: int) -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def worker_of(pid: int) -> int | None:
    return next((child for child, cmd in children(pid).items() if "manage.py worker" in cmd), None)


def wait_for(condition, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    return None


def test_make_runs_worker_is_started_again_when_it_dies(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}", "EMAIL_URL": ""}
    env.pop("OUTCRY_TEST_DB_NAME", None)
    log = (tmp_path / "run_dev.log").open("wb")
    run_dev = subprocess.Popen([sys.executable, "manage.py", "run_dev", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        first = wait_for(lambda: worker_of(run_dev.pid), 60)
        assert first, (tmp_path / "run_dev.log").read_text()
        os.kill(first, signal.SIGKILL)
        second = wait_for(lambda: (w := worker_of(run_dev.pid)) and w != first and w, 30)
        assert second, (tmp_path / "run_dev.log").read_text()
        assert run_dev.poll() is None  # the web server carried on
    finally:
        run_dev.send_signal(signal.SIGTERM)
        run_dev.wait(timeout=30)
    assert "starting it again" in (tmp_path / "run_dev.log").read_text()
    assert worker_of(run_dev.pid) is None


def test_the_systemd_unit_restarts_the_worker_always():
    text = UNIT.read_text()
    assert "Restart=always" in text and "manage.py worker" in text
    assert "KillSignal=SIGTERM" in text
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed: the unit's syntax is not checked here")
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(UNIT)], capture_output=True, text=True)
    # verify warns about paths that exist only on a real deployment (/srv/outcry); it must not find unit errors.
    errors = [line for line in result.stderr.splitlines() if "/srv/outcry" not in line and "outcry" not in line.split(":")[0]]
    assert not [line for line in errors if "Unknown" in line or "Failed to parse" in line or "Invalid" in line], result.stderr
