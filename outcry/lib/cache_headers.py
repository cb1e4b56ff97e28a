"""Every response says how it may be cached, so no cache in front (a CDN, a company proxy, the browser)
ever hands one person's page to another (issue 13.6).

The views that know their answer set it: the shared copies `public` with max-age (shared_cache.answer),
the thank-you page with a supporter's own code and the campaign page with its CSRF token `private`,
a return link's prefilled form `no-store`. This middleware makes the rest explicit and corrects what a
view cannot know:

- a response to someone signed in (campaign staff, who may see drafts and notices) is `private`,
  whatever the view said, and varies on Cookie;
- a response that sets a cookie is `private` (a shared cache must never replay a Set-Cookie);
- any other response that says nothing gets `private, no-cache`: kept by nobody but the browser, and
  revalidated there.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from outcry.lib.shared_cache import may_hold_session


class CacheHeadersMiddleware:
    """Sits above the session middleware, so it sees the session's and CSRF's cookies too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _signed_in(request) or response.cookies:
            if "public" in response.get("Cache-Control", ""):
                # patch_cache_control drops `public` when given private, but keeps a max-age meant for everyone.
                del response["Cache-Control"]
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, private=True)
            patch_vary_headers(response, ("Cookie",))
        elif not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        return response


def _signed_in(request: HttpRequest) -> bool:
    # Only a request whose cookie could name a session costs a session lookup here.
    user = getattr(request, "user", None)
    return may_hold_session(request) and user is not None and user.is_authenticated
