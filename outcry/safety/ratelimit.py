"""Fixed-window abuse counters and one-use replay markers, kept where reads cannot evict them.

A limit is written "COUNT/SECONDS", e.g. "20/3600". The store (settings.OUTCRY_LIMIT_STORE):

- "redis" (with REDIS_URL): the `limits` cache alias, its own key prefix; INCR is atomic and shared by
  every worker. Pages live in the same Redis, so give it `maxmemory-policy noeviction` or room enough
  (README: Behind a proxy, limits).
- "database" (without Redis): the LimitCounter table. One upsert statement per check counts every hit of
  that check at once, exact across processes, and nothing evicts a row before it expires. The page cache
  stays in each process's memory, where anonymous reads with random query strings used to push these
  counters out.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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


def _table() -> str:
    return connection.ops.quote_name(LimitCounter._meta.db_table)


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


def _count_in_database(keys: dict[str, float]) -> dict[str, int]:
    """Add one to each key's counter (created with its expiry); return the counts after. One statement:
    the conflict clause makes the read-add-write atomic on PostgreSQL and SQLite (3.35+) alike."""
    table = _table()
    values = ", ".join(["(%s, 1, %s)"] * len(keys))
    params: list[object] = []
    for key, expires in keys.items():
        params += [key, _param(expires)]
    with _cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("key", "count", "expires_at") VALUES {values} '
            f'ON CONFLICT ("key") DO UPDATE SET "count" = {table}."count" + 1 RETURNING "key", "count"',
            params,
        )
        return {key: count for key, count in cursor.fetchall()}


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


def hit_many(checks: list[Check]) -> Exceeded | None:
    """Count one request against each (scope, ident, limit); return the longest wait among those passed."""
    now = time.time()
    windows: dict[str, tuple[str, Limit, int]] = {}
    for scope, ident, limit in checks:
        if limit.count > 0:
            window = int(now) // limit.seconds
            windows[f"rl:{scope}:{ident}:{limit.seconds}:{window}"] = (scope, limit, window)
    if not windows:
        return None
    if _in_database():
        used = _count_in_database({key: (window + 1) * limit.seconds + 5 for key, (_s, limit, window) in windows.items()})
    else:
        used = {key: _count_in_cache(key, limit.seconds) for key, (_s, limit, _w) in windows.items()}
    worst: Exceeded | None = None
    for key, (scope, limit, window) in windows.items():
        if used[key] > limit.count:
            wait = (window + 1) * limit.seconds - int(now)
            if worst is None or wait > worst.retry_after:
                worst = Exceeded(scope=scope, retry_after=wait)
    return worst


def hit(scope: str, ident: str, limit: Limit) -> Exceeded | None:
    """Count one request against (scope, ident); return how long to wait once the limit is passed."""
    return hit_many([(scope, ident, limit)])


def too_many_requests(request: HttpRequest, retry_after: int, back_url: str) -> HttpResponse:
    """A small page, cheap to send a flood, that tells a person when to try again."""
    context = {"minutes": max(1, -(-retry_after // 60)), "back_url": back_url}
    response = render(request, "safety/too_many.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def first_use(key: str, seconds: int) -> bool:
    """True the first time `key` is presented within `seconds`, False on every repeat, across processes."""
    key = f"once:{key}"
    if not _in_database():
        return bool(caches["limits"].add(key, 1, timeout=seconds))
    now = time.time()
    table = _table()
    with _cursor() as cursor:
        # A dead marker the cleanup has not reached yet is taken over, not mistaken for a use.
        cursor.execute(
            f'INSERT INTO {table} ("key", "count", "expires_at") VALUES (%s, 1, %s) '
            f'ON CONFLICT ("key") DO UPDATE SET "count" = 1, "expires_at" = excluded."expires_at" '
            f'WHERE {table}."expires_at" < %s',
            [key, _param(now + seconds), _param(now)],
        )
        return cursor.rowcount == 1


def forget_expired() -> int:
    """Delete the database store's dead windows and markers (a scheduled task). Returns how many."""
    deleted, _ = LimitCounter.objects.filter(expires_at__lt=_at(time.time()) - timedelta(seconds=5)).delete()
    return deleted
