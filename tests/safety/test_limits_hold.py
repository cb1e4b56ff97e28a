"""The issue's attacks on the limits, as the attacker made them: a flood of page reads that used to evict
the counters from the page cache, one /64 of IPv6 addresses, a forged X-Forwarded-For, and one proof of
work answered in two processes. On SQLite without Redis (the database store) and on PostgreSQL with Redis."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from outcry.actions.models import Action
from outcry.delivery.models import Message
from outcry.safety import privacy
from outcry.safety.challenge import ChallengeResult, check_solution, new_challenge, solve
from tests.delivery.test_worker_kill import database_url
from tests.safety.conftest import human

ROOT = Path(__file__).resolve().parents[2]


def person(supporter: dict, n: int) -> dict:
    return human(supporter | {"email": f"person{n}@example.org"})


def flood_of_page_reads(client, n: int = 1000) -> None:
    # The attack: each random utm_source was another variant of the shared page, another entry in
    # the page cache (one page per language since issue 13.5). Whatever else fills that cache to its
    # brim (many campaigns, languages, stats) must not evict a limit either.
    for _ in range(n):
        assert client.get(f"/c/free-them/?utm_source={secrets.token_hex(8)}", REMOTE_ADDR="192.0.2.99").status_code == 200
    cache.set_many({f"page-like-{secrets.token_hex(8)}": b"x" * 100 for _ in range(n)}, 300)


@pytest.mark.django_db
def test_a_thousand_page_reads_with_random_query_strings_evict_no_limit(client, campaign, supporter, settings):
    settings.OUTCRY_RATE_IP_CAMPAIGN = "20/3600"
    ip = {"REMOTE_ADDR": "198.51.100.30"}
    first = [client.post("/c/free-them/", person(supporter, n), **ip).status_code for n in range(20)]
    privacy.request_data_link("victim@example.org")
    flood_of_page_reads(client)
    later = [client.post("/c/free-them/", person(supporter, 100 + n), **ip).status_code for n in range(25)]
    privacy.request_data_link("victim@example.org")
    assert first == [303] * 20 and later == [429] * 25
    assert Action.objects.count() == 20
    # "One data email per address per 10 minutes" held through the flood too.
    assert Message.objects.filter(kind=Message.Kind.DATA_LINK).count() == 1


@pytest.mark.django_db
def test_25_addresses_of_one_ipv6_64_share_one_limit(client, campaign, supporter, settings):
    settings.OUTCRY_RATE_IP_CAMPAIGN = "20/3600"
    codes = [client.post("/c/free-them/", person(supporter, n), REMOTE_ADDR=f"2001:db8:7:9::{n + 1:x}").status_code for n in range(25)]
    assert codes == [303] * 20 + [429] * 5
    # The next /64 is another subscriber.
    assert client.post("/c/free-them/", person(supporter, 99), REMOTE_ADDR="2001:db8:7:a::1").status_code == 303


@pytest.mark.django_db
def test_the_ipv6_prefix_is_configurable(client, campaign, supporter, settings):
    settings.OUTCRY_RATE_IP_CAMPAIGN = "2/3600"
    settings.OUTCRY_RATE_IPV6_PREFIX = 128
    codes = [client.post("/c/free-them/", person(supporter, n), REMOTE_ADDR=f"2001:db8:7:9::{n + 1:x}").status_code for n in range(4)]
    assert codes == [303] * 4


@pytest.mark.django_db
def test_a_forged_x_forwarded_for_from_a_peer_that_is_no_proxy_is_ignored(client, campaign, supporter, settings):
    settings.OUTCRY_RATE_IP_CAMPAIGN = "20/3600"
    settings.TRUSTED_PROXIES = ["10.0.0.2/32"]
    settings.TRUSTED_PROXY_COUNT = 1  # the setting: it no longer makes any peer a proxy
    codes = [
        client.post("/c/free-them/", person(supporter, n), REMOTE_ADDR="198.51.100.40",
                    HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(25)
    ]
    assert codes == [303] * 20 + [429] * 5


@pytest.mark.django_db
def test_behind_the_trusted_proxy_each_client_has_its_own_limit_and_cannot_forge_another(client, campaign, supporter, settings):
    settings.OUTCRY_RATE_IP_CAMPAIGN = "2/3600"
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    via_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # Two clients behind the proxy: each has its own two.
    alice = [client.post("/c/free-them/", person(supporter, n), HTTP_X_FORWARDED_FOR="198.51.100.1", **via_proxy).status_code for n in range(3)]
    bob = [client.post("/c/free-them/", person(supporter, 10 + n), HTTP_X_FORWARDED_FOR="198.51.100.2", **via_proxy).status_code for n in range(2)]
    # Alice writes a fresh address to the left of the one the proxy appended: she is still herself.
    forged = client.post("/c/free-them/", person(supporter, 20), HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1", **via_proxy).status_code
    # Through two proxies of the list, the address the outer one saw counts.
    chained = client.post("/c/free-them/", person(supporter, 30), HTTP_X_FORWARDED_FOR="198.51.100.1, 10.0.0.7", **via_proxy).status_code
    assert alice == [303, 303, 429] and bob == [303, 303] and forged == 429 and chained == 429


def check_in_another_process(payload: str) -> str:
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "CACHE_KEY_PREFIX": django_settings.CACHES["default"].get("KEY_PREFIX", ""),
        "DJANGO_SETTINGS_MODULE": "outcry.settings",
    }
    env.pop("OUTCRY_TEST_DB_NAME", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    code = (
        "import django, sys; django.setup(); from outcry.safety.challenge import check_solution; "
        "print(check_solution(sys.argv[1]))"
    )
    result = subprocess.run([sys.executable, "-c", code, payload], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.django_db(transaction=True)
def test_one_proof_of_work_answer_used_in_two_processes_counts_once(settings):
    settings.OUTCRY_POW_MAX_NUMBER = 200
    payload = solve(new_challenge())
    assert [check_in_another_process(payload), check_in_another_process(payload)] == ["passed", "replayed"]
    assert check_solution(payload) == ChallengeResult.REPLAYED
