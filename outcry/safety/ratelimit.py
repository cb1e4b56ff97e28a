"""Fixed-window abuse counters and one-use replay markers, kept where reads cannot evict them.

A limit is written "COUNT/SECONDS", e.g. "20/3600". The store (settings.OUTCRY_LIMIT_STORE):

- "redis" (with REDIS_URL): the `limits` cache alias, its own key prefix; one Lua script (INCR, EXPIRE, SET NX)
  per call, atomic and shared by every worker. Pages live in the same Redis, so give it
  `maxmemory-policy noeviction` or room enough (README: Behind a proxy, limits).
- "database" (without Redis): the LimitCounter table. One upsert statement per call counts every hit of
  that call at once, exact across processes, and nothing evicts a row before it expires. The page cache
  stays in each process's memory, where anonymous reads with random query strings used to push these
  counters out.

A screened action POST makes two calls, so two statements or two round trips: its network's limits before
the form is read (a flood from one network is refused before it costs a form's validation), then its email
domain's limits together with its proof of work's one-use marker (hit_then_mark).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from outcry.lib.redis_cache import RedisCache
from outcry.safety.models import LimitCounter


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        count, _, seconds = text.partition("/")
        return cls(count=int(count), seconds=int(seconds or 3600))


@dataclass(frozen=True)
class Exceeded:
    scope: str
    retry_after: int


Check = tuple[str, str, Limit]  # (scope, ident, limit)


def _in_database() -> bool:
    return settings.OUTCRY_LIMIT_STORE != "redis"


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def _param(epoch: float) -> str | datetime:
    # As the ORM would write it (SQLite keeps naive UTC text), so the cleanup's filter compares like with like.
    value: str | datetime = connection.ops.adapt_datetimefield_value(_at(epoch))
    return value


@contextmanager
def _cursor() -> Iterator[CursorWrapper]:
    """A cursor for one counter write. On PostgreSQL, outside a caller's transaction, its commit does not wait
    for the WAL to reach the disk: a crash may forget the last few hits, which costs a limit nothing, and a
    POST no longer waits for an fsync per check (bench/identity_limits.py)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with connection.cursor() as cursor:
            yield cursor
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield cursor


@cache
def _upsert_sql(rows: int, vendor: str) -> str:
    # Built once per row count and backend (vendor is in the key only: quoting is the backend's).
    table = connection.ops.quote_name(LimitCounter._meta.db_table)
    values = ", ".join(["(%s, 1, %s)"] * rows)
    # A window counter adds one; a row past its expiry (a replay marker the cleanup has not reached yet) is
    # taken over as new, not mistaken for a use.
    return (
        f'INSERT INTO {table} ("key", "count", "expires_at") VALUES {values} ON CONFLICT ("key") DO UPDATE SET '
        f'"count" = CASE WHEN {table}."expires_at" < %s THEN 1 ELSE {table}."count" + 1 END, '
        f'"expires_at" = CASE WHEN {table}."expires_at" < %s THEN excluded."expires_at" ELSE {table}."expires_at" END '
        f'RETURNING "key", "count"'
    )


def _count_in_database(keys: dict[str, float], marker: str | None, over: Callable[[dict[str, int]], bool]) -> dict[str, int]:
    """Add one to each key's row (created with its expiry) in one statement and return the counts after; the
    conflict clause makes each read-add-write atomic on PostgreSQL and SQLite (3.35+) alike. The marker (one of
    the keys) is a first use when its count is 1; when the counters are `over` their limits it was not for
    this request to take, so a row it created is deleted again (a rare path, only past a limit)."""
    now = _param(time.time())
    adapted: dict[float, str | datetime] = {}
    params: list[str | datetime] = []
    # In one order, so two PostgreSQL transactions upserting the same rows never wait on each other in a circle.
    for key in sorted(keys):
        expires = keys[key]
        if expires not in adapted:
            adapted[expires] = _param(expires)
        params += [key, adapted[expires]]
    with _cursor() as cursor:
        cursor.execute(_upsert_sql(len(keys), connection.vendor), [*params, now, now])
        used = dict(cursor.fetchall())
        if marker is not None and used[marker] == 1 and over(used):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(LimitCounter._meta.db_table)} WHERE \"key\" = %s", [marker])
    return used


# One round trip, atomic in Redis: count each window (its expiry set by its first hit), then, only when none of
# them is past its limit, take the one-use marker (SET NX). Returns the counts, and for the marker 1 (first use),
# 2 (used before) or 0 (not taken: a limit stopped the request first).
_REDIS_SCRIPT = """
local marker = tonumber(ARGV[1])
local counters = #KEYS - marker
local result = {}
local over = false
for i = 1, counters do
  local count = redis.call('INCR', KEYS[i])
  if count == 1 then redis.call('EXPIRE', KEYS[i], ARGV[2 * i]) end
  if count > tonumber(ARGV[2 * i + 1]) then over = true end
  result[i] = count
end
if marker == 1 then
  local n = #KEYS
  if over then result[n] = 0
  elseif redis.call('SET', KEYS[n], 1, 'EX', ARGV[2 * n], 'NX') then result[n] = 1
  else result[n] = 2 end
end
return result
"""


def _count_in_redis(cache: RedisCache, windows: dict[str, tuple[str, Limit, int]], marker: tuple[str, int] | None) -> dict[str, int]:
    keys = list(windows)
    args: list[object] = [1 if marker else 0]
    for _scope, limit, _window in windows.values():
        args += [limit.seconds + 5, limit.count]
    if marker is not None:
        keys.append(marker[0])
        args += [marker[1], 0]
    # Redis away: every window counts from one and the marker is new (fails open, as the cache's add() does).
    counts = cache.run_script(_REDIS_SCRIPT, keys, args, fallback=[1] * len(keys))
    return dict(zip(keys, (int(c) for c in counts), strict=True))


def _count_in_cache(key: str, seconds: int) -> int:
    cache = caches["limits"]
    # add() creates the window's counter only if absent, so concurrent first hits don't reset it;
    # incr() is atomic in Redis.
    cache.add(key, 0, timeout=seconds + 5)
    try:
        return cache.incr(key)
    except ValueError:
        # The key expired between add() and incr(): this request starts the next window.
        cache.add(key, 1, timeout=seconds + 5)
        return 1


@dataclass(frozen=True)
class Outcome:
    exceeded: Exceeded | None
    # For a marker: True the first time it is presented, False on a repeat; None when a limit stopped the
    # request before the marker was taken, or none was asked for.
    first_use: bool | None = None


def hit_then_mark(checks: list[Check], once: tuple[str, int] | None = None) -> Outcome:
    """Count one request against each (scope, ident, limit); then, only if none of them is exceeded, take the
    one-use marker `once` = (key, seconds). One statement or one Redis round trip for all of it.
    Outcome.exceeded is the longest wait among the limits passed."""
    now = time.time()
    windows: dict[str, tuple[str, Limit, int]] = {}
    for scope, ident, limit in checks:
        if limit.count > 0:
            window = int(now) // limit.seconds
            windows[f"rl:{scope}:{ident}:{limit.seconds}:{window}"] = (scope, limit, window)
    marker = (f"once:{once[0]}", once[1]) if once else None
    if not windows and marker is None:
        return Outcome(exceeded=None)

    def over(used: dict[str, int]) -> bool:
        return any(used[key] > limit.count for key, (_s, limit, _w) in windows.items())

    if _in_database():
        keys = {key: float((window + 1) * limit.seconds + 5) for key, (_s, limit, window) in windows.items()}
        if marker is not None:
            keys[marker[0]] = now + marker[1]
        used = _count_in_database(keys, marker[0] if marker else None, over)
        taken = None if marker is None or over(used) else used[marker[0]] == 1
    elif isinstance(store := caches["limits"], RedisCache):
        used = _count_in_redis(store, windows, marker)
        taken = None if marker is None or used[marker[0]] == 0 else used[marker[0]] == 1
    else:
        # Any other cache (a local-memory one, as before issue 16, in bench/identity_limits.py).
        used = {key: _count_in_cache(key, limit.seconds) for key, (_s, limit, _w) in windows.items()}
        taken = None if marker is None or over(used) else bool(store.add(marker[0], 1, timeout=marker[1]))
    worst: Exceeded | None = None
    for key, (scope, limit, window) in windows.items():
        if used[key] > limit.count:
            wait = (window + 1) * limit.seconds - int(now)
            if worst is None or wait > worst.retry_after:
                worst = Exceeded(scope=scope, retry_after=wait)
    return Outcome(exceeded=worst, first_use=taken)


def hit_many(checks: list[Check]) -> Exceeded | None:
    """Count one request against each (scope, ident, limit); return the longest wait among those passed."""
    return hit_then_mark(checks).exceeded


def hit(scope: str, ident: str, limit: Limit) -> Exceeded | None:
    """Count one request against (scope, ident); return how long to wait once the limit is passed."""
    return hit_many([(scope, ident, limit)])


def first_use(key: str, seconds: int) -> bool:
    """True the first time `key` is presented within `seconds`, False on every repeat, across processes."""
    return bool(hit_then_mark([], (key, seconds)).first_use)


def too_many_requests(request: HttpRequest, retry_after: int, back_url: str) -> HttpResponse:
    """A small page, cheap to send a flood, that tells a person when to try again."""
    context = {"minutes": max(1, -(-retry_after // 60)), "back_url": back_url}
    response = render(request, "safety/too_many.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def forget_expired() -> int:
    """Delete the database store's dead windows and markers (a scheduled task). Returns how many."""
    deleted, _ = LimitCounter.objects.filter(expires_at__lt=_at(time.time()) - timedelta(seconds=5)).delete()
    return deleted
