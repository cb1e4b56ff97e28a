from __future__ import annotations

from django.tasks import task

from outcry.campaigns import services


@task()
def build_campaign_images_task(campaign_id: int) -> int:
    return services.build_campaign_images(campaign_id)
