"""PostgreSQL restarted (`pg_ctl restart -m fast`) in the middle of a page-and-stats load, for `make bench`
(issue 12 item 5, issue 14 item 5): what readers and supporters saw, and whether every acknowledged action
was stored.

Its own PostgreSQL cluster (initdb/pg_ctl in a temporary directory) and redis-server (tests/faults/harness.py),
never the machine's; `python -m outcry.server` with two processes (tests/servers.py). Readers load the
campaign page (60 %) and the stats (40 %), each request on a new connection so it may reach either process;
two supporters act all the time. After WARM seconds PostgreSQL is restarted; the load goes on AFTER seconds.

    python bench/pg_restart.py        # prints the table, writes bench/results/pg-restart-<time>.json
    from bench import pg_restart; pg_restart.run()   # for bench/run.py
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "stop-detention-libya"
PAGE, STATS = f"/c/{SLUG}/", f"/api/v1/campaigns/{SLUG}/stats"
READERS, ACTORS = 6, 2
WARM, AFTER = 8.0, 15.0


@dataclass
class Seen:
    reads: list[tuple[float, str, int, float]] = field(default_factory=list)  # (at, kind, status, seconds)
    counts: dict[int, list[int]] = field(default_factory=dict)  # reader -> counts seen, in order
    acts: list[tuple[float, int]] = field(default_factory=list)  # (at, status)
    acknowledged: list[str] = field(default_factory=list)


def _load(port: int, stop: threading.Event, seen: Seen, lock: threading.Lock) -> list[threading.Thread]:
    from tests.servers import http_request

    def read(reader: int) -> None:
        counts = seen.counts.setdefault(reader, [])
        while not stop.is_set():
            kind = "page" if random.random() < 0.6 else "stats"
            started = time.time()
            try:
                status, _, text = http_request(port, "GET", PAGE if kind == "page" else STATS,
                                               headers={"Sec-Fetch-Site": "none"} if kind == "page" else {})
                if kind == "stats" and status == 200:
                    counts.append(json.loads(text)["count"])
            except OSError:
                status = 0
            with lock:
                seen.reads.append((started, kind, status, time.time() - started))

    def act() -> None:
        while not stop.is_set():
            email = f"b-{uuid.uuid4().hex[:12]}@example.com"
            data = {"first_name": "Bench", "last_name": "Restart", "email": email, "country": "GB"}
            try:
                status = http_request(port, "POST", PAGE, urlencode(data), {
                    "Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}",
                    "Sec-Fetch-Site": "same-origin",
                })[0]
            except OSError:
                status = 0
            with lock:
                seen.acts.append((time.time(), status))
                if status == 303:
                    seen.acknowledged.append(email)
            time.sleep(0.2)

    threads = [threading.Thread(target=read, args=(n,), daemon=True) for n in range(READERS)]
    threads += [threading.Thread(target=act, daemon=True) for _ in range(ACTORS)]
    for thread in threads:
        thread.start()
    return threads


def _summary(seen: Seen, restart: tuple[float, float], postgres, campaign_id: int) -> dict:
    began, back = restart
    window = (began, back + 5)  # the restart and the seconds after it, while connections come back
    before = [r for r in seen.reads if r[0] < began]
    during = [r for r in seen.reads if window[0] <= r[0] <= window[1]]
    span_before = max(began - min(r[0] for r in seen.reads), 1e-9) if seen.reads else 1.0

    def errors(rows, kind: str) -> int:
        return sum(1 for r in rows if r[1] == kind and r[2] != 200)

    step_backs = [(a, b) for counts in seen.counts.values() for a, b in zip(counts, counts[1:], strict=False) if b < a]
    acked = seen.acknowledged
    stored = dict(postgres.query(
        "SELECT email, count(*) FROM actions_action WHERE campaign_id = %s AND email = ANY(%s) GROUP BY email", campaign_id, acked,
    ))
    during_acts = [a for a in seen.acts if window[0] <= a[0] <= window[1]]
    reads_per_s_before = len(before) / span_before
    reads_per_s_during = len(during) / (window[1] - window[0])
    return {
        "restart_seconds": round(back - began, 2),
        "reads": len(seen.reads),
        "reads_per_s_before": round(reads_per_s_before, 1),
        "reads_per_s_during_restart": round(reads_per_s_during, 1),
        "reads_ratio_during_to_before": round(reads_per_s_during / reads_per_s_before, 2) if reads_per_s_before else None,
        "page_errors_during_restart": errors(during, "page"),
        "stats_errors_during_restart": errors(during, "stats"),
        "page_errors_total": errors(seen.reads, "page"),
        "stats_errors_total": errors(seen.reads, "stats"),
        "slowest_read_during_restart_s": round(max((r[3] for r in during), default=0.0), 3),
        "count_step_backs": len(step_backs),
        "largest_step_back": max((a - b for a, b in step_backs), default=0),
        "actions_tried": len(seen.acts),
        "acknowledged": len(acked),
        "acknowledged_during_restart": sum(1 for a in during_acts if a[1] == 303),
        "actions_503_during_restart": sum(1 for a in during_acts if a[1] == 503),
        "actions_other_errors": sum(1 for a in seen.acts if a[1] not in (303, 503)),
        "stored_once": sum(1 for email in acked if stored.get(email) == 1),
    }


def run() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outcry.settings")
    import django

    django.setup()
    from tests.faults import harness
    from tests.servers import site_on_its_own_postgres

    missing = harness.missing_tools()
    if missing:
        return {"skipped": f"needs {', '.join(missing)}"}
    with site_on_its_own_postgres("outcry-bench-pg-restart-") as (port, postgres):
        campaign_id = postgres.query("SELECT id FROM campaigns_campaign WHERE slug = %s", SLUG)[0][0]
        seen, lock, stop = Seen(), threading.Lock(), threading.Event()
        threads = _load(port, stop, seen, lock)
        time.sleep(WARM)
        began = time.time()
        postgres.restart()
        back = time.time()
        time.sleep(AFTER)
        stop.set()
        for thread in threads:
            thread.join(timeout=40)
        return _summary(seen, (began, back), postgres, campaign_id) | {
            "load": f"{READERS} readers (60 % page, 40 % stats, a new connection each), {ACTORS} supporters; "
                    f"restart after {WARM:.0f} s, {AFTER:.0f} s more", "load_average_at_end": os.getloadavg(),
        }

def table(report: dict) -> str:
    if "skipped" in report:
        return f"PostgreSQL restart: skipped ({report['skipped']})"
    r = report
    return "\n".join([
        "| PostgreSQL restart under page + stats load | |", "| --- | ---: |",
        f"| restart took | {r['restart_seconds']} s |",
        f"| reads/s during the restart (+5 s) ÷ before | {r['reads_ratio_during_to_before']} ({r['reads_per_s_during_restart']} / {r['reads_per_s_before']}) |",
        f"| page errors during the restart / in all | {r['page_errors_during_restart']} / {r['page_errors_total']} |",
        f"| stats errors during the restart / in all | {r['stats_errors_during_restart']} / {r['stats_errors_total']} |",
        f"| slowest read during the restart | {r['slowest_read_during_restart_s']} s |",
        f"| count step-backs seen by a reader | {r['count_step_backs']} (largest {r['largest_step_back']}) |",
        f"| actions: acknowledged (during the restart) / 503 during / other errors | {r['acknowledged']} ({r['acknowledged_during_restart']}) / {r['actions_503_during_restart']} / {r['actions_other_errors']} |",
        f"| acknowledged actions stored once | {r['stored_once']} / {r['acknowledged']} |",
    ])


if __name__ == "__main__":
    report = run()
    print(table(report))
    out = ROOT / "bench" / "results" / f"pg-restart-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWrote {out.relative_to(ROOT)}")
