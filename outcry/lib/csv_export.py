"""CSV for spreadsheets: cells that cannot run as formulas, and exports that stream at any size."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import QuerySet


class Echo:
    """A file that hands back what is written to it, so csv.writer can produce strings to stream."""

    def write(self, value: str) -> str:
        return value


def csv_safe(value: object) -> str:
    # Spreadsheets run cells that start with these as formulas (CSV injection).
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def stream_csv(queryset: QuerySet[Any], columns: Sequence[str], batch: int = 2000) -> Iterator[str]:
    """The CSV in pieces of `batch` rows, read by primary key ranges.

    Memory stays flat at any size. Key ranges rather than one server-side cursor: in autocommit
    PostgreSQL materialises a WITH HOLD cursor's whole result before the first row, and a cursor
    inside a transaction would hold a snapshot open for the whole download. One string per batch,
    not per row, because the server makes one socket write per piece.
    """
    writer = csv.writer(Echo())
    yield writer.writerow(columns)
    rows = queryset.order_by("pk").values_list("pk", *columns)
    last = 0
    while chunk := list(rows.filter(pk__gt=last)[:batch]):
        last = chunk[-1][0]
        yield "".join(writer.writerow([csv_safe(value) for value in row[1:]]) for row in chunk)
