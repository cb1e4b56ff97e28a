from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_stats_carry_a_weak_etag_and_answer_304_while_the_count_stands(client, campaign):
    response = client.get("/api/v1/campaigns/free-them/stats")
    assert response["ETag"].startswith('W/"')
    assert response["Cache-Control"].startswith("public, max-age=2")
    assert not response.cookies
    again = Client().get("/api/v1/campaigns/free-them/stats", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_a_new_action_changes_the_etag(client, campaign, supporter, settings):
    settings.OUTCRY_COUNT_CACHE_SECONDS = 0
    before = client.get("/api/v1/campaigns/free-them/stats")
    client.post("/c/free-them/", supporter)
    after = client.get("/api/v1/campaigns/free-them/stats", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after.json()["count"] == 1
    assert after["ETag"] != before["ETag"]


def test_repeat_reads_cost_no_query(client, campaign, django_assert_num_queries):
    client.get("/api/v1/campaigns/free-them/stats")
    with django_assert_num_queries(0):
        assert Client().get("/api/v1/campaigns/free-them/stats").json()["slug"] == "free-them"


def test_goal_change_shows_at_once(client, campaign):
    client.get("/api/v1/campaigns/free-them/stats")
    campaign.goal = 5000
    campaign.save()
    assert client.get("/api/v1/campaigns/free-them/stats").json()["goal"] == 5000


def test_unknown_campaign_answers_json_404(client, db):
    response = client.get("/api/v1/campaigns/nope/stats")
    assert response.status_code == 404
    assert "error" in response.json()
