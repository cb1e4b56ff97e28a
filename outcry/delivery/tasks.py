"""Delivery's background work. Each task is idempotent: the outbox rows, not the tasks, are the truth."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.tasks import task

from outcry import scheduling
from outcry.delivery import services
from outcry.delivery.sending import send_due


@task(queue_name="delivery")
def send_action_messages(action_id: int) -> dict:
    """Right after an action commits: its letters, receipt or confirmation request."""
    return asdict(send_due(action_id=action_id))


@task(queue_name="delivery")
def send_due_messages() -> dict:
    """The sweep: retries that have come due, stale claims of dead workers, anything a lost task left."""
    report = send_due()
    if report.unfinished:
        # Stopped at the batch size or time budget with more waiting: carry on now, not at the next slot.
        send_due_messages.enqueue()
    return asdict(report)


@task(queue_name="delivery")
def send_digests() -> int:
    made = services.make_digests()
    if made:
        send_due_messages.enqueue()
    return len(made)


@task()
def expire_unconfirmed_actions() -> int:
    return services.expire_unconfirmed()


scheduling.every(timedelta(seconds=settings.OUTCRY_DELIVERY_SWEEP_SECONDS), send_due_messages)
scheduling.every(timedelta(minutes=5), send_digests)
scheduling.every(timedelta(hours=1), expire_unconfirmed_actions)
