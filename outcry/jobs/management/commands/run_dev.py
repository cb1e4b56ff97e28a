from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from outcry.lib.outbox import Backoff


class Supervised:
    """A child process that is started again whenever it exits on its own, after a growing pause, so
    a worker that dies anyway (a bug, the OOM killer) comes back without anyone noticing it had gone."""

    def __init__(self, command: list[str], name: str, say: Callable[[str], None]) -> None:
        self.command, self.name, self.say = command, name, say
        self.process = subprocess.Popen(command)
        self.started = time.monotonic()
        self.backoff = Backoff(first=1.0, longest=30.0)
        self.restart_at: float | None = None

    def check(self) -> None:
        now = time.monotonic()
        if self.restart_at is None and self.process.poll() is not None:
            if now - self.started > 60:
                self.backoff.reset()  # it ran fine for a while: this is a new failure, not a crash loop
            wait = self.backoff.next()
            self.say(f"The {self.name} stopped (exit code {self.process.returncode}); starting it again in {wait:.0f} s")
            self.restart_at = now + wait
        if self.restart_at is not None and now >= self.restart_at:
            self.process, self.started, self.restart_at = subprocess.Popen(self.command), now, None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the development web server and a task worker together; Ctrl-C stops both. A worker that dies is restarted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, **options: Any) -> None:
        manage = [sys.executable, "manage.py"]
        worker = Supervised(manage + ["worker"], "task worker", self.stdout.write)
        host = options["host"]
        address = f"[{host}]:{options['port']}" if ":" in host else f"{host}:{options['port']}"
        self.stdout.write(f"Outcry is at http://{address}/  (Ctrl-C stops the server and the worker)")
        web = subprocess.Popen(manage + ["runserver", address])
        # SIGTERM (from a process manager, or a test) stops both cleanly, like Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            while web.poll() is None:
                worker.check()
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            if web.poll() is None:
                web.send_signal(signal.SIGTERM)
            worker.stop()
            try:
                web.wait(timeout=10)
            except subprocess.TimeoutExpired:
                web.kill()
