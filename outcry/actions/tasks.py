from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from outcry.actions import confirmation, counting
from outcry.jobs import scheduling


@task()
def flush_noted_counts() -> int:
    """Thank-you views noted in Redis (or in the worker's own memory) into the counter rows."""
    return counting.flush_noted()


@task(queue_name="delivery")
def resend_confirmation_task(campaign_id: int, email_hash: str) -> bool:
    """The resend endpoint's work, out of the request (confirmation.ask_for_resend)."""
    from outcry.campaigns.models import Campaign

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    return campaign is not None and confirmation.resend_confirmation(campaign, email_hash)


@task()
def expire_unconfirmed_actions() -> int:
    return confirmation.expire_unconfirmed()


scheduling.every(timedelta(minutes=1), flush_noted_counts)
scheduling.every(timedelta(hours=1), expire_unconfirmed_actions)
