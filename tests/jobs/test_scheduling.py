from __future__ import annotations

from datetime import timedelta

import pytest
from django.tasks import task
from django_tasks_db.models import DBTaskResult

from outcry.jobs import scheduling
from outcry.jobs.models import ScheduledJob

pytestmark = pytest.mark.django_db


@task()
def tick() -> int:
    return 1


@pytest.fixture
def only_tick(monkeypatch):
    monkeypatch.setattr(scheduling, "_schedules", {})
    monkeypatch.setattr(scheduling, "schedules", lambda: dict(scheduling._schedules))
    scheduling.every(timedelta(minutes=5), tick)


def test_a_due_job_is_enqueued_once_until_its_next_slot(only_tick):
    assert scheduling.enqueue_due_jobs() == [tick.module_path]
    assert scheduling.enqueue_due_jobs() == []
    assert DBTaskResult.objects.filter(task_path=tick.module_path).count() == 1
    ScheduledJob.objects.update(next_run_at=ScheduledJob.objects.get().next_run_at - timedelta(minutes=6))
    assert scheduling.enqueue_due_jobs() == [tick.module_path]
    assert DBTaskResult.objects.filter(task_path=tick.module_path).count() == 2
