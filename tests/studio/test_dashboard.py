"""The studio's dashboard: numbers that add up, exports and hand-in only for the campaign's own members."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outcry.actions.models import Action
from outcry.actions.services import ActionData, take_action
from outcry.campaigns.models import Membership
from outcry.reports.services import refresh_rollups

pytestmark = pytest.mark.django_db


def _act(campaign, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        take_action(campaign=campaign, data=ActionData(first_name=f"P{i}", last_name="Q", email=f"p{i}@example.com", country="GB"))


def test_headline_and_tables_add_up_between_recounts(as_role, campaign):
    _act(campaign, 3)
    refresh_rollups(campaign.pk)
    _act(campaign, 2, start=3)
    page = as_role(Membership.Role.VIEWER).get(reverse("studio:dashboard", kwargs={"pk": campaign.pk})).content.decode()
    assert '<strong class="big" data-live-count>5</strong>' in page
    assert "3 counted then, and 2 more counted since" in page


def test_viewer_gets_the_signers_list_but_not_the_emails(as_role, campaign):
    _act(campaign, 1)
    viewer = as_role(Membership.Role.VIEWER)
    signers = viewer.get(reverse("studio:signers_csv", kwargs={"pk": campaign.pk}))
    assert signers.status_code == 200 and b"P0" in b"".join(signers.streaming_content)
    assert viewer.get(reverse("studio:actions_csv", kwargs={"pk": campaign.pk})).status_code == 403


def test_editor_exports_actions_of_own_campaign_only(client, as_role, campaign, other_campaign):
    _act(campaign, 1)
    editor = as_role(Membership.Role.EDITOR)
    export = editor.get(reverse("studio:actions_csv", kwargs={"pk": campaign.pk}))
    assert b"p0@example.com" in b"".join(export.streaming_content)
    for name in ("actions_csv", "signers_csv", "dashboard"):
        assert editor.get(reverse(f"studio:{name}", kwargs={"pk": other_campaign.pk})).status_code == 404


def test_held_actions_are_released_by_an_editor_not_a_viewer(as_role, campaign):
    _act(campaign, 1)
    action = Action.objects.get()
    Action.objects.filter(pk=action.pk).update(status=Action.Status.HELD)
    url = reverse("studio:review_held", kwargs={"pk": campaign.pk})
    viewer = as_role(Membership.Role.VIEWER, "v")
    assert viewer.post(url, {"action": action.pk, "decision": "release"}).status_code == 403
    editor = as_role(Membership.Role.EDITOR, "e")
    assert editor.post(url, {"action": action.pk, "decision": "release"}).status_code == 303
    action.refresh_from_db()
    assert action.status == Action.Status.COUNTED
