"""Task rows left RUNNING by a worker that died are run again by the sweep, or failed after three runs;
a slow task whose worker still beats is left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outcry.delivery.models import WorkerHeartbeat
from outcry.delivery.tasks import send_due_messages
from outcry.delivery.workers import recover_lost_tasks

pytestmark = pytest.mark.django_db


def running(worker_ids: list[str], minutes_ago: float = 2) -> DBTaskResult:
    result = send_due_messages.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status="RUNNING", worker_ids=worker_ids, started_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return row


def status(row: DBTaskResult) -> str:
    return DBTaskResult.objects.get(pk=row.pk).status


def test_a_task_left_running_by_a_dead_worker_runs_again():
    row = running(["dead-worker"])
    assert recover_lost_tasks() == {"retried": 1, "failed": 0}
    assert status(row) == "READY"
    assert recover_lost_tasks() == {"retried": 0, "failed": 0}


def test_a_slow_task_whose_worker_still_beats_is_left_running():
    row = running(["busy-worker"])
    WorkerHeartbeat.objects.create(worker_id="busy-worker", task_id=row.pk, last_seen_at=timezone.now())
    assert recover_lost_tasks() == {"retried": 0, "failed": 0}
    assert status(row) == "RUNNING"


def test_a_living_worker_that_moved_on_from_the_task_does_not_protect_it():
    row = running(["forgetful-worker"])
    WorkerHeartbeat.objects.create(worker_id="forgetful-worker", task_id=None, last_seen_at=timezone.now())
    assert recover_lost_tasks()["retried"] == 1
    assert status(row) == "READY"


def test_a_task_that_three_workers_started_and_none_finished_is_failed_not_retried():
    row = running(["w1", "w2", "w3"])
    assert recover_lost_tasks() == {"retried": 0, "failed": 1}
    failed = DBTaskResult.objects.get(pk=row.pk)
    assert failed.status == "FAILED" and failed.exception_class_path.endswith("WorkerLost")
    assert "w3" in failed.traceback


def test_a_task_just_started_is_not_touched():
    row = running(["new-worker"], minutes_ago=0)
    assert recover_lost_tasks() == {"retried": 0, "failed": 0}
    assert status(row) == "RUNNING"
