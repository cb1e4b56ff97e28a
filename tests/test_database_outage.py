"""Riding out a database outage (issue 12 item 3): pages and stats already served keep answering from
their last good copy; an action answers a translated 503 with Retry-After and the supporter's input,
and leaves nothing behind; once the database is back, actions work again.

First in this process with the database connection pointed nowhere, then for real: a production server
(`python -m outcry.server`) on its own PostgreSQL cluster (initdb/pg_ctl in a temporary directory) and
its own redis-server, while that PostgreSQL is stopped and started again."""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from outcry.actions.models import Action
from tests.faults import harness
from tests.servers import http_request as request
from tests.servers import site_on_its_own_postgres

SUPPORTER = {"first_name": "Nadia", "last_name": "Outage", "email": "nadia.outage@example.com", "country": "GB", "postcode": "E1 6AN"}


def browser_post(client, path: str, data: dict):
    return client.post(path, data, HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin")


def test_while_the_database_is_away_pages_and_stats_serve_their_last_copy_and_actions_get_a_503(
    client, campaign, database_away, settings,
):
    settings.OUTCRY_PAGE_CACHE_SECONDS = settings.OUTCRY_COUNT_CACHE_SECONDS = 1
    page = client.get("/c/free-them/", HTTP_SEC_FETCH_SITE="none")
    stats = client.get("/api/v1/campaigns/free-them/stats")
    assert page.status_code == stats.status_code == 200
    assert "stale-if-error=600" in page["Cache-Control"] and "stale-if-error=600" in stats["Cache-Control"]
    time.sleep(1.2)  # past the copies' freshness: what follows must come from the last good copy
    with database_away():
        again = client.get("/c/free-them/", HTTP_SEC_FETCH_SITE="none")
        assert again.status_code == 200 and again.content == page.content
        by_script = client.get("/c/free-them/")  # the same copy, with this client's CSRF token
        assert by_script.status_code == 200 and b"Free them now" in by_script.content
        assert client.get("/api/v1/campaigns/free-them/stats").json()["count"] == 0

        acted = browser_post(client, "/c/free-them/?ref=abc", SUPPORTER | {"consent_updates": "on"})
        assert acted.status_code == 503 and acted["Retry-After"] == "60"
        assert "no-store" in acted["Cache-Control"]
        html = acted.content.decode()
        assert "Please try again in a minute" in html
        for name, value in SUPPORTER.items():
            assert f'name="{name}" value="{value}"' in html, name  # everything, ready to send again
        assert 'name="consent_updates" value="on"' in html and 'action="/c/free-them/?ref=abc"' in html

        assert client.get("/").status_code == 503  # no copy of the index: a 503, not a 500
        assert client.get("/api/v1/campaigns/free-them/integrity").json()["error"]
        assert client.get("/healthz").status_code == 503
    assert not Action.objects.exists(), "nothing half-written"
    assert browser_post(client, "/c/free-them/", SUPPORTER).status_code == 303
    assert Action.objects.filter(email=SUPPORTER["email"]).count() == 1


def test_the_outage_page_is_translated(client, campaign, database_away):
    with database_away():
        response = client.post("/fr/c/free-them/", SUPPORTER, HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 503
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr"' in response.content.decode()


def test_a_copy_past_the_stale_bound_is_not_served(client, campaign, database_away, settings):
    settings.OUTCRY_PAGE_CACHE_SECONDS = 1
    settings.OUTCRY_STALE_SECONDS = 0  # the cache drops the entry when it stops being fresh
    assert client.get("/c/free-them/", HTTP_SEC_FETCH_SITE="none").status_code == 200
    time.sleep(1.2)
    with database_away():
        assert client.get("/c/free-them/", HTTP_SEC_FETCH_SITE="none").status_code == 503


# A real server on a PostgreSQL that really stops ---------------------------------------------------------

LIBYA = "/c/stop-detention-libya/"


def post_action(port: int, data: dict) -> tuple[int, Any, str]:
    return request(port, "POST", LIBYA, urlencode(data), {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin",
    })


@pytest.fixture
def site():
    with site_on_its_own_postgres("outcry-outage-") as (port, postgres):
        yield port, postgres


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="belongs to the PostgreSQL + Redis half of CI (it starts its own PostgreSQL and Redis)",
)
@pytest.mark.skipif(bool(harness.missing_tools()), reason=f"needs {', '.join(harness.missing_tools())}")
def test_a_real_server_rides_out_postgresql_stopped_and_started(site):
    port, postgres = site
    stats_path = f"/api/v1/campaigns/{LIBYA.split('/')[2]}/stats"
    first = post_action(port, SUPPORTER | {"email": "before@example.com"})
    assert first[0] == 303
    warm_page = request(port, "GET", LIBYA, headers={"Sec-Fetch-Site": "none"})
    warm_stats = request(port, "GET", stats_path)
    assert warm_page[0] == warm_stats[0] == 200

    postgres.stop()
    time.sleep(3.5)  # past every copy's freshness (2 s, and a process's 1 s)
    for _ in range(6):  # both web processes, whichever answers
        page = request(port, "GET", LIBYA, headers={"Sec-Fetch-Site": "none"})
        assert page[0] == 200 and page[2] == warm_page[2]
        stats = request(port, "GET", stats_path)
        assert stats[0] == 200 and '"count": 1' in stats[2]
    assert request(port, "GET", "/healthz")[0] == 503
    status, headers, html = post_action(port, SUPPORTER)
    assert status == 503 and headers["Retry-After"] == "60", (status, html[:300])
    assert "Please try again in a minute" in html and 'name="email" value="nadia.outage@example.com"' in html

    postgres.start()
    assert harness.wait_until(lambda: post_action(port, SUPPORTER)[0] == 303, 30, step=0.5), "actions work again"
    assert postgres.query("SELECT count(*) FROM actions_action WHERE email = %s", SUPPORTER["email"]) == [(1,)]
    assert harness.wait_until(lambda: '"count": 2' in request(port, "GET", stats_path)[2], 10)
