"""The cost of issue 16's identity rules and limit store on the action POST, and what a solver can add.

In one process, one run, against one database (a temporary SQLite file without Redis by default;
IDENTITY_BENCH_DATABASE_URL and IDENTITY_BENCH_REDIS_URL for PostgreSQL and Redis):

- baseline: the action POST from loopback with BENCH_EXEMPT_LOOPBACK (no screening: what `make bench`'s
  wrk scenario measures);
- screened, old store: the same POST from the network, screened (limits, proof of work, identity), with the
  limit windows and replay markers in a local-memory cache, as before issue 16;
- screened, new store: the same with settings.OUTCRY_LIMIT_STORE (the database table without Redis, the
  `limits` alias with it).

Reports each as POSTs a second and as a ratio to the baseline, so machines compare; plus normalise_email
against the old lower-casing in microseconds, the proof of work's solving time at the default size, and the
counted actions a solver can add per hour under the default limits.

    python bench/identity_limits.py [--posts N]    # prints a table, writes bench/results/identity-limits-<db>.json

`make bench` runs it (scenario key `identity`) on SQLite without Redis and on its PostgreSQL with Redis.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> str:
    url = os.environ.get("IDENTITY_BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/identity-bench.sqlite3"
    os.environ.update({
        "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0", "LOG_LEVEL": "WARNING",
        "OUTCRY_TESTING": "", "CACHE_KEY_PREFIX": "outcry-identity-bench",
    })
    os.environ.pop("REDIS_URL", None)
    if os.environ.get("IDENTITY_BENCH_REDIS_URL"):
        os.environ["REDIS_URL"] = os.environ["IDENTITY_BENCH_REDIS_URL"]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return "postgresql" if url.startswith("postgres") else "sqlite"


def bench_campaign():
    from outcry.campaigns.models import Campaign, Organisation, Target

    organisation, _ = Organisation.objects.get_or_create(slug="identity-bench", defaults={"name": "Identity bench"})
    campaign, created = Campaign.objects.get_or_create(
        slug="identity-bench", defaults={
            "organisation": organisation, "status": Campaign.Status.LIVE, "title": "Identity bench", "summary": "s",
            "action_kind": Campaign.ActionKind.LETTER, "letter_subject": "s", "letter_body": "b",
        },
    )
    if created:
        Target.objects.create(campaign=campaign, name="A Minister", email="minister@example.org")
    return campaign


def post_seconds(client, campaign, n: int, *, screened: bool, tag: str) -> tuple[float, float]:
    """n action POSTs; returns (wall seconds, this process's CPU seconds)."""
    from django.conf import settings

    settings.BENCH_EXEMPT_LOOPBACK = not screened
    base = {"first_name": "Amal", "last_name": "Haddad", "country": "GB"}
    forms = []
    for i in range(n):
        # Each a mailbox of its own (the +tag goes, the rest stays), so every POST is a new, counted action:
        # with one mailbox, all but the first would take the shorter path of a duplicate.
        form = base | {"email": f"A.Mal.{tag}{i}+news@Example.org"}
        if screened:
            from tests.safety.conftest import human

            form = human(form)  # a person's answer, to a challenge fetched when the page opened
        # Every POST from its own address of one /48, as a spread of real supporters.
        forms.append((form, f"2001:db8:{i % 50}:{i}::1" if screened else "127.0.0.1"))
    started, cpu = time.perf_counter(), time.process_time()
    for form, ip in forms:
        response = client.post(f"/c/{campaign.slug}/", form, REMOTE_ADDR=ip)
        assert response.status_code == 303, response.status_code
    return time.perf_counter() - started, time.process_time() - cpu


def micro(fn, rounds: int = 20000) -> float:
    started = time.perf_counter()
    for i in range(rounds):
        fn(i)
    return (time.perf_counter() - started) / rounds * 1e6


def solver(rounds: int = 20) -> dict:
    """The proof of work at its default size, solved as the 40-line script of the issue did."""
    from django.conf import settings

    from outcry.safety.challenge import new_challenge, solve

    times = []
    for _ in range(rounds):
        challenge = new_challenge()
        started = time.perf_counter()
        solve(challenge)
        times.append(time.perf_counter() - started)
    mean = statistics.mean(times)
    from outcry.safety.ratelimit import Limit

    per_campaign = Limit.parse(settings.OUTCRY_RATE_IP_CAMPAIGN)
    site = Limit.parse(settings.OUTCRY_RATE_IP_SITE)
    domain = Limit.parse(settings.OUTCRY_RATE_DOMAIN_CAMPAIGN)
    domain_site = Limit.parse(settings.OUTCRY_RATE_DOMAIN_SITE)
    hour = 3600
    return {
        "pow_max_number": settings.OUTCRY_POW_MAX_NUMBER,
        "solve_ms_mean": round(mean * 1000, 1),
        "solves_per_hour_per_core": round(hour / mean),
        # The limits, not the challenge, bound a solver: one machine is one /64 (or one IPv4 address).
        "counted_per_hour_per_64_one_campaign": per_campaign.count * hour // per_campaign.seconds,
        "counted_per_hour_per_64_all_campaigns": site.count * hour // site.seconds,
        "counted_per_hour_per_provider_domain_one_campaign": domain.count * hour // domain.seconds,
        "counted_per_hour_per_provider_domain_all_campaigns": domain_site.count * hour // domain_site.seconds,
        "big_webmail_domains_limited_as_a_domain": False,
        "identities_per_gmail_mailbox": 1,
    }


def run(posts: int = 300) -> dict:
    load_at_start = os.getloadavg()
    db = setup()
    from django.conf import settings
    from django.test import Client

    from outcry.lib.mailbox import normalise_email

    solved = solver()  # under the default limits, before the runs below lift them
    settings.OUTCRY_POW_MAX_NUMBER = 1000  # presolved outside the timing; checking costs one hash at any size
    for name in ("OUTCRY_RATE_IP_CAMPAIGN", "OUTCRY_RATE_IP_SITE", "OUTCRY_RATE_DOMAIN_CAMPAIGN", "OUTCRY_RATE_DOMAIN_SITE"):
        setattr(settings, name, "100000000/3600")
    campaign = bench_campaign()
    client = Client()
    new_store = settings.OUTCRY_LIMIT_STORE
    from django.core.cache import caches

    stores = {
        # The cache path of ratelimit.py on local memory: the store before issue 16.
        "old": ("redis", {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "identity-bench-old"}),
        "new": (new_store, settings.CACHES.get("limits")),
    }
    if os.environ.get("REDIS_URL"):
        # With Redis, the store before issue 16 was Redis itself (the shared page cache): Django's own
        # RedisCache takes ratelimit.py's cache path, add, exists and incr a window, one round trip each.
        stores["old_redis"] = ("redis", {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]})

    def use(store: str) -> None:
        kind, alias = stores[store]
        settings.OUTCRY_LIMIT_STORE = kind
        if alias is not None:
            settings.CACHES["limits"] = alias
            caches._settings = caches.settings = settings.CACHES  # type: ignore[attr-defined]
            if hasattr(caches._connections, "limits"):
                del caches._connections.limits

    post_seconds(client, campaign, 30, screened=True, tag="warm")  # connections, templates, first shards
    # Interleaved short rounds, the order turning each round, so a busy machine's drift falls on all alike.
    order = ["base", *stores]
    seconds = dict.fromkeys(order, 0.0)
    cpu = dict.fromkeys(order, 0.0)
    rounds = 10
    for r in range(rounds):
        for kind in order[r % len(order):] + order[:r % len(order)]:
            if kind != "base":
                use(kind)
            wall, used = post_seconds(client, campaign, posts // rounds, screened=kind != "base", tag=f"{kind}{r}-")
            seconds[kind] += wall
            cpu[kind] += used
    done = posts // rounds * rounds
    baseline, old, new = (done / seconds[k] for k in ("base", "old", "new"))
    result = {
        "database": db,
        "redis": bool(os.environ.get("REDIS_URL")),
        "new_store": new_store,
        "posts": posts,
        "exempt action POST /s (baseline)": round(baseline, 1),
        "screened POST, old store (local memory) /s": round(old, 1),
        "screened POST, new store /s": round(new, 1),
        "screened old / baseline": round(old / baseline, 3),
        "screened new / baseline": round(new / baseline, 3),
        "new store / old store": round(new / old, 3),
        # The same ratio in this process's CPU time, which a shared machine's load disturbs less; it leaves
        # out the database's and Redis's own work and every wait for them, which the wall-clock ratio has.
        "new store / old store, process CPU": round(cpu["old"] / cpu["new"], 3),
        "process CPU ms per POST (base, old, new)": [round(cpu[k] / done * 1000, 2) for k in ("base", "old", "new")],
        "normalise_email µs": round(micro(lambda i: normalise_email(f" A.B+{i}@GoogleMail.com ")), 2),
        "old lower-casing µs": round(micro(lambda i: f" A.B+{i}@GoogleMail.com ".strip().lower()), 2),
        **({
            "screened POST, old store (Redis, as before issue 16 with Redis) /s": round(done / seconds["old_redis"], 1),
            "new store / old Redis store": round(new / (done / seconds["old_redis"]), 3),
            "new store / old Redis store, process CPU": round(cpu["old_redis"] / cpu["new"], 3),
        } if "old_redis" in stores else {}),
        "solver": solved,
        "load_average": os.getloadavg(),
        "load_average_at_start": load_at_start,
    }
    return result


def table(result: dict) -> str:
    lines = [f"{'measure':48} value"]
    for key, value in result.items():
        if key == "solver":
            for k, v in value.items():
                lines.append(f"  solver {k:40} {v}")
        else:
            lines.append(f"{key:48} {value}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print the result as JSON only (for bench/run.py)")
    args = parser.parse_args()
    result = run(args.posts)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(table(result))
    out = ROOT / "bench" / "results" / f"identity-limits-{result['database']}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
