"""The update fan-out task. Idempotent: the update's watermark, not the task, is the truth."""

from __future__ import annotations

from django.conf import settings
from django.tasks import task

from outcry.delivery.tasks import send_due_messages
from outcry.delivery.workers import live_workers
from outcry.updates.services import fan_out


@task(queue_name="delivery")
def fan_out_update(update_id: int) -> int:
    queued, finished = fan_out(update_id)
    if not finished:
        # Stopped at the time budget with more to queue: carry on in a fresh task, so one long list
        # never holds a worker (or a lock) for long.
        fan_out_update.enqueue(update_id)
    if queued:
        # One sweep per living worker, so a long list is shared by all of them (their claims never clash);
        # each sweep that stops with more due queues its own successor.
        for _ in range(max(1, min(live_workers(), -(-queued // settings.OUTCRY_SEND_BATCH)))):
            send_due_messages.enqueue()
    return queued
