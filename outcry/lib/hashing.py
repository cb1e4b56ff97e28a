"""Keyed hashes: personal values (emails, IP addresses) are compared and counted without being stored."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def keyed_hash(value: str, purpose: str) -> str:
    # The purpose is part of the key, so a hash made for one use cannot be matched against another's.
    key = f"{settings.OUTCRY_HASH_KEY}:{purpose}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_email(email: str) -> str:
    return keyed_hash(normalise_email(email), "email")


def hash_ip(ip: str) -> str:
    return keyed_hash(ip, "ip") if ip else ""
