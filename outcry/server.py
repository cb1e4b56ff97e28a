"""The production web server, shared by `make serve` and `make bench`: granian, chosen by measurement.

bench/run.py measured granian (Rust HTTP, keep-alive, Python threads per worker) at about ten times
gunicorn's sync workers on the minimal view on the same 2 cores, with half the memory; README
"Running at scale" has the numbers. One worker process per core (WEB_WORKERS), each with
WEB_THREADS threads so a request waiting on PostgreSQL or Redis does not idle the core. Each thread
keeps its own PostgreSQL connection (measured a little faster here than psycopg's pool, DB_POOL_SIZE).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
APP = "outcry.wsgi:application"
# The access log names no client (README promises no addresses in logs) and its paths go through
# outcry.lib.logs.AccessLogFilter, which redacts token links (outcry/granian-logging.json).
ACCESS_LOG_FORMAT = '[%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).3f'
LOG_CONFIG = Path(__file__).resolve().parent / "granian-logging.json"


def default_workers() -> int:
    return int(os.environ.get("WEB_WORKERS") or 0) or os.cpu_count() or 1


def default_threads() -> int:
    return int(os.environ.get("WEB_THREADS") or 0) or 4


def command(*, host: str, port: int, workers: int, threads: int, access_log: bool = True, kind: str = "granian") -> list[str]:
    if kind == "gunicorn":  # kept for comparison in bench/run.py --server gunicorn
        bind_host = f"[{host}]" if ":" in host else host
        return [
            str(BIN / "gunicorn"), APP, "--bind", f"{bind_host}:{port}", "--workers", str(workers),
            "--timeout", "300", *(["--threads", str(threads)] if threads > 1 else []),
            *(["--access-logfile", "-"] if access_log else []),
        ]
    return [
        str(BIN / "granian"), "--interface", "wsgi", "--host", host, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", str(threads), "--no-ws",
        # A worker that dies is replaced; one that leaks past 1 GB is recycled.
        "--respawn-failed-workers", "--workers-max-rss", "1024",
        "--log-config", str(LOG_CONFIG),
        *(["--access-log", "--access-log-fmt", ACCESS_LOG_FORMAT] if access_log else []), APP,
    ]


def metrics_dir(port: int) -> Path:
    """A fresh directory for prometheus_client's multiprocess mode (outcry/lib/metrics.py), one per port so
    two servers on one machine keep apart; emptied at start, as prometheus_client requires."""
    data = Path(os.environ.get("OUTCRY_DATA_DIR") or Path(__file__).resolve().parent.parent / "data")
    path = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or data / f"metrics-{port}")
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.db"):
        old.unlink()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--threads", type=int, default=default_threads())
    args = parser.parse_args()
    cmd = command(host=args.host, port=args.port, workers=args.workers, threads=args.threads)
    # Every worker process counts requests into this directory and a scrape of any one sums them all.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir(args.port))
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
