from __future__ import annotations

import asyncio
import logging
import signal

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from outcry.delivery.addresses import parse_address
from outcry.delivery.services import receive_mail

logger = logging.getLogger(__name__)
# aiosmtpd logs every SMTP command, addresses included, at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def _store(raw: bytes, recipients: list[str]) -> None:
    close_old_connections()
    receive_mail(raw, recipients)


class InboundHandler:
    """Accepts mail only for genuine r-/b- addresses (checked without the database, at RCPT), and stores it.

    A failure to store answers 451, so the relay keeps the mail and tries again: nothing is lost.
    """

    def __init__(self, lmtp: bool = False) -> None:
        self.lmtp = lmtp

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]) -> str:
        if parse_address(address) is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            # The ORM is synchronous: one worker thread stores, in the order mail arrives.
            await sync_to_async(_store, thread_sensitive=True)(raw, list(envelope.rcpt_tos))
        except Exception:
            logger.exception("Could not store inbound mail")
            answer = "451 4.3.0 Could not store the message now; try again later"
        else:
            answer = "250 2.0.0 Stored"
        # LMTP answers DATA once per recipient.
        return "\r\n".join([answer] * len(envelope.rcpt_tos)) if self.lmtp else answer


class Command(BaseCommand):
    help = "Receive replies and bounces by SMTP (or LMTP with --lmtp) on INBOUND_HOST:INBOUND_PORT. Stops on SIGTERM."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=settings.INBOUND_HOST)
        parser.add_argument("--port", type=int, default=settings.INBOUND_PORT)
        parser.add_argument("--lmtp", action="store_true", default=settings.INBOUND_LMTP, help="Speak LMTP instead of SMTP.")

    def handle(self, *args, **options) -> None:
        asyncio.run(self.serve(options["host"], options["port"], options["lmtp"]))

    async def serve(self, host: str, port: int, lmtp: bool) -> None:
        handler = InboundHandler(lmtp=lmtp)
        protocol = LMTP if lmtp else SMTP

        def factory() -> SMTP:
            return protocol(
                handler, data_size_limit=settings.OUTCRY_INBOUND_MAX_BYTES, enable_SMTPUTF8=True,
                hostname=settings.MAIL_DOMAIN, ident="Outcry inbound",
            )

        loop = asyncio.get_running_loop()
        server = await loop.create_server(factory, host=host, port=port)
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        bound = server.sockets[0].getsockname()
        # Tests start this on port 0 and read the real port from this line.
        self.stdout.write(f"Inbound {'LMTP' if lmtp else 'SMTP'} listening on {bound[0]}:{bound[1]}", ending="\n")
        self.stdout.flush()
        await stop.wait()
        server.close()
        await server.wait_closed()
