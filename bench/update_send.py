"""An update sent to many consenting supporters, into a local aiosmtpd sink on 127.0.0.1.

Seeds N counted actions that asked for updates (100,000 by default), asks for one update to be sent with
pacing switched off, and runs one `manage.py worker` that fans it out and sends it. Reports messages a
second (first accepted mail to last, so start-up is left out) and the worker's resident memory, sampled
every half second: at the first mail and at its highest. The fan-out reads one batch of ids at a time
(OUTCRY_UPDATE_BATCH), so the memory should not grow with the list.

    python bench/update_send.py [--supporters N]   # prints a table, writes bench/results/update-send-<db>.json

For bench/run.py: `from bench import update_send; update_send.run(supporters=100_000)`. Database:
DELIVERY_BENCH_DATABASE_URL, else a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.delivery_throughput import Timing, _env, _reset, bench_campaign  # noqa: E402
from tests.delivery.smtp import SMTPServer  # noqa: E402


def seed(supporters: int) -> int:
    """In a child process with the bench database: a campaign, N consenting counted actions, one update asked for."""
    campaign = bench_campaign(action_kind="petition")
    from django_tasks_db.models import DBTaskResult

    from outcry.actions.models import Action
    from outcry.campaigns.models import CampaignUpdate
    from outcry.lib.hashing import hash_email
    from outcry.updates.services import request_send

    # Written in bulk: the bench measures sending, not acting. Five providers, as a real list has.
    domains = ["gmail.com", "yahoo.com", "outlook.com", "example.org", "proton.me"]
    for start in range(0, supporters, 5000):
        Action.objects.bulk_create([
            Action(
                campaign=campaign, status=Action.Status.COUNTED, first_name=f"P{n}", last_name="Bench",
                email=f"person{n}@{domains[n % 5]}", email_hash=hash_email(f"person{n}@{domains[n % 5]}"),
                email_domain=domains[n % 5], country="GB", consent_updates=True, consent_wording="Yes",
                referral_code=f"b{n:010d}",
            )
            for n in range(start, min(start + 5000, supporters))
        ])
    update = CampaignUpdate.objects.create(
        campaign=campaign, title="The letters were handed in",
        body="Thank you. " * 40 + "\n\n" + "What comes next, in a paragraph of ordinary length. " * 8,
    )
    DBTaskResult.objects.all().delete()
    request_send(update)
    return supporters


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(supporters: int = 100_000) -> dict:
    handler = Timing()
    sink = SMTPServer(handler).start()
    with tempfile.TemporaryDirectory(prefix="outcry-update-bench-") as tmp:
        url = os.environ.get("DELIVERY_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/updates.sqlite3"
        if os.environ.get("DELIVERY_BENCH_DATABASE_URL"):
            _reset(url)
        env = _env(url, sink.url) | {
            "OUTCRY_UPDATE_RATE_PER_MINUTE": str(10**9), "OUTCRY_UPDATE_DOMAIN_RATE_PER_MINUTE": str(10**9),
        }
        try:
            subprocess.run([sys.executable, __file__, "--seed", str(supporters)], cwd=ROOT, env=env, check=True, capture_output=True)
            worker = subprocess.Popen([sys.executable, "manage.py", "worker", "--interval", "0.05"], cwd=ROOT, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            rss_first, rss_max = 0.0, 0.0
            deadline = time.monotonic() + 3600
            while handler.count < supporters and time.monotonic() < deadline and worker.poll() is None:
                rss = rss_mb(worker.pid)
                rss_max = max(rss_max, rss)
                if handler.count and not rss_first:
                    rss_first = rss
                time.sleep(0.5)
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        finally:
            sink.stop()
    seconds = max(handler.last - handler.first, 1e-9)
    return {
        "supporters": supporters, "messages": handler.count, "seconds": round(seconds, 1),
        "per_worker_per_second": round((handler.count - 1) / seconds, 1),
        "worker_rss_mb_at_first_mail": round(rss_first, 1), "worker_rss_mb_max": round(rss_max, 1),
        "database": os.environ.get("DELIVERY_BENCH_DATABASE_URL", "sqlite").split("@")[-1],
        "load_average_at_end": os.getloadavg(), "finished_at": datetime.now(UTC).isoformat(),
    }


def table(result: dict) -> str:
    return "\n".join([
        f"Update send ({result['supporters']} consenting supporters, one worker; database: {result['database']})",
        f"{'messages':>10}{'seconds':>9}{'msg/s/worker':>14}{'RSS first MB':>14}{'RSS max MB':>12}",
        f"{result['messages']:>10}{result['seconds']:>9}{result['per_worker_per_second']:>14}"
        f"{result['worker_rss_mb_at_first_mail']:>14}{result['worker_rss_mb_max']:>12}",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--supporters", type=int, default=100_000)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed is not None:
        print(seed(args.seed))
        return
    result = run(supporters=args.supporters)
    print(table(result))
    engine = "postgresql" if os.environ.get("DELIVERY_BENCH_DATABASE_URL") else "sqlite"
    out = ROOT / "bench" / "results" / f"update-send-{engine}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
