"""What django-axes sees of a staff login: a keyed hash of the address, so lockouts never store or log an IP."""

from __future__ import annotations

from django.http import HttpRequest

from outcry.lib.client import client_ip
from outcry.lib.hashing import hash_ip


def hashed_client_ip(request: HttpRequest) -> str:
    return hash_ip(client_ip(request))


def client_str(username: str, ip_address: str, user_agent: str, path_info: str, request: HttpRequest) -> str:
    # Axes logs this string on every failure and lockout; a short hash prefix is enough to correlate.
    return f"client {ip_address[:12]} on {path_info}"
