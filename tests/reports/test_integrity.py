from __future__ import annotations

import re

import pytest
from django.db import transaction

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.delivery.models import Message

pytestmark = pytest.mark.django_db


def shown(html: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r'<td data-key="(\w+)">(\d+)</td>', html)}


def invalidate_wave(actions: list[Action]) -> None:
    # What the invalidation service does to a wave: off the count, in one transaction.
    with transaction.atomic():
        for action in actions:
            Action.objects.filter(pk=action.pk).update(status=Action.Status.INVALID)
            counting.add_to_count(action.campaign_id, -1)


def test_counts_after_duplicates_and_an_invalidated_wave(client, staff_client, campaign, supporter):
    for i in range(6):
        client.post("/c/free-them/", supporter | {"email": f"person{i}@example.com"})
    client.post("/c/free-them/", supporter | {"email": "person0@example.com"})
    client.post("/c/free-them/", supporter | {"email": "PERSON1@example.com "})
    wave = list(Action.objects.filter(email__in=["person4@example.com", "person5@example.com"]))
    invalidate_wave(wave)
    counting.forget_cached_count(campaign.pk)

    html = staff_client.get("/c/free-them/integrity/").content.decode()
    counts = shown(html)
    assert counts == {
        "taken": 8, "counted": 4, "not_counted": 4, "duplicate": 2, "invalid": 2, "unconfirmed": 0, "expired": 0, "held": 0,
    }
    assert counts["counted"] == counting.get_count(campaign.pk)
    assert "@example.com" not in html and "Amal" not in html


def test_ledger_counts_letters_per_target_and_status(client, campaign, supporter):
    client.post("/c/free-them/", supporter)
    client.post("/c/free-them/", supporter | {"email": "b@example.com"})
    minister = campaign.targets.get(name="A Minister")
    Message.objects.filter(target=minister).update(status=Message.Status.FAILED)
    data = client.get("/api/v1/campaigns/free-them/integrity").json()
    ledger = {row["target"]: row for row in data["ledger"]}
    assert ledger[str(minister)]["failed"] == 2
    assert sum(row["sent"] + row["pending"] for row in data["ledger"]) == 2
    # Two actions are a small number: the public report does not say how many (test_integrity_oracle.py).
    assert data["counted"] is None


def test_report_is_cached(client, campaign, supporter, django_assert_max_num_queries):
    client.get("/c/free-them/integrity/")
    with django_assert_max_num_queries(1):  # the campaign row; the counts come from the cache
        client.get("/c/free-them/integrity/")


def test_drafts_have_no_report(client, campaign):
    campaign.status = "draft"
    campaign.save()
    assert client.get("/c/free-them/integrity/").status_code == 404


def test_recount_after_a_wave_updates_the_report_and_the_rollups(client, staff_client, campaign, supporter, django_capture_on_commit_callbacks):
    from outcry.reports.models import ActionRollup
    from outcry.reports.services import recount_campaign, refresh_rollups

    for i in range(3):
        client.post("/c/free-them/", supporter | {"email": f"w{i}@example.com"})
    refresh_rollups(campaign.pk)
    assert shown(staff_client.get("/c/free-them/integrity/").content.decode())["invalid"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        invalidate_wave(list(Action.objects.all()[:2]))
        recount_campaign(campaign.pk)
    assert shown(staff_client.get("/c/free-them/integrity/").content.decode())["invalid"] == 2
    refresh_rollups(campaign.pk)  # what the enqueued task runs
    statuses: dict[str, int] = {}
    for value, count in ActionRollup.objects.filter(campaign=campaign, dimension="status").values_list("value", "count"):
        statuses[value] = statuses.get(value, 0) + count
    assert statuses == {"counted": 1, "invalid": 2}
