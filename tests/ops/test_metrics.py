"""/metrics: the Prometheus text format behind a bearer token (404 without METRICS_TOKEN), with requests
by view and status, shared-copy lookups, actions, the outbox and the task queue."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from outcry.delivery.models import Message

TOKEN = "s3cret-metrics-token-for-tests"


def value(text: str, name: str, **labels: str) -> float:
    """The sample's value, 0 when absent."""
    for line in text.splitlines():
        found = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if found and found.group(1) == name and dict(re.findall(r'(\w+)="([^"]*)"', found.group(2) or "")) == labels:
            return float(found.group(3))
    return 0.0


def scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.content.decode()


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN


def test_no_token_setting_no_endpoint(client, db, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}"])
def test_without_the_right_bearer_token_401(client, db, token, header):
    kwargs = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert TOKEN.encode() not in response.content and b"outcry_" not in response.content


def test_the_token_is_never_logged(client, db, token, caplog):
    with caplog.at_level(logging.DEBUG):
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer a-wrong-guess-123")
        client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert caplog.records, "something was logged (the 401 warning), so the check means something"
    assert TOKEN not in caplog.text and "a-wrong-guess-123" not in caplog.text


def test_requests_by_view_and_status_and_shared_copies(client, campaign, token):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/c/free-them/?ref=abc&fbclid=1", HTTP_SEC_FETCH_SITE="none").status_code == 200
    assert client.get("/c/no-such-campaign/").status_code == 404
    assert client.get("/api/v1/campaigns/free-them/stats").status_code == 200
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("outcry_requests_total", view="campaigns:page", status="200") == 3
    assert delta("outcry_requests_total", view="campaigns:page", status="404") == 1
    assert delta("outcry_requests_total", view="api:stats", status="200") == 1
    lookups = sum(delta("outcry_shared_copies_total", kind=kind, found=found)
                  for kind in ("page", "response") for found in ("process", "shared", "built"))
    assert lookups == 3, after  # 404s are not shared copies
    assert delta("outcry_shared_copies_total", kind="page", found="built") == 1, "one rendering served all three"
    assert delta("outcry_shared_copies_total", kind="stats", found="built") == 1


def test_actions_outbox_and_queue(client, campaign, supporter, token, django_capture_on_commit_callbacks):
    before = value(scrape(client), "outcry_actions_total", status="counted")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/c/free-them/", supporter, HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 303, response.content[:500]
    Message.objects.filter(campaign=campaign).update(created_at=timezone.now() - timedelta(minutes=10))
    text = scrape(client)
    assert value(text, "outcry_actions_total", status="counted") == before + 1
    assert value(text, "outcry_database_up") == 1
    # Two letters (one per target), plus the supporter's receipt when the campaign sends one.
    owed = Message.objects.filter(status=Message.Status.PENDING).count()
    assert owed >= 2 and value(text, "outcry_outbox_messages", status="pending") == owed
    assert 600 <= value(text, "outcry_outbox_oldest_owed_seconds") < 700
    assert value(text, "outcry_tasks", queue="delivery", status="READY") + value(text, "outcry_tasks", queue="default", status="READY") >= 1
    assert value(text, "outcry_workers_alive") == 0
    assert value(text, "outcry_mail_server_unreachable_since") == 0
