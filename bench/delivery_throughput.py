"""Delivery throughput: messages a second per worker, to a local aiosmtpd sink on 127.0.0.1.

Two ways of sending, each on a fresh database:
  - "sweep": one worker process running the outbox sweep (send_due_messages), which sends in batches over
    one SMTP connection;
  - "per action": what acting enqueues, one send_action_messages task per action (two letters and a
    receipt over one connection), with 1 and then 2 worker processes sharing the queue.
Each scenario times from the first mail the sink accepts to the last, so worker start-up is left out.

    python bench/delivery_throughput.py [--actions N]  # prints a table, writes bench/results/delivery-<db>.json

For bench/run.py: `from bench import delivery_throughput; results = delivery_throughput.run(actions=1000)`
returns {"scenarios": [{"name", "workers", "messages", "seconds", "per_second", "per_worker_per_second"}],
"database", "actions", "finished_at"}. Database: DELIVERY_BENCH_DATABASE_URL, else a temporary SQLite
file (what `make run` uses).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.delivery.smtp import Handler, SMTPServer  # noqa: E402


class Timing(Handler):
    """Accepts every mail without parsing it, and notes when the first and the last arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.parse = False
        self.count = 0
        self.first = 0.0
        self.last = 0.0
        self.counter_lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        now = time.monotonic()
        with self.counter_lock:
            self.count += 1
            self.first = self.first or now
            self.last = now
        return "250 2.0.0 Accepted"


def bench_campaign(**fields: object):
    """In a child process with the bench database: Django set up, migrated, and a new live campaign of a
    new organisation, with these fields."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outcry.settings")
    django.setup()
    from django.core.management import call_command

    from outcry.campaigns.models import Campaign, Organisation

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(name="Bench Org", slug=f"bench-{time.time_ns()}")
    return Campaign.objects.create(
        organisation=organisation, slug=organisation.slug, title="Bench campaign", summary="Bench",
        status=Campaign.Status.LIVE, **fields,
    )


def seed(actions: int, enqueue: str) -> int:
    """In a child process with the bench database: a campaign, N actions and their messages."""
    campaign = bench_campaign(
        action_kind="letter", delivery_mode="individual", target_hourly_limit=0,
        letter_subject="Bench letter", letter_salutation="Dear Minister,",
        letter_body="Please act.\n\n" + "A paragraph of a typical letter, about this long. " * 12,
    )
    from outcry.actions.services import ActionData, take_action
    from outcry.campaigns.models import Target
    from outcry.delivery.models import Message
    from outcry.delivery.tasks import send_due_messages

    for position in range(2):
        Target.objects.create(campaign=campaign, name=f"Target {position}", email=f"target{position}@example.org", position=position)
    for n in range(actions):
        # Outside any transaction on_commit runs at once: per-action mode enqueues one task per action.
        take_action(campaign=campaign, data=ActionData(
            first_name=f"Person{n}", last_name="Bench", email=f"person{n}@example.com", country="GB",
        ))
    if enqueue == "sweep":
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.all().delete()
        send_due_messages.enqueue()
    return Message.objects.count()


def _env(database_url: str, smtp_url: str) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url, "EMAIL_URL": smtp_url, "LOG_LEVEL": "WARNING", "DEBUG": "0",
        "OUTCRY_TESTING": "", "OUTCRY_DELIVERY_SWEEP_SECONDS": "3600",
    }


def scenario(name: str, *, workers: int, actions: int, mode: str, database_url: str) -> dict:
    handler = Timing()
    sink = SMTPServer(handler).start()
    env = _env(database_url, sink.url)
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--seed", str(actions), "--enqueue", mode],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout
        messages = int(out.strip().splitlines()[-1])
        processes = [
            subprocess.Popen([sys.executable, "manage.py", "worker", "--interval", "0.05"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(workers)
        ]
        deadline = time.monotonic() + 600
        while handler.count < messages and time.monotonic() < deadline:
            time.sleep(0.05)
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    finally:
        sink.stop()
    seconds = max(handler.last - handler.first, 1e-9)
    rate = (handler.count - 1) / seconds
    return {
        "name": name, "workers": workers, "messages": handler.count, "expected": messages,
        "seconds": round(seconds, 3), "per_second": round(rate, 1), "per_worker_per_second": round(rate / workers, 1),
    }


def run(actions: int = 1000) -> dict:
    results = []
    with tempfile.TemporaryDirectory(prefix="outcry-delivery-bench-") as tmp:
        for name, workers, mode in (("sweep", 1, "sweep"), ("per action", 1, "tasks"), ("per action", 2, "tasks")):
            url = os.environ.get("DELIVERY_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/{mode}-{workers}.sqlite3"
            if os.environ.get("DELIVERY_BENCH_DATABASE_URL"):
                _reset(url)
            results.append(scenario(name, workers=workers, actions=actions, mode=mode, database_url=url))
    database = os.environ.get("DELIVERY_BENCH_DATABASE_URL", "sqlite").split("@")[-1]
    return {"actions": actions, "database": database, "scenarios": results, "finished_at": datetime.now(UTC).isoformat()}


def _reset(database_url: str) -> None:
    """A PostgreSQL bench database starts empty each scenario (dropped and created again)."""
    import psycopg

    base, _, name = database_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def table(results: dict) -> str:
    lines = [f"Delivery throughput ({results['actions']} actions, 3 messages each; database: {results['database']})",
             f"{'scenario':<14}{'workers':>8}{'messages':>10}{'seconds':>9}{'msg/s':>9}{'msg/s/worker':>14}"]
    for s in results["scenarios"]:
        lines.append(f"{s['name']:<14}{s['workers']:>8}{s['messages']:>10}{s['seconds']:>9}{s['per_second']:>9}{s['per_worker_per_second']:>14}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--enqueue", default="tasks", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed is not None:
        print(seed(args.seed, args.enqueue))
        return
    results = run(actions=args.actions)
    print(table(results))
    engine = "postgresql" if os.environ.get("DELIVERY_BENCH_DATABASE_URL") else "sqlite"
    out = ROOT / "bench" / "results" / f"delivery-{engine}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
