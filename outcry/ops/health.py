"""What /healthz and /metrics read at the moment they are asked: the database, the cache, the task
workers' heartbeats (outcry.delivery.workers), the outbox and the task queue.

Every read here is small and indexed (counts of the few rows not yet sent or run, never of the sent
ones), and a database that does not answer is reported, not raised.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from outcry.delivery.models import Message, WorkerHeartbeat
from outcry.delivery.sending import unreachable_since
from outcry.lib.outbox import DATABASE_ERRORS, lease_length

# Messages owed and not yet sent; `batched` letters wait for their target's digest on purpose.
OWED = (Message.Status.PENDING, Message.Status.DEFERRED, Message.Status.SENDING)
QUEUED = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


@dataclass
class Health:
    status: str  # "ok"; "degraded": serving, but the cache or the workers are away; "down": no database
    database: bool
    cache: bool
    workers_alive: int
    last_beat_seconds_ago: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DATABASE_ERRORS:
        connection.close_if_unusable_or_obsolete()
        return False
    return True


def cache_answers() -> bool:
    # The Redis cache turns an unreachable server into a miss (outcry/lib/redis_cache.py): a value
    # written and read back is the only proof it answers.
    key, value = f"healthz:{os.getpid()}", secrets.token_hex(8)
    cache.set(key, value, 60)
    return cache.get(key) == value


def worker_beats() -> tuple[int, float | None]:
    """Living task workers (a heartbeat within the lease) and how long ago the newest one beat."""
    now = timezone.now()
    found = WorkerHeartbeat.objects.aggregate(
        alive=Count("pk", filter=Q(last_seen_at__gte=now - lease_length())), newest=Max("last_seen_at"),
    )
    newest = found["newest"]
    return found["alive"], (round((now - newest).total_seconds(), 1) if newest else None)


def check() -> Health:
    database = database_answers()
    alive, beat = worker_beats() if database else (0, None)
    cached = cache_answers()
    status = "down" if not database else "ok" if cached and alive else "degraded"
    return Health(status=status, database=database, cache=cached, workers_alive=alive, last_beat_seconds_ago=beat)


class QueueCollector(Collector):
    """Gauges read from the database at scrape time: the same in every process, so multiprocess mode
    needs nothing from them."""

    def collect(self) -> Iterator[Metric]:
        started = time.monotonic()
        up = GaugeMetricFamily("outcry_database_up", "1 when this scrape could read the database.")
        try:
            families = list(self._read())
        except DATABASE_ERRORS:
            connection.close_if_unusable_or_obsolete()
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families
        took = GaugeMetricFamily("outcry_metrics_read_seconds", "How long this scrape's database reads took.")
        took.add_metric([], time.monotonic() - started)
        yield took

    def _read(self) -> Iterator[Metric]:
        now = timezone.now()
        outbox = GaugeMetricFamily("outcry_outbox_messages", "Messages owed and not yet sent, by status.", labels=["status"])
        by_status = dict(
            Message.objects.filter(status__in=OWED + (Message.Status.BATCHED,)).values_list("status").annotate(n=Count("pk"))
        )
        for status in (*OWED, Message.Status.BATCHED):
            outbox.add_metric([status], by_status.get(status, 0))
        yield outbox
        oldest = Message.objects.filter(status__in=OWED).aggregate(oldest=Min("created_at"))["oldest"]
        age = GaugeMetricFamily(
            "outcry_outbox_oldest_owed_seconds", "Age of the oldest message owed (pending, deferred or sending); 0 when none.",
        )
        age.add_metric([], (now - oldest).total_seconds() if oldest else 0)
        yield age
        tasks = GaugeMetricFamily("outcry_tasks", "Task rows waiting (READY) or running, by queue.", labels=["queue", "status"])
        counts = DBTaskResult.objects.filter(status__in=QUEUED).values_list("queue_name", "status").annotate(n=Count("pk"))
        for queue, status, n in counts:
            tasks.add_metric([queue, status], n)
        yield tasks
        alive, beat = worker_beats()
        workers = GaugeMetricFamily("outcry_workers_alive", "Task workers whose heartbeat is within the lease.")
        workers.add_metric([], alive)
        yield workers
        if beat is not None:
            last = GaugeMetricFamily("outcry_worker_last_beat_seconds", "Seconds since the newest worker heartbeat.")
            last.add_metric([], beat)
            yield last
        since = unreachable_since()
        mail = GaugeMetricFamily(
            "outcry_mail_server_unreachable_since", "Unix time the mail server stopped answering; 0 while it answers.",
        )
        mail.add_metric([], since.timestamp() if since else 0)
        yield mail
