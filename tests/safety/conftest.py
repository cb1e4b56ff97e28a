from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from outcry.safety.challenge import new_challenge, solve


@pytest.fixture(autouse=True)
def _attack_from_loopback(settings) -> None:
    # The rest of the suite is exempt from the anti-abuse checks (tests/conftest.py); here we attack them.
    settings.BENCH_EXEMPT_LOOPBACK = False
    # Small proofs of work keep the suite fast; the scheme is the same at any size.
    settings.OUTCRY_POW_MAX_NUMBER = 200


def answered(seconds_ago: float = 30) -> str:
    """The answer the page's script posts to the challenge it fetched when the page opened, seconds ago."""
    return solve(new_challenge(issued_at=timezone.now() - timedelta(seconds=seconds_ago)))


def human(data: dict) -> dict:
    """What a person's browser posts: the form and the answer to the challenge fetched when the page opened."""
    return data | {"altcha": answered()}


def db_text() -> Iterator[str]:
    """Every text value stored in every table Django knows, to search for personal data."""
    for model in apps.get_models(include_auto_created=True):
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField))]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for value in row:
                if value:
                    yield str(value)


def stored_anywhere(needle: str) -> list[str]:
    needle = needle.lower()
    return [value[:120] for value in db_text() if needle in value.lower()]
