from __future__ import annotations

import os

from django.http import HttpRequest, HttpResponse

# Set TRUSTED_PROXY_COUNT to the number of reverse proxies in front of Outcry; each appends one
# address to X-Forwarded-For, and anything to the left of theirs is the client's to forge.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))


def client_ip(request: HttpRequest) -> str:
    if TRUSTED_PROXY_COUNT:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= TRUSTED_PROXY_COUNT:
            return forwarded[-TRUSTED_PROXY_COUNT]
    return str(request.META.get("REMOTE_ADDR", ""))


def see_other(url: str) -> HttpResponse:
    """Post/Redirect/Get: a 303 makes every browser follow with a GET."""
    response = HttpResponse(status=303)
    response["Location"] = url
    return response
