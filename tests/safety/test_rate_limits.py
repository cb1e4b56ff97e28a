"""Floods from one address or one email domain store no more than the limit and answer 429."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.safety import ratelimit
from tests.safety.conftest import human

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def supporter_n(supporter: dict, n: int, domain: str = "example.com") -> dict:
    return supporter | {"email": f"person{n}@{domain}"}


def test_flood_of_500_from_one_address_stores_at_most_the_limit_and_answers_429(client, campaign, supporter, settings):
    settings.OUTCRY_RATE_IP_CAMPAIGN = "20/3600"
    statuses = [client.post("/c/free-them/", human(supporter_n(supporter, n)), REMOTE_ADDR="198.51.100.7").status_code for n in range(500)]
    assert statuses[:20] == [303] * 20
    assert set(statuses[20:]) == {429}
    assert Action.objects.count() == 20
    assert counting.get_count(campaign.pk) == 20


def test_429_is_a_friendly_page_saying_when_to_try_again(client, campaign, supporter, settings):
    settings.OUTCRY_RATE_IP_CAMPAIGN = "1/3600"
    client.post("/c/free-them/", human(supporter_n(supporter, 1)), REMOTE_ADDR="198.51.100.8")
    response = client.post("/c/free-them/", human(supporter_n(supporter, 2)), REMOTE_ADDR="198.51.100.8")
    html = response.content.decode()
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "Please try again in" in html and 'href="/c/free-them/"' in html
    # Nothing of the refused submission was stored.
    assert list(Action.objects.values_list("email", flat=True)) == ["person1@example.com"]


def test_site_wide_limit_per_address_spans_campaigns(client, campaign, supporter, settings):
    settings.OUTCRY_RATE_IP_CAMPAIGN = "100/3600"
    settings.OUTCRY_RATE_IP_SITE = "3/3600"
    other = Campaign.objects.create(organisation=campaign.organisation, slug="other", status="live", title="Other", summary="s")
    codes = [client.post(f"/c/{slug}/", human(supporter_n(supporter, n)), REMOTE_ADDR="198.51.100.9").status_code
             for n, slug in enumerate(["free-them", "other", "free-them", "other"])]
    assert codes == [303, 303, 303, 429]
    assert Action.objects.filter(campaign=other).count() == 1


def test_one_email_domain_from_many_addresses_is_limited(client, campaign, supporter, settings):
    settings.OUTCRY_RATE_DOMAIN_CAMPAIGN = "5/3600"
    codes = [client.post("/c/free-them/", human(supporter_n(supporter, n, "bot-farm.example")), REMOTE_ADDR=f"203.0.113.{n}").status_code for n in range(12)]
    assert codes == [303] * 5 + [429] * 7
    assert Action.objects.filter(email_domain="bot-farm.example").count() == 5


def test_big_webmail_domains_are_not_limited_as_a_domain(client, campaign, supporter, settings):
    settings.OUTCRY_RATE_DOMAIN_CAMPAIGN = "2/3600"
    codes = [client.post("/c/free-them/", human(supporter_n(supporter, n, "gmail.com")), REMOTE_ADDR=f"203.0.113.{n}").status_code for n in range(6)]
    assert codes == [303] * 6


def test_loopback_exemption_is_for_loopback_only(client, campaign, supporter, settings):
    settings.BENCH_EXEMPT_LOOPBACK = True
    settings.OUTCRY_RATE_IP_CAMPAIGN = "2/3600"
    local = [client.post("/c/free-them/", supporter_n(supporter, n)).status_code for n in range(10)]
    assert local == [303] * 10
    # Exempt from the challenge too: a load generator's actions count without proof of work.
    assert counting.get_count(campaign.pk) == 10
    remote = [client.post("/c/free-them/", human(supporter_n(supporter, 100 + n)), REMOTE_ADDR="198.51.100.10").status_code for n in range(4)]
    assert remote == [303, 303, 429, 429]


def test_production_refuses_the_loopback_exemption():
    env = os.environ | {"OUTCRY_ENV": "production", "SECRET_KEY": "x" * 60, "BENCH_EXEMPT_LOOPBACK": "1"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "BENCH_EXEMPT_LOOPBACK" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_counter_is_atomic_under_concurrent_hits():
    # Committed writes from several connections: the database store (no Redis) is shared like Redis is.
    limit = ratelimit.Limit(count=50, seconds=3600)
    allowed = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            for _ in range(25):
                if ratelimit.hit("race", "one-address", limit) is None:
                    with lock:
                        allowed.append(1)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 50


def test_limits_live_in_redis_when_configured():
    if django_settings.OUTCRY_LIMIT_STORE != "redis":
        pytest.skip("REDIS_URL is not set (or OUTCRY_LIMIT_STORE=database): the rate limits use the database")
    import redis

    ratelimit.hit("redis-check", "abc", ratelimit.Limit(count=5, seconds=60))
    keys = redis.Redis.from_url(django_settings.REDIS_URL).keys("*rl:redis-check:abc:*")
    assert len(keys) == 1


def test_limit_settings_parse():
    assert ratelimit.Limit.parse("20/3600") == ratelimit.Limit(20, 3600)
    assert ratelimit.Limit.parse("0/60").count == 0
    assert ratelimit.hit("off", "x", ratelimit.Limit(0, 60)) is None
