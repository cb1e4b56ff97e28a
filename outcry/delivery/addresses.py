"""Per-message return addresses at MAIL_DOMAIN: r-<id>-<mac> for replies, b-<id>-<mac> for bounces (VERP).

The MAC is a keyed hash of the kind and the message's id, so an address cannot be guessed or forged from
another one, and checking one costs no database read: the inbound listener refuses a made-up recipient at
RCPT, before it takes a byte of the message. Lower case only, since some relays fold local parts.
"""

from __future__ import annotations

import hmac
import re

from django.conf import settings

from outcry.lib.hashing import keyed_hash

REPLY, BOUNCE = "r", "b"
ADDRESS_RE = re.compile(r"^(?P<kind>[rb])-(?P<pk>[0-9]{1,18})-(?P<mac>[0-9a-f]{20})$")


def _mac(kind: str, pk: int) -> str:
    return keyed_hash(f"{kind}:{pk}", "mail-address")[:20]


def local_part(kind: str, pk: int) -> str:
    return f"{kind}-{pk}-{_mac(kind, pk)}"


def reply_address(pk: int) -> str:
    return f"{local_part(REPLY, pk)}@{settings.MAIL_DOMAIN}"


def bounce_address(pk: int) -> str:
    return f"{local_part(BOUNCE, pk)}@{settings.MAIL_DOMAIN}"


def parse_address(address: str) -> tuple[str, int] | None:
    """(kind, message id) for a genuine return address at MAIL_DOMAIN, else None."""
    local, _, domain = (address or "").strip().strip("<>").rpartition("@")
    if domain.lower() != settings.MAIL_DOMAIN.lower():
        return None
    match = ADDRESS_RE.match(local.lower())
    if not match:
        return None
    kind, pk = match["kind"], int(match["pk"])
    if not hmac.compare_digest(match["mac"], _mac(kind, pk)):
        return None
    return kind, pk


def find_token(text: str) -> tuple[str, int] | None:
    """The first genuine return address in a block of text (a bounce's copy of the original headers)."""
    domain = re.escape(settings.MAIL_DOMAIN)
    for candidate in re.findall(rf"\b[rb]-[0-9]{{1,18}}-[0-9a-f]{{20}}@{domain}\b", text or "", re.IGNORECASE):
        found = parse_address(candidate)
        if found:
            return found
    return None
