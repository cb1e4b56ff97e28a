from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from outcry.integrations.services import deliver_due
from outcry.jobs import scheduling


@task()
def deliver_webhooks() -> int:
    return deliver_due()


# Retries wait in the table with their next_try_at; this sweep posts them when their time comes.
scheduling.every(timedelta(minutes=1), deliver_webhooks)
