"""The task worker process: django-tasks-db's worker made to outlive its database, its liveness row,
and the recovery of task rows that a dead worker left RUNNING.

django-tasks-db's loop ends on the first database error that is not "database is locked", and when a
task fails on a dropped connection its `set_failed()` fails on the same connection and ends the process
too. `Worker` keeps that loop (claiming with SELECT … FOR UPDATE SKIP LOCKED, signals, the task
signals) and wraps it: a lost connection is closed, the worker backs off with jitter and carries on, and
a task whose outcome could not be written is put back to run again once the database answers (every
task here is idempotent: the outbox rows, not the tasks, are the truth).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import datetime
from typing import Any

from django.db import connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult

from outcry.delivery.models import WorkerHeartbeat
from outcry.lib.outbox import DATABASE_ERRORS, Backoff, drop_connection, heartbeat, lease_length, persist

logger = logging.getLogger(__name__)

# A task that three workers in a row started and none finished is taken to kill its worker: failed, not retried.
MAX_RUNS = 3
PROCESS = f"{socket.gethostname()}:{os.getpid()}"


class WorkerLost(Exception):
    """Recorded on a task row whose worker stopped before finishing it."""


def retry_or_fail(task_id: Any, runs: int, started_at: datetime | None, reason: str) -> str | None:
    """Put a RUNNING task row back to READY to run again, or mark it failed once it has had MAX_RUNS runs.
    Conditional on the row still being the same run, so two sweeps cannot both act on it."""
    row = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at)
    if runs < MAX_RUNS:
        return TaskResultStatus.READY if row.update(status=TaskResultStatus.READY) else None
    failed = row.update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now(), return_value=None,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}", traceback=reason,
    )
    return TaskResultStatus.FAILED if failed else None


def recover_lost_tasks(now: datetime | None = None) -> dict[str, int]:
    """Task rows still RUNNING although no living worker runs them (it was killed, or lost its database
    while recording): run them again, or fail them after MAX_RUNS. Called by the scheduled sweep."""
    now = now or timezone.now()
    cutoff = now - lease_length()
    running_now = {
        worker_id: task_id
        for worker_id, task_id in WorkerHeartbeat.objects.filter(last_seen_at__gte=cutoff).values_list("worker_id", "task_id")
    }
    done = {"retried": 0, "failed": 0}
    lost = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    for task_id, worker_ids, started_at in lost.values_list("id", "worker_ids", "started_at"):
        worker = worker_ids[-1] if worker_ids else None
        if worker in running_now and str(running_now[worker]) == str(task_id):
            continue  # slow, not lost: its worker still beats with this task
        why = f"Worker {worker} stopped before finishing this task (no heartbeat since {cutoff:%H:%M:%S})."
        outcome = retry_or_fail(task_id, len(worker_ids), started_at, why)
        if outcome == TaskResultStatus.READY:
            done["retried"] += 1
        elif outcome == TaskResultStatus.FAILED:
            done["failed"] += 1
    WorkerHeartbeat.objects.filter(last_seen_at__lt=now - 1000 * lease_length()).delete()
    if any(done.values()):
        logger.warning("Task rows left running by dead workers: %s", done)
    return done


def live_workers(now: datetime | None = None) -> int:
    return WorkerHeartbeat.objects.filter(last_seen_at__gte=(now or timezone.now()) - lease_length()).count()


def close_all_connections() -> None:
    for alias in connections:
        try:
            connections[alias].close()
        except Exception:  # noqa: BLE001 - the server already dropped it
            logger.debug("closing a dead connection failed", exc_info=True)


class Worker(DatabaseWorker):
    """django-tasks-db's worker, restarted in place after a database error, with a liveness row."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("worker_id", f"{PROCESS}:{get_random_string(8)}"[-64:])
        super().__init__(**kwargs)
        self.task_id: Any = None
        self.backoff = Backoff(first=0.5, longest=5.0)

    def beat(self) -> None:
        now = timezone.now()
        if not WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(last_seen_at=now, task_id=self.task_id):
            WorkerHeartbeat.objects.create(
                worker_id=self.worker_id, process=PROCESS, started_at=now, last_seen_at=now, task_id=self.task_id
            )

    def run(self) -> None:
        heartbeat.callbacks.append(self.beat)
        heartbeat.start()
        try:
            while self.running:
                try:
                    super().run()
                    return
                except DATABASE_ERRORS as error:
                    # A SIGTERM during this sleep exits at once (django-tasks-db's handler), as when idle.
                    wait = self.backoff.next()
                    logger.warning("Database unreachable (%s); the worker tries again in %.1f s", type(error).__name__, wait)
                    close_all_connections()
                    self.startup_delay = False
                    time.sleep(wait)
        finally:
            heartbeat.callbacks.remove(self.beat)
            try:
                persist(lambda: WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete(), within=2, what="sign off")
            except DATABASE_ERRORS:
                pass  # the row ages out; the sweep does not wait on it

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.task_id = db_task_result.id
        self.backoff.reset()
        try:
            super().run_task(db_task_result)
        except DATABASE_ERRORS:
            # The task's outcome could not be written: django-tasks-db's set_failed() ran on the same dead
            # connection. Once the database answers, put the row back to run again; if it stays away
            # longer, recover_lost_tasks does it later.
            logger.warning("Task %s: its outcome could not be recorded; it will run again", db_task_result.id)
            drop_connection()
            runs, started_at = len(db_task_result.worker_ids), db_task_result.started_at
            reason = "The database connection was lost while recording this task."
            try:
                persist(lambda: retry_or_fail(db_task_result.id, runs, started_at, reason), what="put a task back")
            except DATABASE_ERRORS:
                logger.warning("Task %s: database still unreachable; the sweep will recover it", db_task_result.id)
        finally:
            self.task_id = None
