from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, Organisation

_serial = itertools.count()


def make_actions(campaign: Campaign, n: int, *, at: datetime | None = None, count: bool = True, **fields: object) -> list[Action]:
    """n actions in one bulk insert (no letters, no signals), added to the counter when they count."""
    start = next(_serial) * 10_000_000
    status = fields.pop("status", Action.Status.COUNTED)
    rows = [
        Action(
            campaign=campaign, status=status,
            first_name=fields.get("first_name", "Test"), last_name=fields.get("last_name", f"Person {start + i}"),
            email=f"p{start + i}@example.com", email_hash=f"hash-{start + i}", country=fields.get("country", "GB"),
            language=fields.get("language", "en"), source=fields.get("source", Action.Source.DIRECT),
            referred_by=fields.get("referred_by", ""), utm_campaign=fields.get("utm_campaign", ""),
            referral_code=f"r{start + i}",
        )
        for i in range(n)
    ]
    created = Action.objects.bulk_create(rows, batch_size=5000)
    if at is not None:
        # created_at is auto_now_add: move the rows to the hour the test wants.
        Action.objects.filter(pk__gte=created[0].pk, pk__lte=created[-1].pk).update(created_at=at)
    if count and status == Action.Status.COUNTED:
        counting.add_to_count(campaign.pk, n)
    return created


@pytest.fixture
def other_organisation(db) -> Organisation:
    return Organisation.objects.create(name="Other NGO", slug="other-ngo")
