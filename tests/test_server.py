from __future__ import annotations

import os
import subprocess
import sys

from outcry import server


def test_empty_worker_settings_mean_the_defaults(monkeypatch):
    # `make serve` passes WEB_WORKERS= and WEB_THREADS= through when they are not set.
    monkeypatch.setenv("WEB_WORKERS", "")
    monkeypatch.setenv("WEB_THREADS", "")
    assert server.default_workers() == (os.cpu_count() or 1)
    assert server.default_threads() == 4
    assert subprocess.run([sys.executable, "-m", "outcry.server", "--help"], env=os.environ, capture_output=True).returncode == 0


def test_serve_command_is_granian_with_workers_and_threads():
    cmd = server.command(host="127.0.0.1", port=8123, workers=3, threads=5)
    assert cmd[0].endswith("granian")
    assert cmd[cmd.index("--workers") + 1] == "3" and cmd[cmd.index("--blocking-threads") + 1] == "5"
    assert cmd[cmd.index("--port") + 1] == "8123" and cmd[-1] == "outcry.wsgi:application"


def test_each_server_gets_an_emptied_metrics_directory_of_its_own(monkeypatch, tmp_path):
    # prometheus_client's multiprocess mode sums every file in the directory: a file left by an earlier
    # server would add its counts to this one's.
    monkeypatch.setenv("OUTCRY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    (tmp_path / "metrics-8123").mkdir()
    (tmp_path / "metrics-8123" / "counter_999.db").write_bytes(b"old")
    assert server.metrics_dir(8123) == tmp_path / "metrics-8123"
    assert list((tmp_path / "metrics-8123").iterdir()) == []
    assert server.metrics_dir(8124) != server.metrics_dir(8123)
