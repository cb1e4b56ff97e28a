"""Counters that repair themselves (issue 16 item 6): the scheduled check finds a counter that drifted from
the counted actions, repairs it in one transaction, records it and warns the campaign's staff."""

from __future__ import annotations

import pytest

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.actions.services import ActionData, take_action
from outcry.delivery.emails import build_email
from outcry.delivery.models import Message
from outcry.safety.models import AuditEntry, CountCheckBlock
from outcry.safety.reconcile import reconcile_counts
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def act(campaign, n: int) -> list[Action]:
    return [take_action(campaign=campaign, data=ActionData(first_name="A", last_name="B", email=f"r{i}@example.org", country="GB"))
            for i in range(n)]


def test_a_counter_that_drifted_is_repaired_recorded_and_told_to_staff(campaign, organisation):
    staff = make_staff(organisation, "watcher")
    staff.email = "watcher@example.org"
    staff.save()
    act(campaign, 5)
    assert reconcile_counts() == {}
    # Something wrote to the counter outside the counting path (a restore, a hand-run SQL statement).
    counting.add_to_count(campaign.pk, 3)
    assert counting.get_count(campaign.pk, cached=False) == 8

    assert reconcile_counts() == {campaign.pk: -3}
    assert counting.get_count(campaign.pk) == 5
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.REPAIR)
    assert (entry.campaign, entry.count_change) == (campaign, -3)
    warning = build_email(Message.objects.get(kind=Message.Kind.COUNT_REPAIRED))
    assert warning.to == ["watcher@example.org"] and "-3" in warning.body
    assert reconcile_counts() == {}


def test_an_action_changed_behind_the_counters_back_is_seen_by_the_next_run(campaign):
    actions = act(campaign, 4)
    reconcile_counts()
    Action.objects.filter(pk=actions[0].pk).update(status=Action.Status.INVALID)  # no uncount: the counter drifts
    assert reconcile_counts() == {campaign.pk: -1}
    assert counting.get_count(campaign.pk, cached=False) == 3


def test_a_stale_block_never_causes_a_wrong_repair(campaign):
    act(campaign, 3)
    reconcile_counts()
    CountCheckBlock.objects.filter(campaign=campaign).update(counted=99)
    assert reconcile_counts() == {}
    assert counting.get_count(campaign.pk, cached=False) == 3
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.REPAIR).exists()


def test_a_run_costs_the_same_few_statements_whatever_the_number_of_actions(campaign):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            reconcile_counts()
        return len(queries)

    act(campaign, 5)
    reconcile_counts()
    few = statements()
    for i in range(200):
        take_action(campaign=campaign, data=ActionData(first_name="A", last_name="B", email=f"more{i}@example.org", country="GB"))
    reconcile_counts()
    assert statements() == few <= 16
