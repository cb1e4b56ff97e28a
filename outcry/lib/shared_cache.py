"""Responses that are the same for every anonymous visitor, built once and shared for a few seconds.

Two layers: each web process keeps what it served for OUTCRY_LOCAL_CACHE_SECONDS (1) in its own
memory (never past the shared copy's freshness, so all processes move to a new copy together), so most requests of a storm cost no network round trip at all; behind it the shared cache
(Redis when REDIS_URL is set) holds one rendering per variant for every process together, so a
storm costs one rendering per variant every few seconds. Each shared entry carries the campaign's
version, which any edit of the campaign bumps: an edit shows at once in the process that made it and
within OUTCRY_LOCAL_CACHE_SECONDS everywhere else, rather than after the entry expires. The responses carry an ETag and Cache-Control, so a reverse proxy
or a CDN in front can absorb the storm too, and a client that polls gets 304 while nothing changed.

One process at a time builds the next copy of an entry (a lock in the cache); the others serve the
copy before it meanwhile, without keeping it. With Redis, a copy is stored before it is served, so a
reader going from process to process never gets an older copy (an older count) after a newer one.
The shared entry outlives its freshness by OUTCRY_STALE_SECONDS: while the database is unreachable,
that last good copy is served instead of an error (outcry/lib/outage.py answers what has none).

Never put anything per-visitor into a shared body: no CSRF token (outcry/lib/csrf.py explains why a
browser's form needs none; outcry/campaigns/views.py public_page fills one in for other clients),
no cookie, nothing from the session.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers

from outcry.lib.metrics import SHARED_COPIES, increment
from outcry.lib.outbox import DATABASE_ERRORS


@dataclass(frozen=True)
class Shared:
    body: bytes
    etag: str
    # Wall-clock time (time.time()) this copy stops being fresh; set by shared() when it stores the copy.
    fresh_until: float = 0.0


T = TypeVar("T")

# key -> (monotonic expiry, item). Bounded: share links with many ref codes make many variants.
_local: dict[str, tuple[float, Any]] = {}
LOCAL_MAX_ENTRIES = 2000
# key -> (monotonic) until when this process serves the last good copy without asking the database again.
_failed: dict[str, float] = {}
# One process at a time builds the next copy of an entry; a builder that died frees it after this.
BUILD_LOCK_SECONDS = 5
logger = logging.getLogger(__name__)
# Log an outage once in this many seconds per process, not once per request.
LOG_EVERY = 10.0
_last_logged = 0.0


def _version_key(slug: str) -> str:
    return f"campaign-version:{slug}"


def bump_campaign_version(slugs: Iterable[str]) -> None:
    """Invalidate every shared response of these campaigns, in every process."""
    version = time.time_ns()
    _local.clear()
    cache.set_many({_version_key(slug): version for slug in slugs}, timeout=None)


def forget(key: str) -> None:
    """Drop one remembered() item from this process's memory."""
    _local.pop(key, None)


def etag_of(data: bytes) -> str:
    return f'"{hashlib.blake2b(data, digest_size=12).hexdigest()}"'


def shared(kind: str, slug: str, variant: tuple[str, ...], seconds: int, build: Callable[[], Shared]) -> Shared:
    """The shared response for (kind, campaign, variant), from cache or freshly built.

    `build` may raise Http404; nothing is cached then. While the database is unreachable, `build` fails
    and the last good copy is served instead, for up to OUTCRY_STALE_SECONDS after it stopped being fresh.
    """
    key = "shared:" + hashlib.blake2b(repr((kind, slug, variant)).encode(), digest_size=16).hexdigest()
    item = _recalled(key)
    if item is not None:
        increment(SHARED_COPIES, kind, "process")
        return cast(Shared, item)
    item, keep = _from_shared_cache(key, kind, slug, seconds, build)
    _keep(key, keep, item)
    return item


def remembered(key: str, seconds: float, build: Callable[[], T]) -> T:
    """What build() returned, kept in this process's memory for `seconds` (or until a campaign changes).

    Only for things every visitor may see, never modified after they are built: threads share them.
    """
    item = _recalled(key)
    if item is None:
        item = build()
        _keep(key, seconds, item)
    return cast(T, item)


def _recalled(key: str) -> Any:
    kept = _local.get(key)
    return kept[1] if kept is not None and kept[0] > time.monotonic() else None


def _keep(key: str, seconds: float, item: Any) -> None:
    if seconds > 0:
        if len(_local) >= LOCAL_MAX_ENTRIES:
            _local.clear()
        _local[key] = (time.monotonic() + seconds, item)


def _kept_for(item: Shared, seconds: float) -> float:
    # Never past the shared copy's own freshness: every process then moves to the next copy together,
    # and no process keeps serving an older count than another one already serves (issue 14: a
    # counter read through two processes must never step back).
    return max(0.0, min(settings.OUTCRY_LOCAL_CACHE_SECONDS, seconds, item.fresh_until - time.time()))


def _from_shared_cache(key: str, kind: str, slug: str, seconds: int, build: Callable[[], Shared]) -> tuple[Shared, float]:
    """The copy and how long this process may keep it in memory."""
    version_key = _version_key(slug)
    found = cache.get_many([key, version_key])
    version = found.get(version_key, 0)
    entry = found.get(key)
    last, current = None, False
    if entry is not None and len(entry) == 4:  # (version, body, etag, fresh_until)
        last, current = Shared(body=entry[1], etag=entry[2], fresh_until=entry[3]), entry[0] == version
    if last is not None and current and time.time() < last.fresh_until:
        increment(SHARED_COPIES, kind, "shared")
        return last, _kept_for(last, seconds)
    if seconds <= 0:
        increment(SHARED_COPIES, kind, "built")
        return build(), 0.0
    if last is not None and _failed.get(key, 0.0) > time.monotonic():
        # The database failed this process a moment ago: the last good copy, without asking it again.
        increment(SHARED_COPIES, kind, "stale")
        return last, 0.0
    locked = last is not None and current
    if locked:
        lock = f"building:{key}"
        if not cache.add(lock, 1, BUILD_LOCK_SECONDS):
            # Another process is building the next copy. Until it is stored, the one before is the newest
            # anyone has served; it is not kept, so the next request here looks for the new one.
            increment(SHARED_COPIES, kind, "shared")
            return cast(Shared, last), 0.0
        # The builder before us may have stored its copy between our read and our lock: use that one,
        # rather than build a second copy that some process would serve beside the first.
        entry = cache.get(key)
        if entry is not None and len(entry) == 4 and entry[0] == version and time.time() < entry[3]:
            cache.delete(lock)
            stored = Shared(body=entry[1], etag=entry[2], fresh_until=entry[3])
            increment(SHARED_COPIES, kind, "shared")
            return stored, _kept_for(stored, seconds)
    try:
        fresh = build()
        increment(SHARED_COPIES, kind, "built")
        fresh = replace(fresh, fresh_until=time.time() + seconds)
        # Kept past its freshness as the last good copy for an outage. Stored before it is served, and
        # before the lock is released, so any request after this answer finds this copy or a newer one.
        cache.set(key, (version, fresh.body, fresh.etag, fresh.fresh_until), seconds + settings.OUTCRY_STALE_SECONDS)
    except DATABASE_ERRORS:
        if last is None:
            raise
        _log_outage()
        increment(SHARED_COPIES, kind, "stale")
        # This process asks the database again in a second, not on every request; the copy itself is not
        # kept, so a newer one that another process stores meanwhile is served from the next request.
        if len(_failed) >= LOCAL_MAX_ENTRIES:
            _failed.clear()
        _failed[key] = time.monotonic() + min(settings.OUTCRY_LOCAL_CACHE_SECONDS, seconds)
        return last, 0.0
    finally:
        if locked:
            cache.delete(lock)
    return fresh, _kept_for(fresh, seconds)


def _log_outage() -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged > LOG_EVERY:
        _last_logged = now
        logger.warning("Database unreachable: serving the last good copies of shared pages")


def answer(
    request: HttpRequest, item: Shared, *, content_type: str, seconds: int, vary: tuple[str, ...] = (), front: bool = True,
) -> HttpResponse:
    """A cacheable 200, or a 304 when the client already holds this ETag.

    The contract of a shared response: its body never depends on the query string, the raw headers or
    the cookies, only on what shared()'s variant holds (campaign, language). SharedResponseMiddleware
    answers repeats from a copy keyed on the path alone, so a view whose answer depends on a query
    parameter must not use this. front=False keeps the response out of that front copy, for a
    response that some requests on the same path (with a cookie the front key ignores) get otherwise.
    """
    response = HttpResponse(item.body, content_type=content_type)
    if front:
        response.shared_seconds = seconds  # type: ignore[attr-defined]  # SharedResponseMiddleware may keep it
        response.shared_until = item.fresh_until  # type: ignore[attr-defined]  # but not past the copy's freshness
    response["ETag"] = item.etag
    # stale-while-revalidate lets a CDN keep answering while it refetches, so the origin never
    # sees the whole storm at the moment an entry expires; stale-if-error lets it ride out an
    # outage with its copy, as the origin does with its own (OUTCRY_STALE_SECONDS).
    response["Cache-Control"] = (
        f"public, max-age={seconds}, stale-while-revalidate={max(seconds, 1) * 5}, "
        f"stale-if-error={settings.OUTCRY_STALE_SECONDS}"
    )
    if vary:
        # e.g. a visitor with a session (campaign staff) may see drafts and notices; keep caches from mixing them up.
        patch_vary_headers(response, vary)
    # Given a response, get_conditional_response() returns it or a 304, never None.
    return cast(HttpResponse, get_conditional_response(request, etag=item.etag, response=response))


@dataclass(frozen=True)
class _Finished:
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str


@dataclass(frozen=True)
class Personal:
    """A response that is the same for many visitors but for a few slots (the thank-you page and the
    supporter's own code): `read(request)` gives the copy a request needs and what fills it, from what the
    request itself proves (a signed cookie), or None when only the full stack can answer it;
    `fill(visitor, body)` puts that visitor's parts into the slots of that copy. Both run in front of the
    middleware stack: they may use nothing the stack sets up (session, user, active language)."""

    read: Callable[[HttpRequest], tuple[str, Any] | None]
    fill: Callable[[Any, bytes], bytes]


def personal(response: HttpResponse, spec: Personal, variant: str, body: bytes, seconds: int) -> HttpResponse:
    """Mark a per-visitor response as `variant` of a Personal one: SharedResponseMiddleware keeps `body`
    (the copy with its slots empty) and the headers the stack adds, and answers the next requests of that
    variant, for OUTCRY_LOCAL_CACHE_SECONDS, with spec.fill() before the stack."""
    response.shared_seconds = seconds  # type: ignore[attr-defined]
    response.personal = (spec, variant, body)  # type: ignore[attr-defined]
    return response


@dataclass
class _Personalised:
    spec: Personal
    copies: dict[str, _Finished]


class SharedResponseMiddleware:
    """Answers a repeat of a shared response before the rest of the middleware stack runs.

    A response that answer() built from a shared copy is kept here for OUTCRY_LOCAL_CACHE_SECONDS, with
    the headers the middleware below it added (language, CSP, frame options, Vary). A later request
    that would be answered the same way gets that copy at once: no session, language, CSRF or
    authentication work, no URL resolving and no view, which is most of what a cached page costs.
    "The same way" means everything the response varies on: host, path, the language that the
    Accept-Language header and language cookie choose, whether the browser sends Fetch Metadata, and no
    session cookie (campaign staff always go through the full stack). Not the query string: a shared
    response is the same whatever it holds (see answer()), so share links with their own ref, via and
    click ids (fbclid, gclid, ...) all get one copy. Not the raw Accept-Language either, which an
    attacker can vary at will: only the language it resolves to, one of settings.LANGUAGES.

    Placed after SecurityMiddleware, so its HTTPS redirect and headers still apply to every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES and not may_hold_session(request):
            # No session: not looked up, and not answered with a Set-Cookie that deletes it, which would
            # keep the answer out of the front copy for as long as such requests arrive (`sessionid=x`).
            del request.COOKIES[settings.SESSION_COOKIE_NAME]
        key = _request_key(request)
        found = _recalled(key) if key is not None else None
        if isinstance(found, _Personalised):
            visitor = found.spec.read(request)
            copy = found.copies.get(visitor[0]) if visitor is not None else None
            if visitor is not None and copy is not None:
                increment(SHARED_COPIES, "response", "process")
                return _replay_personal(copy, found.spec.fill(visitor[1], copy.body))
        elif found is not None:
            increment(SHARED_COPIES, "response", "process")
            return _replay(request, found)
        response = self.get_response(request)
        seconds = min(getattr(response, "shared_seconds", 0), settings.OUTCRY_LOCAL_CACHE_SECONDS)
        if getattr(response, "shared_until", 0):
            seconds = min(seconds, response.shared_until - time.time())  # type: ignore[attr-defined]
        if key is not None and seconds > 0 and response.status_code == 200 and not response.cookies:
            marked = getattr(response, "personal", None)
            if marked is not None:
                _keep_personal(key, seconds, response, *marked)
            else:
                _keep(key, seconds, _Finished(headers=tuple(response.items()), body=response.content, etag=response["ETag"]))
        return response


def may_hold_session(request: HttpRequest) -> bool:
    """Whether the request's session cookie could name a session at all.

    Django ignores a session key shorter than 8 characters without looking it up, so `sessionid=x`
    (cheap for an attacker to send) is no session: such a request may get the shared copy.
    """
    return len(request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")) >= 8


def _request_key(request: HttpRequest) -> str | None:
    if request.method != "GET" or may_hold_session(request):
        return None
    parts = (
        request.get_host(),  # validates the host against ALLOWED_HOSTS, as the full stack would
        request.path,
        # One of settings.LANGUAGES, however the header is written; parsing is cached by Django.
        translation.get_language_from_request(request),
        "Sec-Fetch-Site" in request.headers,
    )
    return "response:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _keep_personal(key: str, seconds: float, response: HttpResponse, spec: Personal, variant: str, body: bytes) -> None:
    # Each visitor's own length: the stack's Content-Length is for the filled body.
    headers = tuple((name, value) for name, value in response.items() if name.lower() != "content-length")
    entry = _recalled(key)
    if isinstance(entry, _Personalised):
        entry.copies[variant] = _Finished(headers=headers, body=body, etag="")  # expires with the entry
    else:
        _keep(key, seconds, _Personalised(spec=spec, copies={variant: _Finished(headers=headers, body=body, etag="")}))


def _replay_personal(finished: _Finished, body: bytes) -> HttpResponse:
    response = HttpResponse(body)
    for name, value in finished.headers:
        response[name] = value
    return response


def _replay(request: HttpRequest, finished: _Finished) -> HttpResponse:
    response = HttpResponse(finished.body)
    for name, value in finished.headers:
        response[name] = value
    return cast(HttpResponse, get_conditional_response(request, etag=finished.etag, response=response))
