"""The production web server's command line, shared by `make serve` and `make bench`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
APP = "outcry.wsgi:application"


def default_workers() -> int:
    return int(os.environ.get("WEB_WORKERS", "0")) or (os.cpu_count() or 1) * 2 + 1


def command(*, host: str, port: int, workers: int, access_log: bool = True, kind: str = "gunicorn", threads: int = 1) -> list[str]:
    bind_host = f"[{host}]" if ":" in host else host
    if kind == "granian":
        return [
            str(BIN / "granian"), "--interface", "wsgi", "--host", host, "--port", str(port),
            "--workers", str(workers), "--blocking-threads", str(threads), "--no-ws",
            *(["--access-log"] if access_log else []), APP,
        ]
    return [
        str(BIN / "gunicorn"), APP,
        "--bind", f"{bind_host}:{port}",
        "--workers", str(workers),
        # A sync worker only reports alive between requests: a long CSV export must fit in this.
        "--timeout", "300", "--graceful-timeout", "30",
        *(["--threads", str(threads)] if threads > 1 else []),
        *(["--access-logfile", "-", "--access-logformat", "%(m)s %(U)s %(s)s %(b)s %(M)sms"] if access_log else []),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    cmd = command(host=args.host, port=args.port, workers=args.workers)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
