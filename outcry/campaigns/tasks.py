from __future__ import annotations

from django.tasks import task

from outcry.campaigns import services, story_images


@task()
def build_campaign_images_task(campaign_id: int) -> int:
    return services.build_campaign_images(campaign_id)


@task()
def build_story_image_task(image_id: int) -> str:
    return story_images.build_story_image(image_id)
