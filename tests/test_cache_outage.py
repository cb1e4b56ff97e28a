"""Redis is only a cache: when it cannot be reached, pages, the count and actions keep working."""

from __future__ import annotations

import socket

import pytest

from outcry.actions.models import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_gone(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    settings.CACHES = {"default": {
        "BACKEND": "outcry.lib.redis_cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }}


def test_page_stats_and_actions_survive_redis_being_unreachable(redis_gone, client, campaign, supporter):
    assert client.get("/c/free-them/").status_code == 200
    assert client.post("/c/free-them/", supporter).status_code == 303
    assert Action.objects.filter(status=Action.Status.COUNTED).count() == 1
    assert client.get("/api/v1/campaigns/free-them/stats").json()["count"] == 1
    assert client.get("/").status_code == 200
