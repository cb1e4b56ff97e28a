"""Keyed hashes: personal values (emails, IP addresses) are compared and counted without being stored."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from outcry.lib.mailbox import normalise_email

__all__ = ["hash_email", "hash_ip", "keyed_hash", "normalise_email"]


def keyed_hash(value: str, purpose: str) -> str:
    # The purpose is part of the key, so a hash made for one use cannot be matched against another's.
    key = f"{settings.OUTCRY_HASH_KEY}:{purpose}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def hash_email(email: str) -> str:
    """The mailbox's identity (outcry/lib/mailbox.py), keyed: equal for every spelling of one mailbox."""
    return keyed_hash(normalise_email(email), "email")


def hash_ip(ip: str) -> str:
    return keyed_hash(ip, "ip") if ip else ""
