from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from outcry.jobs import scheduling
from outcry.reports import handin, services


@task()
def build_hand_in_task(hand_in_id: str) -> int:
    return handin.build_hand_in(hand_in_id).pages


@task()
def refresh_recent_rollups() -> int:
    return services.refresh_recent_rollups()


@task()
def rebuild_all_rollups() -> int:
    return services.rebuild_all_rollups()


@task()
def rebuild_campaign_rollups(campaign_id: int) -> int:
    return services.refresh_rollups(campaign_id)


scheduling.every(timedelta(minutes=5), refresh_recent_rollups)
scheduling.every(timedelta(hours=24), rebuild_all_rollups)
