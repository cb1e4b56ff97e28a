"""Jobs that run on a schedule, with no extra process: every task worker offers to start them, and
a conditional UPDATE on the job's row lets exactly one worker enqueue each run.

    # in outcry/<app>/tasks.py
    @task()
    def send_digests() -> int: ...
    scheduling.every(timedelta(minutes=5), send_digests)

Scheduled tasks must be idempotent: a run that dies is simply run again at the next slot.

When to enqueue (the one rule for all background work): when the task row lives in the same database
as the rows the task is about (django-tasks-db, Outcry's backend), enqueue inside the transaction that
writes them, so the rows and their task commit or roll back together and no row is left without its
nudge. When the queue lives elsewhere (another database, a broker), enqueue with
transaction.on_commit, so a task never runs for rows that were rolled back. Either way the rows are the
truth and a periodic sweep picks up whatever a lost task left.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from outcry.jobs.models import ScheduledJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    task: Task[..., Any]
    interval: timedelta


_schedules: dict[str, Schedule] = {}


def every(interval: timedelta, task: Task[..., Any]) -> Task[..., Any]:
    _schedules[task.module_path] = Schedule(task=task, interval=interval)
    return task


def schedules() -> dict[str, Schedule]:
    autodiscover_modules("tasks")
    return dict(_schedules)


def enqueue_due_jobs() -> list[str]:
    """Enqueue every scheduled task whose slot has come, once across all workers. Returns their names."""
    now = timezone.now()
    started = []
    for name, schedule in schedules().items():
        try:
            with transaction.atomic():
                ScheduledJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
        except IntegrityError:
            pass
        claimed = ScheduledJob.objects.filter(name=name, next_run_at__lte=now).update(
            next_run_at=now + schedule.interval, last_run_at=now
        )
        if claimed:
            schedule.task.enqueue()
            started.append(name)
    return started
