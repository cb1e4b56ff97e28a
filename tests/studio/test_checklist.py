"""The publish checklist: one service for the studio's Go live and the admin's status field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outcry.campaigns.checklist import publish_checklist
from outcry.campaigns.models import Campaign, Membership, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(campaign) -> Campaign:
    campaign.status = Campaign.Status.DRAFT
    campaign.save()
    campaign.organisation.privacy_url = "https://rights.example.org/privacy"
    campaign.organisation.save()
    return campaign


def test_ready_letter_campaign_has_no_blocking_problem(draft):
    checklist = publish_checklist(draft)
    assert checklist.problems == []
    assert any("image" in w for w in checklist.warnings)


def test_letter_campaign_that_sends_nothing_cannot_go_live(draft):
    draft.delivery_mode = Campaign.DeliveryMode.NONE
    assert any("delivery that sends" in p for p in publish_checklist(draft).problems)


def test_targets_need_valid_addresses(draft):
    Target.objects.create(campaign=draft, name="No Address", email="")
    assert any("No Address" in p for p in publish_checklist(draft).problems)
    draft.targets.all().delete()
    assert any("at least one target" in p for p in publish_checklist(draft).problems)


def test_organisation_needs_a_privacy_notice(draft):
    draft.organisation.privacy_url = ""
    assert any("privacy notice" in p for p in publish_checklist(draft).problems)


def test_petition_without_goal_is_only_warned(draft):
    draft.action_kind = Campaign.ActionKind.PETITION
    draft.goal = 0
    checklist = publish_checklist(draft)
    assert checklist.problems == [] and any("goal" in w for w in checklist.warnings)


def test_studio_go_live_is_refused_with_the_problems_then_accepted_once_fixed(as_role, draft):
    editor = as_role(Membership.Role.EDITOR)
    url = reverse("studio:publish", kwargs={"pk": draft.pk})
    draft.delivery_mode = Campaign.DeliveryMode.NONE
    draft.save()
    refused = editor.post(url)
    assert refused.status_code == 400 and "delivery that sends" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT
    draft.delivery_mode = Campaign.DeliveryMode.INDIVIDUAL
    draft.save()
    assert editor.post(url).status_code == 303
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.LIVE and draft.published_at is not None


def test_viewer_cannot_publish(as_role, draft):
    assert as_role(Membership.Role.VIEWER).post(reverse("studio:publish", kwargs={"pk": draft.pk})).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT


def test_admin_status_change_to_live_runs_the_same_checklist(admin_client, draft):
    from django.forms.models import model_to_dict

    draft.delivery_mode = Campaign.DeliveryMode.NONE
    draft.save()
    data = {k: v for k, v in model_to_dict(draft).items() if v is not None and k not in ("hero_image", "withhold_names_from", "follow_up_campaign")}
    data |= {"status": "live", "targets-TOTAL_FORMS": 0, "targets-INITIAL_FORMS": 0, "links-TOTAL_FORMS": 0,
             "links-INITIAL_FORMS": 0, "translations-TOTAL_FORMS": 0, "translations-INITIAL_FORMS": 0}
    response = admin_client.post(reverse("admin:campaigns_campaign_change", args=[draft.pk]), data)
    assert response.status_code == 200
    assert "delivery that sends" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT


def test_targets_added_in_the_studio_satisfy_the_checklist(as_role, draft):
    draft.targets.all().delete()
    assert any("at least one target" in p for p in publish_checklist(draft).problems)
    editor = as_role(Membership.Role.EDITOR)
    assert "New target" in editor.get(reverse("studio:targets", kwargs={"pk": draft.pk})).content.decode()
    data = {
        "targets-TOTAL_FORMS": "1", "targets-INITIAL_FORMS": "0", "targets-MIN_NUM_FORMS": "0", "targets-MAX_NUM_FORMS": "1000",
        "targets-0-name": "A Minister", "targets-0-email": "minister@example.org", "targets-0-position": "0",
    }
    assert editor.post(reverse("studio:targets", kwargs={"pk": draft.pk}), data).status_code == 303
    assert publish_checklist(draft).problems == []
    assert as_role(Membership.Role.VIEWER, "v").get(reverse("studio:targets", kwargs={"pk": draft.pk})).status_code == 403


def test_closing_keeps_the_page_and_is_for_editors(as_role, campaign):
    url = reverse("studio:close", kwargs={"pk": campaign.pk})
    assert as_role(Membership.Role.VIEWER, "v").post(url).status_code == 403
    assert as_role(Membership.Role.EDITOR, "e").post(url).status_code == 303
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED and campaign.closed_at is not None
