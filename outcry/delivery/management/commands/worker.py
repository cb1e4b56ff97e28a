from __future__ import annotations

import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from outcry.scheduling import enqueue_due_jobs

logger = logging.getLogger(__name__)


def offer_scheduled_jobs(stop: threading.Event, every_seconds: float) -> None:
    while not stop.wait(every_seconds):
        try:
            close_old_connections()
            enqueue_due_jobs()
        except Exception:
            # The database may be briefly unreachable; the next tick tries again.
            logger.exception("Could not enqueue scheduled jobs")


class Command(BaseCommand):
    help = "Run one task worker: sends letters and emails and runs scheduled jobs. Stops cleanly on SIGTERM."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls of an empty queue.")
        parser.add_argument("--schedule-every", type=float, default=15.0, help="Seconds between checks for due scheduled jobs.")

    def handle(self, *args, **options) -> None:
        stop = threading.Event()
        ticker = threading.Thread(target=offer_scheduled_jobs, args=(stop, options["schedule_every"]), daemon=True)
        ticker.start()
        try:
            call_command("db_worker", queue_name="*", interval=options["interval"], reload=False, startup_delay=True)
        finally:
            stop.set()
