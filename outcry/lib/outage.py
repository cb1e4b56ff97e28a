"""While the database is unreachable (a restart, a failover, an outage): answers instead of 500s.

Public pages and stats are served from their last good copy by outcry/lib/shared_cache.py. What
still needs the database ends here: an action, a page with no copy yet, the API. The answer is a
503 with Retry-After, never cached, and for a POST a page that gives the supporter back everything
they sent, ready to send again with one button: an action is one transaction, so a failed one left
nothing behind, and sending it again once the database is back is the same as sending it the first
time (and deduplicated by email if the first did commit after all).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from outcry.lib.outbox import DATABASE_ERRORS

logger = logging.getLogger(__name__)
# Log an outage once in this many seconds per process, not once per request.
LOG_EVERY = 10.0
_last_logged = 0.0
# Shown back as text; every field (these too) goes back as a hidden input.
SHOWN_FIELDS = ("first_name", "last_name", "email", "postcode")
NOT_KEPT = {"csrfmiddlewaretoken"}  # the page has its own


def unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 for a request that needs the database while it is away."""
    seconds = settings.OUTCRY_OUTAGE_RETRY_SECONDS
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error": _("The service is briefly unavailable. Please try again in a minute.")}, status=503,
        )
    else:
        kept = [(name, value) for name, values in request.POST.lists() if name not in NOT_KEPT for value in values]
        shown = [(name, request.POST[name]) for name in SHOWN_FIELDS if request.POST.get(name)]
        context = {"kept": kept, "shown": shown, "action_url": request.get_full_path(), "posted": request.method == "POST"}
        response = render(request, "outage.html", context, status=503)
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response


class DatabaseOutageMiddleware:
    """Turns a database error in a view into the 503 of unavailable()."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        global _last_logged
        now = time.monotonic()
        if now - _last_logged > LOG_EVERY:
            _last_logged = now
            logger.warning("Database unreachable: answering 503 (%s: %s)", type(exception).__name__, exception)
        return unavailable(request)
