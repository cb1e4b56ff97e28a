"""Parsing mail that comes back: replies to a letter's r-<token> address and delivery status notifications
(RFC 3464) to its b-<token> envelope sender. Pure functions over bytes: nothing here writes.

Inbound mail is hostile input. The listener refuses anything over OUTCRY_INBOUND_MAX_BYTES before this
runs; here every header is read defensively (a malformed one becomes empty, never an exception), HTML is
only ever kept after nh3's allowlist, and attachments are kept only when small, of a safe type and their
first bytes agree with that type.
"""

from __future__ import annotations

import email
import email.policy
import html as html_lib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message

import nh3
from django.conf import settings

from outcry.lib.sanitise import sanitise_html

MAX_TEXT = 100_000
MAX_ATTACHMENTS = 5
# Content types kept, each with the bytes a genuine file of that type starts with.
SAFE_TYPES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "text/plain": (b"",),
}
AUTH_METHODS = ("spf", "dkim", "dmarc")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Reply:
    from_address: str
    subject: str
    text: str
    html: str
    automatic: bool
    authentication_results: str
    auth: dict[str, str]
    attachments: list[Attachment] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)


@dataclass
class Status:
    """One recipient's fate in a DSN: action is failed, delayed, delivered, relayed or expanded."""

    action: str
    status: str
    diagnostic: str
    recipient: str

    @property
    def hard(self) -> bool:
        return self.action == "failed" and self.status.startswith("5")


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def header(message: Message, name: str, limit: int = 300) -> str:
    """A header as one line of text; a malformed header reads as empty rather than raising."""
    try:
        value = message.get(name)
    except Exception:
        return ""
    return " ".join(CONTROL.sub(" ", str(value or "")).split())[:limit]


def _text_of(part: Message) -> str:
    try:
        return part.get_content()  # type: ignore[attr-defined]
    except Exception:
        # An unknown charset or a broken transfer encoding: keep what can be read.
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)


def _html_to_text(markup: str) -> str:
    # nh3 drops every tag (and the contents of script and style); what is left is text with entities.
    text = nh3.clean(markup, tags=set())
    return re.sub(r"\n{3,}", "\n\n", html_lib.unescape(text)).strip()


def _from_address(message: Message) -> str:
    try:
        addresses = message["From"].addresses  # type: ignore[union-attr]
        return CONTROL.sub("", addresses[0].addr_spec)[:320] if addresses else ""
    except Exception:
        return ""


def authentication(message: Message) -> tuple[str, dict[str, str]]:
    """The Authentication-Results headers as received, and the first result for SPF, DKIM and DMARC.

    Only meaningful when the relay in front strips these headers from incoming mail and adds its own
    (README: Targets and replies); otherwise a sender could write them.
    """
    try:
        values = [" ".join(str(v).split()) for v in message.get_all("Authentication-Results") or []]
    except Exception:
        values = []
    joined = "\n".join(values)[:4000]
    results = {}
    for method in AUTH_METHODS:
        found = re.search(rf"\b{method}=([a-z]+)", joined, re.IGNORECASE)
        if found:
            results[method] = found[1].lower()
    return joined, results


def _safe_filename(name: str | None) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return " ".join(CONTROL.sub(" ", name).split())[:200] or "attachment"


def _attachments(message: EmailMessage) -> tuple[list[Attachment], list[dict]]:
    kept: list[Attachment] = []
    dropped: list[dict] = []
    try:
        parts = list(message.iter_attachments()) if message.is_multipart() else []
    except Exception:
        parts = []
    for part in parts:
        filename = _safe_filename(part.get_filename())
        content_type = part.get_content_type()
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        info = {"filename": filename, "content_type": content_type, "size": len(data)}
        magic = SAFE_TYPES.get(content_type)
        if magic is None:
            dropped.append(info | {"why": "type"})
        elif len(data) > settings.OUTCRY_INBOUND_ATTACHMENT_BYTES:
            dropped.append(info | {"why": "size"})
        elif not data.startswith(magic):
            dropped.append(info | {"why": "content does not match its type"})
        elif len(kept) >= MAX_ATTACHMENTS:
            dropped.append(info | {"why": "too many"})
        else:
            kept.append(Attachment(filename, content_type, data))
    return kept, dropped


def parse_reply(raw: bytes) -> Reply:
    message = parse(raw)
    html = ""
    text = ""
    try:
        plain = message.get_body(preferencelist=("plain",))
        rich = message.get_body(preferencelist=("html",))
    except Exception:
        plain = rich = None
    if rich is not None:
        # Control characters go too: PostgreSQL refuses NUL in text, and none belongs in a reply.
        html = CONTROL.sub("", sanitise_html(_text_of(rich)[:MAX_TEXT * 2]))
    if plain is not None:
        text = _text_of(plain)
    elif rich is not None:
        text = _html_to_text(html)
    auto = header(message, "Auto-Submitted").lower()
    results, auth = authentication(message)
    attachments, dropped = _attachments(message)
    return Reply(
        from_address=_from_address(message),
        subject=header(message, "Subject"),
        text=CONTROL.sub("", text.replace("\r\n", "\n"))[:MAX_TEXT],
        html=html,
        # An out-of-office answer is kept, but it is no reply to forward (RFC 3834).
        automatic=bool(auto and auto != "no") or bool(header(message, "X-Autoreply")),
        authentication_results=results,
        auth=auth,
        attachments=attachments,
        dropped=dropped,
    )


def is_report(message: Message) -> bool:
    report_type = message.get_param("report-type")
    return message.get_content_type() == "multipart/report" and str(report_type or "").lower() == "delivery-status"


def _field_blocks(part: Message) -> list[Message]:
    # The parser reads message/delivery-status as a list of header blocks: per message, then per recipient.
    payload = part.get_payload()
    return [block for block in payload if isinstance(block, Message)] if isinstance(payload, list) else []


def _value(block: Message, name: str, limit: int = 500) -> str:
    text = header(block, name, limit)
    # Typed fields: "rfc822; someone@example.org", "smtp; 550 5.1.1 No such user".
    return text.split(";", 1)[1].strip() if ";" in text else text


def parse_dsn(raw: bytes) -> tuple[list[Status], str]:
    """The per-recipient statuses of a delivery status notification, and the text of its returned headers
    (where the original's return addresses are). ([], "") when the mail is no DSN."""
    message = parse(raw)
    if not is_report(message):
        return [], ""
    statuses: list[Status] = []
    returned = ""
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("message/delivery-status", "message/global-delivery-status"):
            for block in _field_blocks(part)[1:]:
                statuses.append(Status(
                    action=_value(block, "Action", 20).lower(),
                    status=_value(block, "Status", 20),
                    diagnostic=_value(block, "Diagnostic-Code"),
                    recipient=_value(block, "Final-Recipient", 320) or _value(block, "Original-Recipient", 320),
                ))
        elif kind in ("text/rfc822-headers", "message/rfc822", "message/rfc822-headers", "message/global-headers"):
            try:
                returned += str(part)[:50_000]
            except Exception:
                pass
    return statuses, returned
