"""Fault tests (issue 14): Outcry keeps working by itself through a PostgreSQL restart and stop, a mail
server outage, Redis killed and a web process killed, under a stream of actions, with nothing lost or
doubled. Each run has its own PostgreSQL cluster, redis-server and SMTP server (tests/faults/harness.py);
the two stacks run at once, so the whole module takes about three minutes. PostgreSQL + Redis half of CI."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.faults import harness

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="fault runs belong to the PostgreSQL + Redis half of CI (they start their own PostgreSQL and Redis)",
    ),
    pytest.mark.skipif(bool(harness.missing_tools()), reason=f"needs {', '.join(harness.missing_tools())}"),
]


@pytest.fixture(scope="module")
def runs():
    root = Path(tempfile.mkdtemp(prefix="outcry-faults-"))
    os.chmod(root, 0o755)  # the cluster's files belong to the postgres user, who must reach them
    results = harness.run_all(root)
    (root / "results.json").write_text(json.dumps(results, indent=2, default=str))
    for name in ("postgres", "services"):
        assert "error" not in results[name], results[name]
    yield results | {"root": str(root)}
    # The logs and results.json stay for a look after a failure; the clusters' data goes.
    for data in root.glob("*/pg/pgdata"):
        shutil.rmtree(data, ignore_errors=True)


def show(run: dict) -> str:
    return json.dumps(run, default=str)


def exact(run: dict) -> None:
    assert run["settled"], show(run)
    assert run["acknowledged"] > 50, run
    assert run["stored_once"] == run["acknowledged"], "every acknowledged action is stored once: " + show(run)
    assert run["counter"] == run["counted_rows"] >= run["acknowledged"], "and counted: " + show(run)
    assert run["delivered"] == run["letters_owed"] and run["unsent"] == [], "every letter delivered: " + show(run)
    assert run["duplicated"] == 0, "none twice: " + show(run)
    assert run["workers_alive"] == 2 and run["web_alive"], "alive afterwards, without help: " + show(run)


def test_postgres_restart_and_20s_stop_lose_nothing_double_nothing_and_mail_resumes(runs):
    run = runs["postgres"]
    exact(run)
    for event, seconds in run["recovery_seconds"].items():
        assert seconds is not None and seconds <= 30, (event, seconds, show(run))


def test_a_mail_server_down_for_60s_is_swept_fewer_than_10_times_and_caught_up_within_30s(runs):
    run = runs["services"]
    exact(run)
    assert run["sweeps_during_smtp_outage"] < 10, run
    assert run["recovery_seconds"]["smtp down 60 s"] <= 30, run


def test_redis_killed_costs_no_error(runs):
    assert runs["services"]["errors_while_redis_down"] == {"actor_errors": 0, "reader_errors": 0}, show(runs["services"])


def test_a_killed_web_process_leaves_the_others_serving(runs):
    run = runs["services"]
    assert run["errors_after_web_kill"] == {"actor_errors": 0, "reader_errors": 0}, run
    assert run["web_processes_after"] == 2  # granian started a new one
