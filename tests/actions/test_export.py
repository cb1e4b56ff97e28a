from __future__ import annotations

import csv
import io

import pytest

from outcry.actions.exports import CSV_COLUMNS
from outcry.actions.models import Action
from outcry.actions.services import ActionData, take_action
from outcry.lib.csv_export import stream_csv

pytestmark = pytest.mark.django_db


def _act(campaign, n: int, first_name: str = "Amal") -> Action:
    return take_action(campaign=campaign, data=ActionData(first_name=first_name, last_name=f"N{n}", email=f"s{n}@example.com", country="GB"))


def test_export_streams_every_row_once_in_batches(campaign):
    ids = [_act(campaign, n).pk for n in range(7)]
    pieces = list(stream_csv(Action.objects.filter(campaign=campaign), CSV_COLUMNS, batch=3))
    assert len(pieces) == 1 + 3  # the header, then 3 + 3 + 1 rows
    rows = list(csv.reader(io.StringIO("".join(pieces))))
    assert rows[0] == CSV_COLUMNS
    assert [int(row[0]) for row in rows[1:]] == sorted(ids)


def test_export_defuses_spreadsheet_formulas(campaign):
    _act(campaign, 1, first_name="=HYPERLINK(1)")
    rows = list(csv.reader(io.StringIO("".join(stream_csv(Action.objects.all(), CSV_COLUMNS)))))
    assert rows[1][CSV_COLUMNS.index("first_name")] == "'=HYPERLINK(1)"
