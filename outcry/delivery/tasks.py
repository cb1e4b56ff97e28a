"""Delivery's background work. Each task is idempotent: the outbox rows, not the tasks, are the truth."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import task

from outcry.delivery import services
from outcry.delivery.sending import Report, send_due
from outcry.delivery.workers import live_workers, recover_lost_tasks
from outcry.jobs import scheduling

SWEEP_PRIORITY = 10


def follow_up(report: Report) -> dict:
    """What a run of send_due asks for next, without ever looping hot:
    - the mail server went away and this run must arrange the next probe: one sweep, delayed until then;
    - the server is back after an outage, or a batch stopped at its size or time budget with more
      waiting and the server up: one sweep now.
    A run that found the circuit open (another process arranges the probe) enqueues nothing.
    """
    # Ahead of the per-action tasks: after an outage they queue up, and the backlog is the sweep's.
    sweep = send_due_messages.using(priority=SWEEP_PRIORITY)
    if report.probe_at:
        sweep.using(run_after=datetime.fromisoformat(report.probe_at)).enqueue()
    elif report.recovered:
        # The backlog of a whole outage: one sweep per living worker, so they share it (their claims never clash).
        for _ in range(max(live_workers(), 1)):
            sweep.enqueue()
    elif report.unfinished and not report.circuit_open:
        sweep.enqueue()
    return asdict(report)


@task(queue_name="delivery")
def send_action_messages(action_id: int) -> dict:
    """Right after an action commits: its letters, receipt or confirmation request."""
    report = send_due(action_id=action_id)
    # After an outage, only a sweep carries the backlog; this task's own action is not enough.
    report.unfinished = False
    return follow_up(report)


@task(queue_name="delivery")
def send_message(message_id: int) -> dict:
    """Right after a message that belongs to no action is owed (the your-data link)."""
    report = send_due(message_id=message_id)
    report.unfinished = False
    return follow_up(report)


@task(queue_name="delivery")
def send_due_messages() -> dict:
    """The sweep: retries that have come due, lapsed leases of dead workers, anything a lost task left,
    and task rows left running by a worker that died."""
    recover_lost_tasks()
    return follow_up(send_due())


@task(queue_name="delivery")
def send_digests() -> int:
    made = services.make_digests()
    if made:
        send_due_messages.enqueue()
    return len(made)


scheduling.every(timedelta(seconds=settings.OUTCRY_DELIVERY_SWEEP_SECONDS), send_due_messages)
scheduling.every(timedelta(minutes=5), send_digests)
