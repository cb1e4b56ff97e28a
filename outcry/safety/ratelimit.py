"""Fixed-window counters in the cache: Redis (atomic INCR, shared by every worker) when REDIS_URL is
set, the process's local memory otherwise. A limit is written "COUNT/SECONDS", e.g. "20/3600"."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


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


def hit(scope: str, ident: str, limit: Limit) -> Exceeded | None:
    """Count one request against (scope, ident); return how long to wait once the limit is passed."""
    if limit.count <= 0:
        return None
    now = int(time.time())
    window = now // limit.seconds
    key = f"rl:{scope}:{ident}:{window}"
    # add() creates the window's counter only if absent, so concurrent first hits don't reset it;
    # incr() is atomic in Redis and under the local-memory cache's lock.
    cache.add(key, 0, timeout=limit.seconds + 5)
    try:
        used = cache.incr(key)
    except ValueError:
        # The key expired between add() and incr(): this request starts the next window.
        cache.add(key, 1, timeout=limit.seconds + 5)
        used = 1
    if used > limit.count:
        return Exceeded(scope=scope, retry_after=(window + 1) * limit.seconds - now)
    return None
