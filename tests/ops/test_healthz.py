"""/healthz for load balancers: 200 while this process reaches the database (with the cache and the
task workers' heartbeats reported), 503 when it cannot."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from outcry.delivery.models import WorkerHeartbeat


def test_healthy_with_a_living_worker(client, db):
    WorkerHeartbeat.objects.create(worker_id="w1", last_seen_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok" and body["database"] is True and body["cache"] is True
    assert body["workers_alive"] == 1 and body["last_beat_seconds_ago"] < 5


def test_no_living_worker_is_degraded_but_still_serving(client, db):
    WorkerHeartbeat.objects.create(worker_id="dead", last_seen_at=timezone.now() - timedelta(hours=1))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["workers_alive"] == 0
    assert response.json()["last_beat_seconds_ago"] >= 3600


def test_no_database_is_503(client, transactional_db, database_away):
    with database_away():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": False, "cache": True, "workers_alive": 0, "last_beat_seconds_ago": None}
