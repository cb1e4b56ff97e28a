from __future__ import annotations

from django.tasks import task

from outcry.delivery.sending import send_due


@task(queue_name="delivery")
def send_due_messages() -> int:
    return send_due()
