from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run one task worker: sends letters and emails, and runs Outcry's scheduled jobs. Stops cleanly on SIGTERM."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, **options) -> None:
        call_command("db_worker", queue_name="*", interval=options["interval"], reload=False)
