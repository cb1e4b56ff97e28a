from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from outcry.campaigns import services, story_images
from outcry.jobs import scheduling


@task()
def build_campaign_images_task(campaign_id: int) -> int:
    return services.build_campaign_images(campaign_id)


@task()
def build_story_image_task(image_id: int) -> str:
    return story_images.build_story_image(image_id)


@task()
def open_and_close_campaigns() -> dict[str, list[int]]:
    return services.open_and_close_due()


# Scheduled openings and closings happen within a minute of their time.
scheduling.every(timedelta(minutes=1), open_and_close_campaigns)
