"""CSRF protection that lets one cached copy of a public page serve every visitor.

Django's token check needs a per-visitor token in the form, so a page carrying one cannot be shared
by a cache or a CDN. Browsers tell the server where a POST comes from: `Sec-Fetch-Site` (Fetch
Metadata, sent by every current browser over HTTPS and to localhost) and `Origin` (sent on every
POST form submission since 2020). A POST that one of them proves same-origin cannot be a cross-site
forgery, so it passes without a token, as Go's net/http CrossOriginProtection does. Anything else (a
cross-site header, no header at all: old browsers, scripts, the test client) takes Django's own check,
token and all, unchanged.

Only views marked `@origin_proof` (the public action form, whose page is shared) accept that proof; every
other view (the admin's login, staff pages, the privacy form) keeps Django's token check, so one mistake
in a browser's headers or a proxy that forges them cannot open more than the one form built for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseForbidden
from django.middleware.csrf import CsrfViewMiddleware

UNSAFE_METHODS_EXEMPT = ("GET", "HEAD", "OPTIONS", "TRACE")

View = Callable[..., Any]


def origin_proof(view: View) -> View:
    """Let a POST to this view pass on the browser's same-origin proof instead of a token."""
    view.csrf_origin_proof = True  # type: ignore[attr-defined]
    return view


class CrossOriginProtectionMiddleware(CsrfViewMiddleware):
    def process_view(
        self, request: HttpRequest, callback: Callable[..., Any], callback_args: tuple[Any, ...], callback_kwargs: dict[str, Any]
    ) -> HttpResponseForbidden | None:
        if (
            request.method not in UNSAFE_METHODS_EXEMPT
            and not getattr(callback, "csrf_exempt", False)
            and getattr(callback, "csrf_origin_proof", False)
            and self._browser_says_same_origin(request)
        ):
            self._accept(request)  # type: ignore[attr-defined]  # Django's own, not in the stubs
            return None
        return super().process_view(request, callback, callback_args, callback_kwargs)

    def _browser_says_same_origin(self, request: HttpRequest) -> bool:
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None:
            # "same-site" is a sibling subdomain, which may be someone else's: not good enough.
            return site == "same-origin"
        origin = request.headers.get("Origin")
        # "null" comes from sandboxed frames and privacy redirects: it proves nothing.
        return bool(origin) and origin != "null" and bool(self._origin_verified(request))  # type: ignore[attr-defined]
