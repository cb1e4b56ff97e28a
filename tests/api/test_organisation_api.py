from __future__ import annotations

import pytest

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, Organisation
from outcry.integrations.models import ApiToken
from outcry.integrations.services import create_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(campaign) -> str:
    return create_api_token(organisation=campaign.organisation, name="CRM")[1]


@pytest.fixture
def foreign_token(db) -> str:
    other = Organisation.objects.create(name="Other NGO", slug="other-ngo")
    Campaign.objects.create(organisation=other, slug="theirs", title="Theirs", summary="x", status="live")
    return create_api_token(organisation=other, name="Their CRM")[1]


def get(client, url: str, token: str | None = None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, params, headers=headers)


def test_missing_or_unknown_token_is_a_json_401(client, campaign):
    for token in (None, "outcry_not-a-real-token"):
        response = get(client, "/api/v1/petitions/free-them/signatures", token)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json" and "error" in response.json()
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_working(client, campaign, token):
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert get(client, "/api/v1/petitions", token).status_code == 401


def test_foreign_token_never_reaches_another_organisations_data(client, campaign, supporter, foreign_token):
    client.post("/c/free-them/", supporter)
    response = get(client, "/api/v1/petitions/free-them/signatures", foreign_token)
    assert response.status_code == 404 and response.json()["error"]
    petitions = get(client, "/api/v1/petitions", foreign_token).json()
    assert [p["slug"] for p in petitions["_embedded"]["osdi:petitions"]] == ["theirs"]
    assert "amal@example.com" not in response.content.decode()


def test_tokens_are_stored_hashed(campaign, token):
    row = ApiToken.objects.get()
    assert token not in (row.token_hash, row.prefix) and token.startswith(row.prefix)


def test_signatures_are_osdi_shaped_paginated_and_filtered_by_date(client, campaign, supporter, token):
    for i in range(5):
        client.post("/c/free-them/", supporter | {"email": f"p{i}@example.com", "first_name": f"P{i}"})
    client.post("/c/free-them/", supporter | {"email": "p0@example.com"})  # a duplicate: not listed
    actions = list(Action.objects.filter(status="counted").order_by("pk"))
    for day, action in enumerate(actions, start=1):
        Action.objects.filter(pk=action.pk).update(created_at=f"2026-03-0{day}T12:00:00Z")

    page = get(client, "/api/v1/petitions/free-them/signatures", token, per_page=2).json()
    assert (page["total_records"], page["total_pages"], page["page"], page["per_page"]) == (5, 3, 1, 2)
    assert "next" in page["_links"] and "prev" not in page["_links"]
    first = page["_embedded"]["osdi:signatures"][0]
    assert first["person"]["given_name"] == "P0"
    assert first["person"]["email_addresses"] == [{"address": "p0@example.com", "primary": True}]
    assert first["person"]["postal_addresses"][0]["country"] == "GB"
    assert first["identifiers"] == [f"outcry:action-{actions[0].pk}"]

    last = get(client, page["_links"]["next"]["href"].replace("http://testserver", ""), token).json()
    assert last["page"] == 2

    window = get(client, "/api/v1/petitions/free-them/signatures", token,
                 created_after="2026-03-02T00:00:00Z", created_before="2026-03-04T00:00:00Z").json()
    assert [s["person"]["given_name"] for s in window["_embedded"]["osdi:signatures"]] == ["P1", "P2"]

    duplicates = get(client, "/api/v1/petitions/free-them/signatures", token, status="duplicate").json()
    assert duplicates["total_records"] == 1


def test_modified_since_gives_a_crm_every_change_since_its_last_sync_whatever_path_made_it(client, campaign, supporter, token, admin_user):
    from django.utils import timezone

    from outcry.safety.services import erase_actions
    from outcry.updates.services import unsubscribe

    for name in ("Ann", "Bo", "Cy", "Di"):
        client.post("/c/free-them/", supporter | {"email": f"{name}@example.com", "first_name": name})
    ann, bo, cy, di = Action.objects.order_by("pk")
    Action.objects.update(modified_at="2026-03-01T12:00:00Z")  # the CRM's last sync was after these
    last_sync = timezone.now()

    erase_actions(actions=Action.objects.filter(pk=bo.pk), user=admin_user, reason="asked")
    unsubscribe(Action.objects.get(pk=di.pk))
    cy.postcode = "SW1A 1AA"
    cy.save()

    changed = get(client, "/api/v1/petitions/free-them/signatures", token, modified_since=last_sync.isoformat()).json()
    signatures = changed["_embedded"]["osdi:signatures"]
    assert [s["identifiers"][0] for s in signatures] == [f"outcry:action-{a.pk}" for a in (bo, di, cy)]
    assert signatures[0]["person"]["email_addresses"] == []  # erased: forget the person
    assert all(s["modified_date"] >= last_sync.isoformat()[:19] for s in signatures)
    assert ann.pk not in {int(s["identifiers"][0].rsplit("-", 1)[1]) for s in signatures}


def test_bad_parameters_answer_json_400(client, campaign, token):
    response = get(client, "/api/v1/petitions/free-them/signatures", token, per_page=1000, created_after="yesterday")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"per_page", "created_after"}


def test_petitions_list_has_counts(client, campaign, supporter, token):
    client.post("/c/free-them/", supporter)
    petition = get(client, "/api/v1/petitions", token).json()["_embedded"]["osdi:petitions"][0]
    assert (petition["slug"], petition["total_signatures"], petition["goal"]) == ("free-them", 1, 100)


def test_admin_shows_a_new_token_once(staff_client, campaign):
    response = staff_client.post("/admin/integrations/apitoken/add/", {"organisation": campaign.organisation.pk, "name": "CRM"})
    html = response.content.decode()
    token = html.split('data-secret', 1)[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert token.startswith("outcry_")
    assert get(staff_client, "/api/v1/petitions", token).status_code == 200
    listing = staff_client.get("/admin/integrations/apitoken/").content.decode()
    assert token not in listing and token[:12] in listing
