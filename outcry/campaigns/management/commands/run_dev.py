from __future__ import annotations

import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the development web server and a task worker together; Ctrl-C stops both."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, **options) -> None:
        manage = [sys.executable, "manage.py"]
        worker = subprocess.Popen(manage + ["worker"])
        host = options["host"]
        address = f"[{host}]:{options['port']}" if ":" in host else f"{host}:{options['port']}"
        self.stdout.write(f"Outcry is at http://{address}/  (Ctrl-C stops the server and the worker)")
        web = subprocess.Popen(manage + ["runserver", address])
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for process in (web, worker):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in (web, worker):
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
