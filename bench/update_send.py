"""An update sent to many consenting supporters, into a local aiosmtpd sink on 127.0.0.1.

For each scenario (1 worker, then 2), a fresh database: N counted actions that asked for updates
(100,000 by default) written straight into the table in bulk (COPY on PostgreSQL, executemany on
SQLite: the bench measures sending, not acting), one update whose fan-out into the outbox runs to
completion in the seeding process (timed on its own), then one send sweep queued per worker and the
workers (`manage.py worker`) started. Reports messages a second per worker (first accepted mail to
last, so start-up is left out) and each worker's resident memory, sampled every half second: at the
first mail, at its highest and at the end.

Pacing is lifted for the bench only, through settings (OUTCRY_UPDATE_RATE_PER_MINUTE and
OUTCRY_UPDATE_DOMAIN_RATE_PER_MINUTE set to 10**9 in the workers' environment); in production an
update goes out at 1,200 a minute, 300 a minute to any one domain. A scenario that has not sent
everything after --max-seconds stops there and reports the window it measured ("complete": false).

    python bench/update_send.py [--supporters N] [--workers 1,2] [--max-seconds 600]

Writes bench/results/update-send-<db>.json. For bench/run.py: `update_send.run(supporters=100_000)`.
Database: DELIVERY_BENCH_DATABASE_URL (dropped and created again per scenario), else a temporary SQLite file.
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

DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "example.org", "proton.me"]


def insert_actions(campaign, supporters: int) -> None:
    """N consenting counted actions, straight into the actions table in one bulk statement."""
    from django.db import connection, transaction

    from outcry.actions.models import Action
    from outcry.lib.hashing import hash_email

    model = Action(
        campaign=campaign, status=Action.Status.COUNTED, first_name="P", last_name="Bench", email="x@example.org",
        country="GB", consent_updates=True, consent_wording="Yes, keep me updated", language="en",
    )
    fields = [f for f in Action._meta.concrete_fields if not f.primary_key]
    template = [f.get_db_prep_save(f.pre_save(model, add=True), connection) for f in fields]
    index = {f.attname: i for i, f in enumerate(fields)}

    def rows():
        for n in range(supporters):
            row = list(template)
            email = f"person{n}@{DOMAINS[n % 5]}"
            row[index["first_name"]] = f"P{n}"
            row[index["email"]] = email
            row[index["email_hash"]] = hash_email(email)
            row[index["email_domain"]] = DOMAINS[n % 5]
            row[index["referral_code"]] = f"b{n:010d}"
            yield row

    table = connection.ops.quote_name(Action._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", list(rows()))


def seed(supporters: int, workers: int) -> dict:
    """In a child process with the bench database: the actions, the update, its fan-out; one sweep per worker."""
    started = time.monotonic()
    campaign = bench_campaign(action_kind="petition")
    from django_tasks_db.models import DBTaskResult

    from outcry.campaigns.models import CampaignUpdate
    from outcry.delivery.models import Message
    from outcry.delivery.tasks import send_due_messages
    from outcry.updates.services import fan_out, request_send

    insert_actions(campaign, supporters)
    inserted = time.monotonic()
    update = CampaignUpdate.objects.create(
        campaign=campaign, title="The letters were handed in",
        body="Thank you. " * 40 + "\n\n" + "What comes next, in a paragraph of ordinary length. " * 8,
    )
    request_send(update)
    while not fan_out(update.pk, budget_seconds=3600)[1]:
        pass
    fanned = time.monotonic()
    DBTaskResult.objects.all().delete()
    for _ in range(workers):
        send_due_messages.enqueue()
    return {
        "insert_seconds": round(inserted - started, 1), "fan_out_seconds": round(fanned - inserted, 1),
        "queued": Message.objects.filter(update=update).count(),
    }


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc), to tell the machine's load apart from our cost."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def scenario(supporters: int, workers: int, max_seconds: float) -> dict:
    handler = Timing()
    sink = SMTPServer(handler).start()
    with tempfile.TemporaryDirectory(prefix="outcry-update-bench-") as tmp:
        url = os.environ.get("DELIVERY_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/updates.sqlite3"
        if os.environ.get("DELIVERY_BENCH_DATABASE_URL"):
            _reset(url)
        env = _env(url, sink.url) | {
            # The bench's only departure from production settings: no pacing (see the docstring).
            "OUTCRY_UPDATE_RATE_PER_MINUTE": str(10**9), "OUTCRY_UPDATE_DOMAIN_RATE_PER_MINUTE": str(10**9),
        }
        try:
            out = subprocess.run([sys.executable, __file__, "--seed", str(supporters), "--workers", str(workers)],
                                 cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
            seeded = json.loads(out.strip().splitlines()[-1])
            processes = [
                subprocess.Popen([sys.executable, "manage.py", "worker", "--interval", "0.05"], cwd=ROOT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for _ in range(workers)
            ]
            rss = [{"at_first_mail": 0.0, "max": 0.0, "end": 0.0} for _ in processes]
            cpu = [0.0 for _ in processes]
            began = time.monotonic()
            while handler.count < seeded["queued"] and time.monotonic() - began < max_seconds and all(p.poll() is None for p in processes):
                for position, (process, memory) in enumerate(zip(processes, rss, strict=True)):
                    cpu[position] = cpu_seconds(process.pid) or cpu[position]
                    now = rss_mb(process.pid)
                    memory["max"] = max(memory["max"], now)
                    memory["end"] = now
                    if handler.count and not memory["at_first_mail"]:
                        memory["at_first_mail"] = now
                time.sleep(0.5)
            for position, (process, memory) in enumerate(zip(processes, rss, strict=True)):
                memory["end"] = rss_mb(process.pid) or memory["end"]
                cpu[position] = cpu_seconds(process.pid) or cpu[position]
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        finally:
            sink.stop()
    seconds = max(handler.last - handler.first, 1e-9)
    return {
        "workers": workers, "supporters": supporters, "queued": seeded["queued"], "messages": handler.count,
        "complete": handler.count >= seeded["queued"], "seconds": round(seconds, 1),
        "per_second": round((handler.count - 1) / seconds, 1),
        "per_worker_per_second": round((handler.count - 1) / seconds / workers, 1),
        "insert_seconds": seeded["insert_seconds"], "fan_out_seconds": seeded["fan_out_seconds"],
        # CPU seconds the workers used (start-up included): messages per CPU-second is what one worker
        # would send on a core of its own, whatever else the machine was doing.
        "worker_cpu_seconds": round(sum(cpu), 1),
        "messages_per_cpu_second": round(handler.count / max(sum(cpu), 1e-9), 1),
        "worker_rss_mb": [{k: round(v, 1) for k, v in memory.items()} for memory in rss],
        "load_average_at_end": os.getloadavg(),
    }


def run(supporters: int = 100_000, workers: tuple[int, ...] = (1, 2), max_seconds: float = 600) -> dict:
    return {
        "database": os.environ.get("DELIVERY_BENCH_DATABASE_URL", "sqlite").split("@")[-1],
        "pacing": "lifted for the bench: OUTCRY_UPDATE_RATE_PER_MINUTE and OUTCRY_UPDATE_DOMAIN_RATE_PER_MINUTE = 10**9",
        "scenarios": [scenario(supporters, n, max_seconds) for n in workers],
        "cpu_count": os.cpu_count(), "finished_at": datetime.now(UTC).isoformat(),
    }


def table(result: dict) -> str:
    lines = [
        f"Update send (consenting supporters into an aiosmtpd sink; database: {result['database']}; pacing lifted)",
        f"{'workers':>7}{'queued':>8}{'sent':>8}{'done':>6}{'seconds':>9}{'msg/s':>8}{'msg/s/worker':>14}"
        f"{'msg/CPU-s':>10}{'insert s':>10}{'fan-out s':>11}  RSS MB first/max/end per worker",
    ]
    for s in result["scenarios"]:
        memory = "  ".join(f"{m['at_first_mail']}/{m['max']}/{m['end']}" for m in s["worker_rss_mb"])
        lines.append(
            f"{s['workers']:>7}{s['queued']:>8}{s['messages']:>8}{'yes' if s['complete'] else 'no':>6}{s['seconds']:>9}"
            f"{s['per_second']:>8}{s['per_worker_per_second']:>14}{s['messages_per_cpu_second']:>10}{s['insert_seconds']:>10}{s['fan_out_seconds']:>11}  {memory}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--supporters", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts, one scenario each")
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed is not None:
        print(json.dumps(seed(args.seed, int(args.workers))))
        return
    result = run(supporters=args.supporters, workers=tuple(int(n) for n in args.workers.split(",")), max_seconds=args.max_seconds)
    print(table(result))
    engine = "postgresql" if os.environ.get("DELIVERY_BENCH_DATABASE_URL") else "sqlite"
    out = ROOT / "bench" / "results" / f"update-send-{engine}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
