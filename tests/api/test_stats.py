from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_stats_json_has_the_stable_fields(client, campaign, supporter):
    client.post("/c/free-them/", supporter)
    response = client.get("/api/v1/campaigns/free-them/stats")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"slug", "count", "goal", "messages_sent", "updated_at", "outcome", "updates"}
    assert (data["slug"], data["count"], data["goal"]) == ("free-them", 1, 100)
    assert "max-age" in response["Cache-Control"]


def test_stats_reads_no_actions(client, campaign, supporter, django_assert_max_num_queries):
    client.post("/c/free-them/", supporter)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/campaigns/free-them/stats")
    assert not any("actions_action" in q["sql"] for q in queries.captured_queries)


def test_unknown_campaign_is_404(client, db):
    assert client.get("/api/v1/campaigns/nope/stats").status_code == 404


def test_unknown_api_paths_answer_json_even_with_a_newline(client, db):
    for path in ["/api/v1/nothing-here", "/api/v1/campaigns/a%0Ab/stats", "/api/v1/%0A"]:
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert "error" in response.json()


def test_an_unexpected_error_in_the_api_is_still_json(client, campaign, monkeypatch):
    from django.test import Client

    from outcry.api import views

    def broken(slug):
        raise RuntimeError("something broke")

    monkeypatch.setattr(views, "_stats", broken)
    response = Client(raise_request_exception=False).get(f"/api/v1/campaigns/{campaign.slug}/stats")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json" and "error" in response.json()
    page = Client(raise_request_exception=False).get("/this-page-is-fine/")
    assert page.status_code == 404
