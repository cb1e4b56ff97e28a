"""The public integrity report cannot tell whether an address has acted (issue 16): an attacker submits a
supporter's address without JavaScript and watches whether `duplicate` or `held` rises. Staff see it exact."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from outcry.actions.models import Action
from outcry.actions.services import ActionData, take_action

pytestmark = pytest.mark.django_db


def shown(html: str) -> dict[str, str]:
    return dict(re.findall(r'<td data-key="(\w+)">([^<]*)</td>', html))


def act(campaign, email: str, **extra) -> Action:
    return take_action(campaign=campaign, data=ActionData(first_name="A", last_name="B", email=email, country="GB", **extra))


@pytest.fixture
def busy(campaign):
    """27 counted actions and 3 duplicates, all taken two hours ago."""
    for n in range(27):
        act(campaign, f"p{n}@example.org")
    for n in range(3):
        act(campaign, f"p{n}@example.org")
    Action.objects.update(created_at=timezone.now() - timedelta(hours=2))
    return campaign


def test_a_probe_moves_nothing_the_public_sees(client, busy):
    before = shown(client.get("/c/free-them/integrity/").content.decode())
    assert before["counted"] == "30" and before["taken"] == "30" and before["duplicate"] == "fewer than 10"
    # The probe: the victim's address again, once as a duplicate, once held.
    act(busy, "p5@example.org")
    act(busy, "new@example.org", hold=True)
    from outcry.reports.integrity import forget_integrity

    forget_integrity(busy.pk)
    assert shown(client.get("/c/free-them/integrity/").content.decode()) == before
    api = client.get("/api/v1/campaigns/free-them/integrity").json()
    assert (api["duplicate"], api["held"], api["counted"]) == (None, None, 30)


def test_even_an_old_probe_only_shows_rounded_and_hourly(client, busy):
    act(busy, "p5@example.org")
    Action.objects.filter(status="duplicate").update(created_at=timezone.now() - timedelta(hours=2))
    html = client.get("/c/free-them/integrity/").content.decode()
    # 4 duplicates now, still below the threshold; the page says how the numbers are made.
    assert shown(html)["duplicate"] == "fewer than 10"
    assert "rounded to the nearest 10" in html


def test_staff_of_the_organisation_see_the_exact_counts_as_of_now(staff_client, busy):
    act(busy, "p5@example.org")
    act(busy, "new@example.org", hold=True)
    counts = shown(staff_client.get("/c/free-them/integrity/").content.decode())
    assert (counts["counted"], counts["duplicate"], counts["held"], counts["taken"]) == ("27", "4", "1", "32")
