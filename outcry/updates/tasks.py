"""The update fan-out task. Idempotent: the update's watermark, not the task, is the truth."""

from __future__ import annotations

from django.tasks import task

from outcry.delivery.tasks import send_due_messages
from outcry.updates.services import fan_out


@task(queue_name="delivery")
def fan_out_update(update_id: int) -> int:
    queued, finished = fan_out(update_id)
    if not finished:
        # Stopped at the time budget with more to queue: carry on in a fresh task, so one long list
        # never holds a worker (or a lock) for long.
        fan_out_update.enqueue(update_id)
    if queued:
        send_due_messages.enqueue()
    return queued
