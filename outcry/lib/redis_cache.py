"""Django's Redis cache, made cheaper per call and harmless when Redis is away.

Cheaper: Django's RedisCacheClient.get_client() makes a new redis.Redis for each cache operation, and
its constructor fills a table of ~170 response callbacks: about 0.3 ms of Python on every hit, as much
as the rest of a cached page. A redis.Redis is safe to share between threads (each command borrows a
connection from the pool), so one per pool is kept and reused.

Harmless: everything Outcry keeps in the cache can be recomputed (counts from the counter rows, pages
by rendering them) or may be briefly forgotten (rate-limit windows), so when Redis cannot be reached a
read is a miss and a write is dropped, logged, instead of every page failing with a 500.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# Log an outage once in this many seconds per process, not once per request.
LOG_EVERY = 10.0
T = TypeVar("T")


class ReusingRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's private helpers, not in the stubs: the pool is still chosen exactly as Django does.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))  # type: ignore[attr-defined]
        return client


class RedisCache(django_redis.RedisCache):
    _last_logged = 0.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._scripts: dict[str, Any] = {}

    def _soft(self, call: Callable[[], T], fallback: T) -> T:
        try:
            return call()
        except UNREACHABLE:
            now = time.monotonic()
            if now - RedisCache._last_logged > LOG_EVERY:
                RedisCache._last_logged = now
                logger.warning("Redis is unreachable: serving without the cache", exc_info=True)
            return fallback

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._soft(lambda: super(RedisCache, self).get(key, default, version), default)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._soft(lambda: super(RedisCache, self).get_many(keys, version), {})

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._soft(lambda: super(RedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        return self._soft(lambda: super(RedisCache, self).set_many(data, timeout, version), list(data))

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        # As if stored: a caller using add() as a lock or a window start goes on rather than waits.
        return self._soft(lambda: super(RedisCache, self).add(key, value, timeout, version), True)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # A rate-limit window that cannot be counted counts from one: fails open, as add() does.
        return self._soft(lambda: super(RedisCache, self).incr(key, delta, version), delta)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._soft(lambda: super(RedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._soft(lambda: super(RedisCache, self).delete_many(keys, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._soft(lambda: super(RedisCache, self).touch(key, timeout, version), False)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._soft(lambda: super(RedisCache, self).has_key(key, version), False)

    def clear(self) -> None:
        self._soft(lambda: super(RedisCache, self).clear(), None)

    def run_script(self, script: str, keys: list[str], args: list[Any], fallback: T) -> T:
        """Run a Lua script on these keys (named as get() and set() name them) in one round trip, atomically
        (EVALSHA, loading it once per server). `fallback` when Redis is away."""
        made = [self.make_key(key) for key in keys]
        client = self._cache.get_client(made[0] if made else None, write=True)
        runner = self._scripts.get(script)
        if runner is None:
            runner = self._scripts[script] = client.register_script(script)
        return self._soft(lambda: runner(keys=made, args=args, client=client), fallback)

    def tally(self, name: str, field: str, delta: int = 1) -> bool:
        """Add delta to one field of a Redis hash (HINCRBY, one round trip). False when Redis is away,
        so the caller can count elsewhere instead of losing the count."""
        key = self.make_and_validate_key(name)
        client = self._cache.get_client(key, write=True)
        return self._soft(lambda: client.hincrby(key, field, delta) is not None, False)

    def take_tally(self, name: str) -> dict[str, int]:
        """Every field of the hash, emptied in the same step (MULTI: HGETALL, DEL), so a tally() that
        arrives meanwhile lands in the next take, never in neither."""
        key = self.make_and_validate_key(name)

        def take() -> dict[str, int]:
            pipe = self._cache.get_client(key, write=True).pipeline(transaction=True)
            pipe.hgetall(key)
            pipe.delete(key)
            found, _deleted = pipe.execute()
            return {field.decode(): int(value) for field, value in found.items()}

        return self._soft(take, {})
