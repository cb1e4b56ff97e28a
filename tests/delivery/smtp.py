"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests and benchmarks: records what it accepts, and can be
told to answer with an error, to be slow, or to go away and come back on the same port."""

from __future__ import annotations

import asyncio
import email
import email.message
import email.policy
import logging
import threading
from collections import deque
from dataclasses import dataclass

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage
    raw: bytes


class Handler:
    def __init__(self) -> None:
        self.received: list[Received] = []
        # Answers to DATA, used once each in order; when empty, mail is accepted.
        self.data_answers: deque[str] = deque()
        # Answers to RCPT TO for given addresses, every time.
        self.rcpt_answers: dict[str, str] = {}
        # Seconds to hold DATA after recording the mail: models a server that accepted it but answers late.
        self.delay = 0.0
        # Released once per DATA, after the mail is recorded: lets a test act while a send is in flight.
        self.data_started = threading.Semaphore(0)
        self.parse = True
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options: list[str]) -> str:
        if address in self.rcpt_answers:
            return self.rcpt_answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            answer = self.data_answers.popleft() if self.data_answers else None
        if answer:
            self.data_started.release()
            return answer
        raw = envelope.original_content or envelope.content
        # Parsed as a mail client would, with line ends as Python writes them.
        message = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=email.policy.default) if self.parse else None
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, raw))
        self.data_started.release()
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 2.0.0 Accepted"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


class _Controller(Controller):
    def _trigger_server(self) -> None:
        # Bound to port 0: learn the port the system chose before the controller connects to it.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SMTPServer:
    def __init__(self, handler: Handler | None = None) -> None:
        self.handler = handler or Handler()
        self.port = 0
        self._controller: _Controller | None = None

    def start(self) -> SMTPServer:
        # After a stop(), come back on the same port, as a restarted mail server would.
        self._controller = _Controller(self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self._controller.start()
        self.port = self._controller.port
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def mailers(self) -> dict:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }
