"""Counters kept by each web process, and the Prometheus text that /metrics answers with.

Several processes serve one site (granian's workers), and a scrape reaches only one of them. The
counters here are prometheus_client's, in its multiprocess mode when PROMETHEUS_MULTIPROC_DIR is set
(outcry/server.py sets it for `make serve`): each process adds to its own memory-mapped file, a
scrape sums every file in the directory, and a process that died leaves its file, so a counter never
steps back when granian replaces a worker. An increment costs about a microsecond and no network, which
a Redis INCR per request would not (the cached page itself costs about a tenth of a millisecond).
Without the variable (tests, `make run`), each process counts for itself.

What is read from the database at scrape time (outbox, task queue, workers) is not here: the apps
that own it pass collectors to `exposition()`.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from prometheus_client import CollectorRegistry, Counter, disable_created_metrics, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# A `_created` timestamp beside each counter doubles the text and serves no alert or graph here.
disable_created_metrics()  # type: ignore[no-untyped-call]

# Registered with no registry: each scrape builds its own (see exposition()).
REQUESTS = Counter(
    "outcry_requests", "HTTP requests answered, by view (URL name) and status.", ["view", "status"], registry=None,
)
SHARED_COPIES = Counter(
    "outcry_shared_copies",
    "Lookups of shared anonymous responses (pages, stats): served from this process's memory, from the shared "
    "cache, or built.", ["kind", "found"], registry=None,
)
ACTIONS = Counter("outcry_actions", "Actions stored, by the status they were stored with.", ["status"], registry=None)
LOCAL = (REQUESTS, SHARED_COPIES, ACTIONS)
_children: dict[tuple[Counter, tuple[str, ...]], Counter] = {}


def increment(metric: Counter, *labels: str) -> None:
    """metric.labels(*labels).inc(), with the child kept: labels() takes a lock and builds a key each time,
    about 5 µs of the 6 an increment costs in multiprocess mode, on every request."""
    child = _children.get((metric, labels))
    if child is None:
        child = _children[(metric, labels)] = metric.labels(*labels)
    child.inc()


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def exposition(collectors: Iterable[Collector]) -> bytes:
    """Every process's counters (or this process's, outside multiprocess mode) and the given collectors."""
    registry = CollectorRegistry(auto_describe=True)
    if multiprocess_dir():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        for metric in LOCAL:
            registry.register(metric)
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)


def bearer_matches(request: HttpRequest, token: str) -> bool:
    """Whether the request carries `Authorization: Bearer <token>`. Compared in constant time, so the
    answer's timing says nothing about how much of a guess was right; the header is never logged."""
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())


@lru_cache(maxsize=4096)
def view_name(path: str) -> str:
    """The URL name of a path: a label with a few values, whatever paths arrive (a slug is not one)."""
    try:
        match = resolve(path)
    except Resolver404:
        return "unmatched"
    return match.view_name or match._func_path


class RequestMetricsMiddleware:
    """Counts every answer by view and status. First in MIDDLEWARE, so the answers that the shared copy
    (outcry/lib/shared_cache.py) gives before URL resolving are counted too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        view = (match.view_name or match._func_path) if match is not None else view_name(request.path_info)
        increment(REQUESTS, view, str(response.status_code))
        return response
