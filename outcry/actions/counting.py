"""The live count of a campaign, without scanning actions and without one hot row.

Each counted action adds 1 to one of OUTCRY_COUNTER_SHARDS rows picked at random, inside the
action's own transaction, so the count is exact and commits or rolls back with the action.
A read sums at most that many rows, whatever the number of actions, and the sum is cached for
OUTCRY_COUNT_CACHE_SECONDS (in Redis when REDIS_URL is set), so a read storm costs one small query
per campaign every couple of seconds.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from outcry.actions.models import CountShard
from outcry.campaigns.models import Campaign

Metric = CountShard.Metric
# Counted per view or click of a page everyone loads: noted, not written (note() below).
NOTED_METRICS = (Metric.THANKS_VIEWS, Metric.FOLLOW_UPS)


def _cache_key(campaign_id: int, metric: str) -> str:
    return f"count:{metric}:{campaign_id}"


def add_to_count(campaign_id: int, delta: int = 1, metric: str = Metric.ACTIONS) -> None:
    """Call inside the transaction that changes what is counted, as its last write.

    The UPDATE locks one shard row until the transaction ends; another action that picks the same
    shard waits that long. Last before COMMIT keeps the wait to the commit itself, and with
    OUTCRY_COUNTER_SHARDS rows two of N concurrent actions meet on one about N/SHARDS of the time.
    """
    shard = random.randrange(settings.OUTCRY_COUNTER_SHARDS)
    if _add_to_shard(campaign_id, metric, shard, delta):
        return
    try:
        with transaction.atomic():
            CountShard.objects.create(campaign_id=campaign_id, metric=metric, shard=shard, count=delta)
    except IntegrityError:
        # Another transaction created this shard between our UPDATE and INSERT.
        _add_to_shard(campaign_id, metric, shard, delta)


def _add_to_shard(campaign_id: int, metric: str, shard: int, delta: int) -> bool:
    # The same UPDATE the ORM would write, without its per-call query building: a third of a
    # millisecond of Python on every counted action, the hottest write there is.
    table = connection.ops.quote_name(CountShard._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET \"count\" = \"count\" + %s WHERE campaign_id = %s AND metric = %s AND shard = %s",
            [delta, campaign_id, metric, shard],
        )
        return cursor.rowcount > 0


def _stored_counts(campaign_ids: Iterable[int], metric: str) -> dict[int, int]:
    rows = (
        CountShard.objects.filter(campaign_id__in=list(campaign_ids), metric=metric)
        .values("campaign_id")
        .annotate(total=Sum("count"))
    )
    return {row["campaign_id"]: row["total"] or 0 for row in rows}


def get_counts(campaign_ids: Iterable[int], metric: str = Metric.ACTIONS, *, cached: bool = True) -> dict[int, int]:
    """Counts from the cache, or (cached=False, for callers that cache the answer themselves) from the shards."""
    ids = list(campaign_ids)
    keys = {_cache_key(cid, metric): cid for cid in ids}
    counts = {keys[key]: value for key, value in cache.get_many(list(keys)).items()} if cached else {}
    missing = [cid for cid in ids if cid not in counts]
    if missing:
        stored = _stored_counts(missing, metric)
        fresh = {cid: stored.get(cid, 0) for cid in missing}
        cache.set_many({_cache_key(cid, metric): n for cid, n in fresh.items()}, settings.OUTCRY_COUNT_CACHE_SECONDS)
        counts.update(fresh)
    return counts


def get_count(campaign_id: int, metric: str = Metric.ACTIONS, *, cached: bool = True) -> int:
    return get_counts([campaign_id], metric, cached=cached)[campaign_id]


def forget_cached_count(campaign_id: int, metric: str = Metric.ACTIONS) -> None:
    cache.delete(_cache_key(campaign_id, metric))


# Counted without a write per event (views of the thank-you page). Each web process tallies in memory
# and hands its tally over at most once per PUSH_SECONDS: to Redis (HINCRBY on one hash per metric) when
# there is Redis, else, or while it is away, to the counter rows, at most once per
# OUTCRY_VIEW_FLUSH_SECONDS. The scheduled job flush_noted_counts (outcry/actions/tasks.py) moves what
# Redis holds into the counter rows every minute. A round trip to Redis on every view would cost more than
# the rest of the page (milliseconds on a loaded machine).
#
# How exact: every view is counted once, except (a) the views a web process tallied in its last second
# (without Redis: its last OUTCRY_VIEW_FLUSH_SECONDS) when it is killed, and (b) those taken from Redis by
# a flush whose process dies before its COMMIT. A failed write puts the views back. The dashboard is up
# to a minute (plus a second) behind.
PUSH_SECONDS = 1.0
_noted: dict[tuple[int, str], int] = {}
_noted_lock = threading.Lock()
_noted_since = time.monotonic()


def note(campaign_id: int, metric: str) -> None:
    """Count one event of a metric in NOTED_METRICS without a database write or a round trip (see above)."""
    global _noted_since
    interval = PUSH_SECONDS if hasattr(cache, "tally") else settings.OUTCRY_VIEW_FLUSH_SECONDS
    with _noted_lock:
        _noted[(campaign_id, metric)] = _noted.get((campaign_id, metric), 0) + 1
        now = time.monotonic()
        due = now - _noted_since >= interval
        if due:
            _noted_since = now
    if due:
        _hand_over()


def _take_local() -> dict[tuple[int, str], int]:
    with _noted_lock:
        taken = dict(_noted)
        _noted.clear()
    return taken


def _put_back(taken: dict[tuple[int, str], int]) -> None:
    with _noted_lock:
        for key, n in taken.items():
            _noted[key] = _noted.get(key, 0) + n


def _hand_over() -> None:
    tally = getattr(cache, "tally", None)
    if tally is None:
        flush_noted(shared=False)
        return
    left = {}
    for (campaign_id, metric), n in _take_local().items():
        if not tally(f"noted:{metric}", str(campaign_id), n):
            left[(campaign_id, metric)] = n
    if left:
        # Redis is away: these go to the counter rows instead, with the next views of the interval.
        _put_back(left)
        flush_noted(shared=False)


def flush_noted(*, shared: bool = True) -> int:
    """Add what was noted (in Redis when shared, and in this process) to the counter rows; returns how many.

    Idempotent in effect: what it takes it removes, and on a failed write it puts it back.
    """
    taken = _take_local()
    take_tally = getattr(cache, "take_tally", None)
    if shared and take_tally is not None:
        for metric in NOTED_METRICS:
            for field, n in take_tally(f"noted:{metric}").items():
                taken[(int(field), metric)] = taken.get((int(field), metric), 0) + n
    if not taken:
        return 0
    try:
        with transaction.atomic():
            # A campaign deleted since its views were noted takes its views with it.
            existing = set(Campaign.objects.filter(pk__in={cid for cid, _metric in taken}).values_list("pk", flat=True))
            for (campaign_id, metric), n in sorted(taken.items()):
                if campaign_id in existing:
                    add_to_count(campaign_id, n, metric)
                    transaction.on_commit(lambda c=campaign_id, m=metric: forget_cached_count(c, m))
    except Exception:
        _put_back(taken)
        raise
    return sum(taken.values())
