"""Fault runs for `make bench`: the same runs as tests/faults (each on its own PostgreSQL cluster,
redis-server and SMTP server, both stacks at once, about three minutes), reported as a table.

    python bench/faults.py        # prints the table, writes bench/results/faults-<time>.json
    from bench import faults; faults.run()  # for bench/run.py: {"runs": …, "rows": [...]}
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = ["run", "acknowledged", "actor errors", "reader errors", "letters owed", "delivered", "duplicated",
           "recovery s", "workers alive", "note"]


def rows(runs: dict) -> list[dict]:
    out = []
    for name in ("postgres", "services"):
        run = runs.get(name, {})
        if "error" in run:
            out.append({"run": name, "note": run["error"]})
            continue
        recovery = ", ".join(f"{event}: {seconds}" for event, seconds in run["recovery_seconds"].items())
        note = f"stored once {run['stored_once']}/{run['acknowledged']}, counter {run['counter']} = rows {run['counted_rows']}"
        if name == "services":
            note += (f"; sweeps during the SMTP outage {run['sweeps_during_smtp_outage']}; errors while Redis down "
                     f"{sum(run['errors_while_redis_down'].values())}; after the web kill {sum(run['errors_after_web_kill'].values())}"
                     f" (at it {sum(run['errors_at_web_kill'].values())})")
        out.append({
            "run": name, "acknowledged": run["acknowledged"], "actor errors": run["actor_errors"],
            "reader errors": run["reader_errors"], "letters owed": run["letters_owed"], "delivered": run["delivered"],
            "duplicated": run["duplicated"], "recovery s": recovery, "workers alive": run["workers_alive"], "note": note,
        })
    return out


def table(report: dict) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(row.get(column, "")) for column in COLUMNS) + " |" for row in report["rows"]]
    return "\n".join(lines)


def run() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outcry.settings")
    from tests.faults import harness

    missing = harness.missing_tools()
    if missing:
        return {"skipped": f"needs {', '.join(missing)}", "rows": []}
    root = Path(tempfile.mkdtemp(prefix="outcry-bench-faults-"))
    os.chmod(root, 0o755)
    try:
        runs = harness.run_all(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {"runs": runs, "rows": rows(runs), "load_average_at_end": os.getloadavg(),
            "note": "measured on a shared 2-core machine: both stacks and their load run at once"}


if __name__ == "__main__":
    report = run()
    print(table(report))
    out = ROOT / "bench" / "results" / f"faults-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWrote {out.relative_to(ROOT)}")
