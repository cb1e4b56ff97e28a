"""One way to send anything that leaves the building: claim, lease, record, back off, and a circuit breaker.

Emails (outcry.delivery.sending) and webhooks (outcry.integrations.services) are rows in an outbox
table with the fields of `Leased`. Each sender describes its table with an `Outbox` and goes through
the same steps:

    due row --claim (conditional UPDATE; one process matches)--> sending, claim_token, lease_expires_at
    sending --heartbeat thread renews the lease every LEASE/6 while the process lives-->
    sending --finish(token): sent / retry later / failed--> (only if our token still holds the row)
    sending whose lease lapsed --claim--> sending again: its process died; the sender logs it interrupted

Recording an outcome goes through `persist`, which retries through a lost database connection, so a
database restart between the remote server's acceptance and the record does not put the row back up
for a second send. So the guarantee is at least once, and a duplicate happens only when a process
dies (or the database stays away longer than OUTCRY_RECORD_RETRY_SECONDS) between the remote side's
acceptance and the record.

A `Circuit` (fields of `CircuitFields`, on a row the sender picks: the mail server's, a webhook's)
stops every process from hammering a destination that is down: the first connection failure opens
it, then one process at a time probes it after 2, 4, 8… seconds (at most OUTCRY_CIRCUIT_MAX_SECONDS);
while it is open, senders return at once and rows keep their place without an attempt each.

Imports no app: the models are passed in.
"""

from __future__ import annotations

import logging
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)
T = TypeVar("T")
DATABASE_ERRORS = (OperationalError, InterfaceError)


def lease_length() -> timedelta:
    return timedelta(seconds=settings.OUTCRY_LEASE_SECONDS)


def heartbeat_seconds() -> float:
    return max(settings.OUTCRY_LEASE_SECONDS / 6, 0.5)


def jittered(seconds: float) -> float:
    # Jitter keeps processes that failed together from coming back at the same instant.
    return seconds * random.uniform(0.8, 1.2)


def exponential(attempt: int, first: float, longest: float) -> timedelta:
    return timedelta(seconds=min(jittered(first * 2 ** max(attempt - 1, 0)), longest))


# Surviving the database ----------------------------------------------------------------------------------

def drop_connection() -> None:
    """Close this thread's database connection after a failure, so the next query opens a fresh one."""
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - closing a connection the server already dropped
        logger.debug("closing a dead database connection failed", exc_info=True)


def persist(write: Callable[[], T], *, within: float | None = None, what: str = "record") -> T:
    """Run a database write, retrying through a lost connection (restart, failover, blip) for up to
    `within` seconds (OUTCRY_RECORD_RETRY_SECONDS), with jittered backoff. Idempotent writes only.

    Inside an atomic block a retry cannot help (the transaction is gone), so the error is raised.
    """
    deadline = time.monotonic() + (settings.OUTCRY_RECORD_RETRY_SECONDS if within is None else within)
    delay = 0.2
    while True:
        try:
            return write()
        except DATABASE_ERRORS as error:
            if connection.in_atomic_block or time.monotonic() + delay > deadline:
                raise
            logger.warning("Database unreachable while trying to %s (%s); retrying", what, type(error).__name__)
            drop_connection()
            time.sleep(jittered(delay))
            delay = min(delay * 2, 5.0)


class Backoff:
    """Growing, jittered pauses for a loop whose dependency is away; reset() once it is back."""

    def __init__(self, first: float = 0.5, longest: float = 10.0) -> None:
        self.first, self.longest, self.failures = first, longest, 0

    def next(self) -> float:
        self.failures += 1
        return jittered(min(self.first * 2 ** (self.failures - 1), self.longest))

    def reset(self) -> None:
        self.failures = 0


# Leases ------------------------------------------------------------------------------------------------

class Leased(models.Model):
    """The fields every outbox row shares (the sender's own status field says pending/sending/...)."""

    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Claim:
    token: str
    # Set when the row was taken over from a process whose lease lapsed while sending it: when that claim was made.
    taken_over_from: datetime | None = None


@dataclass(frozen=True)
class Outbox:
    """An outbox table: which status values mean "may be claimed" and "being sent"."""

    model: type[models.Model]
    sendable: tuple[str, ...]
    sending: str

    @property
    def rows(self) -> QuerySet[Any]:
        return self.model._default_manager.all()

    def lapsed(self, now: datetime) -> Q:
        # Rows claimed before leases existed carry no lease: their claim time stands in for it.
        return Q(status=self.sending) & (
            Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True, claimed_at__lt=now - lease_length())
        )

    def due(self, now: datetime) -> Q:
        return Q(status__in=self.sendable, next_try_at__lte=now) | self.lapsed(now)

    def claim(self, pk: int, now: datetime, **also: Any) -> Claim | None:
        """Take one row. Only the process whose conditional UPDATE matched goes on; it holds a lease."""
        token = secrets.token_hex(16)
        fields = {
            "status": self.sending, "claimed_at": now, "claim_token": token,
            "lease_expires_at": now + lease_length(), "attempts": F("attempts") + 1, **also,
        }
        if self.rows.filter(pk=pk, status__in=self.sendable, next_try_at__lte=now).update(**fields):
            return Claim(token)
        # Still "sending" with its lease lapsed: the process that held it stopped renewing, so it died.
        dead = self.rows.filter(self.lapsed(now), pk=pk)
        previous = dead.values_list("claimed_at", "claim_token").first()
        if previous is None or not dead.filter(claim_token=previous[1]).update(**fields):
            return None
        # No claimed_at: reserved in a batch (claim_batch) and never started, so nothing was interrupted.
        return Claim(token, taken_over_from=previous[0])

    def claim_batch(self, due: QuerySet[Any], size: int, now: datetime) -> tuple[str, list[int]]:
        """Reserve up to `size` waiting rows of `due` (not lapsed ones) under one token, in one transaction:
        (token, their ids). A reserved row is "sending" with a lease, but its claimed_at stays empty and its
        attempts unchanged until the sender `start`s it, so a process that dies mid-batch leaves the rows it
        never tried distinguishable from the one it was sending: a takeover logs only that one interrupted.
        On PostgreSQL, rows another process is reserving are skipped (SKIP LOCKED), so two senders take
        different batches instead of queueing on the same rows; SQLite runs the transaction alone (BEGIN
        IMMEDIATE). `holding_batch` keeps the whole batch's lease alive."""
        token = secrets.token_hex(16)
        waiting = due.filter(status__in=self.sendable, next_try_at__lte=now)
        with transaction.atomic():
            ids = list(waiting.select_for_update(skip_locked=True).values_list("pk", flat=True)[:size])
            if ids:
                self.rows.filter(pk__in=ids, status__in=self.sendable).update(
                    status=self.sending, claimed_at=None, claim_token=token, lease_expires_at=now + lease_length(),
                )
        return token, ids

    def start(self, pk: int, token: str, now: datetime) -> bool:
        """A reserved row is being sent now: from here on it counts as an attempt. False if the claim was lost."""
        return bool(self.rows.filter(pk=pk, claim_token=token).update(claimed_at=now, attempts=F("attempts") + 1))

    def unreserve(self, pk: int, token: str, **fields: Any) -> bool:
        """Give back a reserved row that was never started (no attempt to take back)."""
        return self.finish(pk, token, claimed_at=None, **fields)

    def finish(self, pk: int, token: str, **fields: Any) -> bool:
        """Store an outcome, only while our claim holds. False if the claim was taken over."""
        done = {"claim_token": "", "lease_expires_at": None, **fields}
        return bool(self.rows.filter(pk=pk, claim_token=token).update(**done))

    def release(self, pk: int, token: str, **fields: Any) -> bool:
        """Give a claim up without it counting as an attempt (held back, or the circuit is open)."""
        return self.finish(pk, token, attempts=F("attempts") - 1, **fields)

    def renew(self, pk: int | None, token: str) -> bool:
        """Extend the lease of one claimed row, or (pk None) of every row still held under `token`."""
        rows = self.rows.filter(claim_token=token) if pk is None else self.rows.filter(pk=pk, claim_token=token)
        return bool(rows.update(lease_expires_at=timezone.now() + lease_length()))

    @contextmanager
    def holding(self, pk: int | None, token: str) -> Iterator[None]:
        """While the block runs (the send), the heartbeat thread keeps this claim's lease alive, so a
        slow but living process is never overtaken."""
        key = (self, pk, token)
        heartbeat.held.add(key)
        heartbeat.start()
        try:
            yield
        finally:
            heartbeat.held.discard(key)

    @contextmanager
    def holding_batch(self, token: str) -> Iterator[None]:
        """`holding` for every row claimed together under one token (claim_batch), renewed in one UPDATE."""
        with self.holding(None, token):
            yield


class Heartbeat:
    """One thread per process: renews the leases of the claims its senders hold, and runs other
    per-beat callbacks (the worker's liveness row). Survives a database outage: it only logs."""

    def __init__(self) -> None:
        self.held: set[tuple[Outbox, int | None, str]] = set()
        self.callbacks: list[Callable[[], None]] = []
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.stop = threading.Event()

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self.stop.clear()
                self._thread = threading.Thread(target=self._run, name="outcry-heartbeat", daemon=True)
                self._thread.start()

    def beat(self) -> None:
        for outbox, pk, token in list(self.held):
            outbox.renew(pk, token)
        for callback in list(self.callbacks):
            callback()

    def _run(self) -> None:
        backoff = Backoff(first=heartbeat_seconds() / 2, longest=heartbeat_seconds())
        wait = heartbeat_seconds()
        while not self.stop.wait(wait):
            try:
                self.beat()
            except DATABASE_ERRORS:
                logger.warning("Heartbeat: database unreachable; trying again")
                drop_connection()
                wait = backoff.next()
            except Exception:
                logger.exception("Heartbeat failed")
                wait = heartbeat_seconds()
            else:
                backoff.reset()
                wait = heartbeat_seconds()


heartbeat = Heartbeat()


def backoff(attempts: int, first: timedelta, longest: timedelta) -> timedelta:
    """When a row that failed `attempts` times is tried again: doubling from `first`, jittered, capped."""
    return exponential(attempts, first.total_seconds(), longest.total_seconds())


# The circuit breaker -----------------------------------------------------------------------------------

class CircuitFields(models.Model):
    circuit_opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    circuit_next_probe_at = models.DateTimeField(null=True, blank=True, editable=False)
    circuit_failures = models.PositiveIntegerField(default=0, editable=False)
    circuit_error = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        abstract = True


class Gate(StrEnum):
    CLOSED = "closed"  # all is well: send
    PROBE = "probe"  # open, and this process won the probe: send one
    OPEN = "open"  # open: send nothing now


def probe_wait(failures: int) -> timedelta:
    return exponential(failures, settings.OUTCRY_CIRCUIT_FIRST_SECONDS, settings.OUTCRY_CIRCUIT_MAX_SECONDS)


@dataclass(frozen=True)
class Circuit:
    """A breaker kept on one database row (`row` is a queryset of exactly that row), shared by all processes."""

    row: QuerySet[Any]

    def gate(self, now: datetime) -> Gate:
        state = self.row.values_list("circuit_opened_at", "circuit_next_probe_at", "circuit_failures").first()
        if state is None or state[0] is None:
            return Gate.CLOSED
        _, next_probe_at, failures = state
        if next_probe_at is not None and next_probe_at > now:
            return Gate.OPEN
        # The probe slot goes to one process: the one whose UPDATE still saw the old time. Pushing the
        # time on also covers a prober that dies mid-probe.
        won = self.row.filter(circuit_next_probe_at=next_probe_at).update(circuit_next_probe_at=now + probe_wait(failures + 1))
        return Gate.PROBE if won else Gate.OPEN

    def trip(self, detail: str, now: datetime, *, probing: bool) -> tuple[bool, datetime | None]:
        """Open the circuit (from closed), or count this process's failed probe.

        Returns whether this call opened it, and when the next probe is due if this call set it: then,
        and only then, the caller arranges that probe, so each slot is arranged once across processes.
        Another process's failure in the same moment (the circuit already open, no probe) changes nothing.
        """
        if probing:
            failures = (self.row.values_list("circuit_failures", flat=True).first() or 0) + 1
            next_probe = now + probe_wait(failures)
            self.row.update(circuit_failures=failures, circuit_next_probe_at=next_probe, circuit_error=detail[:300])
            return False, next_probe
        next_probe = now + probe_wait(1)
        opened = bool(self.row.filter(circuit_opened_at__isnull=True).update(
            circuit_opened_at=now, circuit_failures=1, circuit_next_probe_at=next_probe, circuit_error=detail[:300],
        ))
        if opened:
            logger.warning("Circuit %s opened: %s", self.name, detail[:120])
            return True, next_probe
        return False, None

    def close(self) -> bool:
        closed = bool(self.row.filter(circuit_opened_at__isnull=False).update(
            circuit_opened_at=None, circuit_next_probe_at=None, circuit_failures=0, circuit_error="",
        ))
        if closed:
            logger.warning("Circuit %s closed: the destination answers again", self.name)
        return closed

    def opened_at(self) -> datetime | None:
        return self.row.values_list("circuit_opened_at", flat=True).first()

    @property
    def name(self) -> str:
        return f"{self.row.model._meta.label}:{self.row.values_list('pk', flat=True).first()}"
