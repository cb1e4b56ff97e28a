from __future__ import annotations

import pytest

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_campaign(db) -> Campaign:
    other = Organisation.objects.create(name="Other NGO", slug="other-ngo")
    return Campaign.objects.create(organisation=other, slug="theirs", title="Their campaign", summary="x", status="live")


def test_staff_see_only_their_own_campaigns(staff_client, campaign, other_campaign):
    html = staff_client.get("/admin/campaigns/campaign/").content.decode()
    assert "Free them now" in html
    assert "Their campaign" not in html
    assert staff_client.get(f"/admin/campaigns/campaign/{other_campaign.pk}/change/").status_code in (302, 404)
    assert staff_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").status_code == 200


def test_staff_cannot_move_a_campaign_to_another_organisation(staff_client, campaign, other_campaign):
    response = staff_client.get("/admin/campaigns/campaign/add/")
    assert "Other NGO" not in response.content.decode()


def test_staff_see_only_their_own_actions(staff_client, client, campaign, other_campaign, supporter):
    client.post("/c/free-them/", supporter)
    client.post("/c/theirs/", supporter | {"email": "someone@example.com", "first_name": "Zed"})
    assert Action.objects.count() == 2
    html = staff_client.get("/admin/actions/action/").content.decode()
    assert "Amal Haddad" in html
    assert "Zed" not in html
    foreign = Action.objects.get(campaign=other_campaign)
    assert staff_client.get(f"/admin/actions/action/{foreign.pk}/change/").status_code in (302, 404)


def test_csv_export_streams_only_selected_own_actions_and_defuses_formulas(staff_client, client, campaign, other_campaign, supporter):
    client.post("/c/free-them/", supporter | {"last_name": "=HYPERLINK(1)"})
    client.post("/c/theirs/", supporter | {"email": "zed@example.com", "first_name": "Zed"})
    ids = list(Action.objects.values_list("pk", flat=True))
    response = staff_client.post("/admin/actions/action/", {"action": "export_csv", "_selected_action": ids})
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "Amal" in body and "'=HYPERLINK(1)" in body
    assert "Zed" not in body


def test_demo_loads_twice_without_duplicates(db):
    from django.core.management import call_command

    call_command("load_demo")
    once = {c.slug: c.targets.count() for c in Campaign.objects.all()}
    call_command("load_demo")
    assert set(Campaign.objects.values_list("slug", flat=True)) == {"stop-detention-libya", "al-khoms-unhcr"}
    libya = Campaign.objects.get(slug="stop-detention-libya")
    # Two fixed targets and the embassy group: four countries' embassies and the fallback (issue 19).
    assert libya.targets.count() == once["stop-detention-libya"] == 7
    assert libya.targets.filter(group="").count() == 2
    assert all(t.email.endswith("@example.org") for t in libya.targets.all())
    assert Campaign.objects.get(slug="al-khoms-unhcr").targets.get().email.endswith("@example.org")
