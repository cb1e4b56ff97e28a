from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from outcry.delivery.workers import Worker
from outcry.jobs.scheduling import enqueue_due_jobs
from outcry.lib.outbox import DATABASE_ERRORS, drop_connection

logger = logging.getLogger(__name__)


def offer_scheduled_jobs(stop: threading.Event, every_seconds: float) -> None:
    while not stop.wait(every_seconds):
        try:
            close_old_connections()
            enqueue_due_jobs()
        except DATABASE_ERRORS:
            # The database is away (restart, failover): the next tick tries again on a new connection.
            logger.warning("Could not enqueue scheduled jobs: database unreachable")
            drop_connection()
        except Exception:
            logger.exception("Could not enqueue scheduled jobs")


class Command(BaseCommand):
    help = (
        "Run one task worker: sends letters and emails and runs scheduled jobs. Survives a database, Redis or "
        "mail server outage; stops cleanly on SIGTERM."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls of an empty queue.")
        parser.add_argument("--schedule-every", type=float, default=15.0, help="Seconds between checks for due scheduled jobs.")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        ticker = threading.Thread(target=offer_scheduled_jobs, args=(stop, options["schedule_every"]), daemon=True)
        ticker.start()
        worker = Worker(
            queue_names=["*"], interval=options["interval"], batch=False, backend_name="default",
            startup_delay=True, max_tasks=None, excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
