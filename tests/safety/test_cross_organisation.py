"""Staff of one organisation never reach another's held actions, waves, audit log, erasure or exports."""

from __future__ import annotations

import pytest

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.actions.services import ActionData, take_action
from outcry.campaigns.models import Campaign, Organisation
from outcry.safety.models import AuditEntry, Wave
from outcry.safety.services import invalidate_wave
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(db) -> dict:
    """Another organisation's campaign with a held action, a counted one, a wave and an audit entry."""
    other = Organisation.objects.create(name="Other NGO", slug="other-ngo")
    campaign = Campaign.objects.create(organisation=other, slug="theirs", title="Theirs", summary="x", status="live")
    held = take_action(campaign=campaign, data=ActionData(first_name="Held", last_name="Secret", email="held@their.example", country="FR", hold=True))
    counted = take_action(campaign=campaign, data=ActionData(first_name="Counted", last_name="Secret", email="counted@their.example", country="FR", ip="192.0.2.9"))
    boss = make_staff(other, "their-boss")
    wave = invalidate_wave(campaign=campaign, dimension="country", value="XX", since=counted.created_at, until=counted.created_at, user=boss, reason="test", reviewed=True)
    return {"campaign": campaign, "held": held, "counted": counted, "wave": wave}


def test_their_admin_lists_and_pages_are_out_of_reach(staff_client, campaign, theirs):
    for url in ["/admin/safety/heldaction/", "/admin/safety/wave/", "/admin/safety/auditentry/", "/admin/actions/action/"]:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Secret" not in html and "Theirs" not in html, url
    for url in ["/admin/campaigns/campaign/", "/admin/delivery/message/"]:
        html = staff_client.get(url).content.decode()
        assert "Other NGO" not in html and "Theirs" not in html, url  # not even in the filters
    for url in [
        f"/admin/safety/heldaction/{theirs['held'].pk}/change/",
        f"/admin/safety/wave/{theirs['wave'].pk}/change/",
        f"/admin/actions/action/{theirs['counted'].pk}/change/",
    ]:
        assert staff_client.get(url).status_code in (302, 404), url


def test_their_held_actions_cannot_be_counted_or_rejected(staff_client, campaign, theirs):
    for verb in ["release", "reject"]:
        staff_client.post("/admin/safety/heldaction/", {"action": verb, "_selected_action": [theirs["held"].pk]})
    theirs["held"].refresh_from_db()
    assert theirs["held"].status == Action.Status.HELD


def test_their_wave_cannot_be_undone_and_their_campaign_cannot_be_invalidated(staff_client, campaign, theirs):
    assert staff_client.post(f"/admin/safety/wave/{theirs['wave'].pk}/undo/", {"reason": "x"}).status_code == 404
    assert Wave.objects.get(pk=theirs["wave"].pk).undone_at is None
    response = staff_client.post("/admin/safety/wave/alerts/", {
        "campaign": theirs["campaign"].pk, "dimension": "country", "value": "FR",
        "since": "2000-01-01T00:00:00Z", "until": "2100-01-01T00:00:00Z", "reason": "sabotage",
    })
    assert response.status_code == 404
    assert counting.get_count(theirs["campaign"].pk) == 1


def test_their_supporters_cannot_be_erased_or_exported(staff_client, campaign, theirs):
    ids = [theirs["counted"].pk, theirs["held"].pk]
    staff_client.post("/admin/actions/action/", {"action": "erase_selected", "_selected_action": ids})
    assert Action.objects.filter(pk__in=ids, erased_at__isnull=True).count() == 2
    for verb in ["export_csv", "export_mailing_list"]:
        response = staff_client.post("/admin/actions/action/", {"action": verb, "_selected_action": ids})
        body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
        assert "their.example" not in body, verb
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.ERASE).exists()


def test_a_superuser_sees_both(client, campaign, theirs):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", password="x"))
    assert "Theirs" in client.get("/admin/safety/wave/").content.decode()


def test_view_on_site_shortcut_tells_nothing_of_their_campaigns(staff_client, campaign, theirs):
    # Issue 13.8: /admin/r/<ct>/<id>/ redirected to any campaign's page, so it told another organisation's draft slugs.
    from django.contrib.contenttypes.models import ContentType

    Campaign.objects.filter(pk=theirs["campaign"].pk).update(status=Campaign.Status.DRAFT, slug="their-secret-draft")
    ct = ContentType.objects.get_for_model(Campaign).pk
    response = staff_client.get(f"/admin/r/{ct}/{theirs['campaign'].pk}/")
    assert response.status_code == 404 and "their-secret-draft" not in response.get("Location", "")
    assert "their-secret-draft" not in response.content.decode()
    for bad in [f"{ct}/999999", f"{ct}/x", "999999/1", f"{ContentType.objects.get_for_model(Organisation).pk}/{theirs['campaign'].organisation_id}"]:
        assert staff_client.get(f"/admin/r/{bad}/").status_code == 404, bad
    mine = staff_client.get(f"/admin/r/{ct}/{campaign.pk}/")
    assert mine.status_code == 302 and mine["Location"].endswith(campaign.get_absolute_url())
