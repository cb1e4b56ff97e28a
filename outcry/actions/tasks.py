from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from outcry.actions import counting
from outcry.jobs import scheduling


@task()
def flush_noted_counts() -> int:
    """Thank-you views noted in Redis (or in the worker's own memory) into the counter rows."""
    return counting.flush_noted()


scheduling.every(timedelta(minutes=1), flush_noted_counts)
