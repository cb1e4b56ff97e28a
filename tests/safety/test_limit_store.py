"""The limit store on the screened action POST: two writes per POST (the network's limits, then the email
domain's limits with the proof of work's one-use marker), and the same decisions as one check after the
other. On SQLite without Redis (the database table) and on PostgreSQL with Redis (the `limits` alias)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcry.actions.models import Action
from outcry.lib.redis_cache import RedisCache
from outcry.safety import ratelimit
from outcry.safety.models import Flag
from tests.safety.conftest import answered, human

pytestmark = pytest.mark.django_db


def person(supporter: dict, n: int, domain: str = "example.org") -> dict:
    return supporter | {"email": f"person{n}@{domain}"}


def test_a_submission_refused_for_its_domain_keeps_its_proof_of_work_unused(client, campaign, supporter, settings):
    settings.OUTCRY_RATE_DOMAIN_CAMPAIGN = "1/3600"
    assert client.post("/c/free-them/", human(person(supporter, 1, "small.example")), REMOTE_ADDR="203.0.113.1").status_code == 303
    payload = answered()
    refused = client.post("/c/free-them/", person(supporter, 2, "small.example") | {"altcha": payload}, REMOTE_ADDR="203.0.113.2")
    assert refused.status_code == 429
    # Tried again once the domain may act again, the same answer is still this person's first use of it.
    settings.OUTCRY_RATE_DOMAIN_CAMPAIGN = "10/3600"
    again = client.post("/c/free-them/", person(supporter, 2, "small.example") | {"altcha": payload}, REMOTE_ADDR="203.0.113.2")
    assert again.status_code == 303
    action = Action.objects.get(email="person2@small.example")
    assert action.status == Action.Status.COUNTED and not action.flags.exists()
    # A third use of that answer is a replay: the action steps up to a confirmation.
    replay = client.post("/c/free-them/", person(supporter, 3, "small.example") | {"altcha": payload}, REMOTE_ADDR="203.0.113.3")
    assert replay.status_code == 303
    assert list(Action.objects.get(email="person3@small.example").flags.values_list("reason", flat=True)) == [Flag.Reason.BAD_CHALLENGE]


def test_a_flood_refused_for_its_network_does_not_use_up_its_email_domain(client, campaign, supporter, settings):
    settings.OUTCRY_RATE_IP_CAMPAIGN = "2/3600"
    settings.OUTCRY_RATE_DOMAIN_CAMPAIGN = "5/3600"
    flood = [client.post("/c/free-them/", human(person(supporter, n, "campus.example")), REMOTE_ADDR="198.51.100.50").status_code for n in range(12)]
    assert flood == [303, 303] + [429] * 10
    # Only the two that passed their network's limit count against the domain: three more people may act.
    others = [client.post("/c/free-them/", human(person(supporter, 100 + n, "campus.example")), REMOTE_ADDR=f"203.0.113.{60 + n}").status_code for n in range(4)]
    assert others == [303, 303, 303, 429]


def test_the_marker_is_taken_only_when_the_limits_let_the_request_through():
    limit = ratelimit.Limit(count=1, seconds=3600)
    first = ratelimit.hit_then_mark([("mark-test", "a", limit)], ("mark-test-1", 60))
    assert first.exceeded is None and first.first_use is True
    over = ratelimit.hit_then_mark([("mark-test", "a", limit)], ("mark-test-2", 60))
    assert over.exceeded is not None and over.exceeded.scope == "mark-test" and over.first_use is None
    assert ratelimit.first_use("mark-test-2", 60) is True  # not taken by the refused request
    assert ratelimit.first_use("mark-test-2", 60) is False
    repeat = ratelimit.hit_then_mark([("mark-test", "b", limit)], ("mark-test-1", 60))
    assert repeat.exceeded is None and repeat.first_use is False


def _store_writes(client, data: dict, ip: str, monkeypatch) -> int:
    if django_settings.OUTCRY_LIMIT_STORE == "redis":
        calls = []
        real = RedisCache.run_script

        def counted(self: RedisCache, *args: object, **kwargs: object) -> object:
            calls.append(args)
            return real(self, *args, **kwargs)

        monkeypatch.setattr(RedisCache, "run_script", counted)
        assert client.post("/c/free-them/", data, REMOTE_ADDR=ip).status_code == 303
        return len(calls)
    with CaptureQueriesContext(connection) as queries:
        assert client.post("/c/free-them/", data, REMOTE_ADDR=ip).status_code == 303
    return sum("safety_limitcounter" in q["sql"] for q in queries.captured_queries)


def test_a_screened_post_makes_two_writes_to_the_limit_store(client, campaign, supporter, monkeypatch):
    # One for the network's limits, one for the domain's limits with the proof of work's marker.
    assert _store_writes(client, human(person(supporter, 1)), "203.0.113.70", monkeypatch) == 2


@pytest.mark.django_db(transaction=True)
def test_one_marker_presented_by_eight_threads_at_once_is_new_to_one():
    limit = ratelimit.Limit(count=1000, seconds=3600)
    firsts = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker(n: int) -> None:
        try:
            start.wait()
            outcome = ratelimit.hit_then_mark([("mark-race", f"net{n}", limit)], ("mark-race-one-answer", 60))
            with lock:
                firsts.append(outcome.first_use)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(firsts) == [False] * 7 + [True]
