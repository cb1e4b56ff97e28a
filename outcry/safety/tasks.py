from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from outcry.jobs import scheduling
from outcry.safety import ratelimit, reconcile
from outcry.safety.services import alert_new_waves, apply_retention


@task()
def anonymise_expired_personal_data() -> int:
    return apply_retention()


scheduling.every(timedelta(hours=1), anonymise_expired_personal_data)


@task()
def forget_expired_limits() -> int:
    return ratelimit.forget_expired()


scheduling.every(timedelta(minutes=10), forget_expired_limits)


@task()
def reconcile_counts() -> dict[int, int]:
    return reconcile.reconcile_counts()


scheduling.every(timedelta(minutes=15), reconcile_counts)


@task()
def check_velocity() -> int:
    return len(alert_new_waves())


scheduling.every(timedelta(minutes=5), check_velocity)
