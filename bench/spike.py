"""The spike as it really arrives (issue 12): scenarios for bench/run.py.

- the campaign page where every request carries its own share link (`?ref=…&via=…&utm_source=…&fbclid=…`),
  against the one-URL page rate of the same run (target ≥ 0.9), and the same with what an attacker varies
  for free (a random Accept-Language region, `sessionid=x`);
- the thank-you page as a supporter sees it, with their referral cookie (target ≥ 0.7 of the minimal GET);
- a journey: visitors through unique share links, 10 % of them act (attribution from the Referer, as
  without JavaScript) and follow the 303 to the thank-you page: actions/s and every request's p99;
- a soak of that journey (BENCH_SOAK_SECONDS, e.g. 180, at BENCH_SOAK_CONNECTIONS, 64; off unless set,
  so `make bench` stays short): server memory growth, the cache's key count, errors, every acknowledged
  action stored once, counted and attributed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from urllib.parse import urlencode

from bench import load

SOAK_SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "0"))
SOAK_CONNECTIONS = int(os.environ.get("BENCH_SOAK_CONNECTIONS", "64"))
ACT_SHARE = 10


def acted_cookie(request: Callable, port: int, slug: str, cookie: str, body: str) -> str:
    """The signed referral cookie a supporter holds after acting (one real action)."""
    email = urlencode({"email": f"cookie-{time.time_ns()}@bench.example.org"})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    response = request(port, "POST", f"/c/{slug}/", f"{body}&{email}", headers)
    response.read()
    assert response.status == 303, f"acting for a referral cookie answered {response.status}"
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith("acted-"):
            return header.split(";", 1)[0]
    raise RuntimeError("no referral cookie in the 303")


def cache_keys() -> dict[str, int]:
    """Keys in the bench's Redis under its prefix: all of them, and the shared copies of pages."""
    from django.conf import settings
    from django.core.cache import cache

    client = cache._cache.get_client()  # type: ignore[attr-defined]
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    total = shared = 0
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        total += 1
        shared += b":shared:" in key
    return {"keys": total, "shared_copies": shared}


def attributed(run_id: str) -> dict[str, int]:
    from outcry.actions.models import Action

    stored = Action.objects.filter(email__startswith=f"{run_id}-")
    return {"stored": stored.count(), "attributed": stored.filter(source=Action.Source.WHATSAPP, utm_source="journey").count()}


def run(scenario: Callable, *, request: Callable, verify: Callable, port: int, slug: str, big_id: int, cookie: str,
        body: str, base: str, common: dict, say: Callable[[str], None]) -> dict:
    """Runs the scenarios through run.py's scenario(); returns the checks (and the soak's report)."""
    page_path = f"/c/{slug}/"
    checks: dict = {}
    scenario("spike", "page GET, a new share link each (ref, via, fbclid)", "share", {"path": page_path})
    scenario("spike", "page GET, share links + random region + sessionid=x", "share", {"path": page_path, "attacker": 1})
    acted = acted_cookie(request, port, slug, cookie, body)
    scenario("spike", "thank-you GET with referral cookie", "thanks", {"path": f"{page_path}thanks/", "acted_cookie": acted})
    journey_vars = {"page_path": page_path, "thanks_path": f"{page_path}thanks/", "cookie": cookie, "body": body,
                    "base": base.rstrip("/"), "act_share": ACT_SHARE, "acted_cookie": acted}
    run_id = f"j{int(time.time())}"
    journey = scenario("spike", "journey (share links, 10% act + thank-you)", "journey", journey_vars | {"run_id": run_id})
    if journey:
        journey.extra["actions_per_second"] = round(journey.acknowledged / journey.seconds, 1)
        checks["journey"] = verify(run_id, journey.acknowledged, common["connections"], big_id, port, slug) | attributed(run_id)
        say(f"  journey: {journey.extra['actions_per_second']} actions/s; check: {checks['journey']}")
    if SOAK_SECONDS:
        checks["soak"] = soak(verify=verify, port=port, slug=slug, big_id=big_id, base=base, common=common,
                              journey_vars=journey_vars, say=say)
    return checks


def soak(*, verify: Callable, port: int, slug: str, big_id: int, base: str, common: dict, journey_vars: dict,
         say: Callable[[str], None]) -> dict:
    say(f"Soak: the journey for {SOAK_SECONDS} s at {SOAK_CONNECTIONS} connections…")
    run_id = f"s{int(time.time())}"
    keys_before = cache_keys()
    rss_before = load.process_tree_rss_mb(common["server_pid"])
    result = load.run_wrk("soak: journey", base, "journey", journey_vars | {"run_id": run_id},
                          **(common | {"seconds": SOAK_SECONDS, "connections": SOAK_CONNECTIONS}))
    rss_after = load.process_tree_rss_mb(common["server_pid"])
    check = verify(run_id, result.acknowledged, SOAK_CONNECTIONS, big_id, port, slug) | attributed(run_id)
    report = {
        "seconds": round(result.seconds, 1), "connections": SOAK_CONNECTIONS, "requests": result.requests,
        "rps": round(result.rps), "p50_ms": round(result.p50_ms, 1), "p99_ms": round(result.p99_ms, 1),
        "errors": result.errors, "statuses": result.extra["statuses"],
        "actions_per_second": round(result.acknowledged / result.seconds, 1),
        "rss_before_mb": round(rss_before, 1), "rss_peak_mb": round(result.rss_mb, 1), "rss_after_mb": round(rss_after, 1),
        "rss_growth_mb": round(rss_after - rss_before, 1),
        "cache_keys_before": keys_before, "cache_keys_after": cache_keys(), "check": check,
    }
    say(f"  soak: {report}")
    return report


def ratios(by: dict, add: Callable[[str, float, bool], None], report: dict) -> None:
    """The spike's targets, from the same run's scenarios (run.py ratios())."""
    page = by.get("page GET")
    share = by.get("page GET, a new share link each")
    attacker = by.get("page GET, share links + random region + sessionid=x")
    minimal = by.get("minimal GET")
    thanks = by.get("thank-you GET with referral cookie")
    if page and share:
        add("share-link page / one-URL page", share.rps / page.rps, True)
    if page and attacker:
        add("attacker-varied page / one-URL page", attacker.rps / page.rps, True)
    if minimal and thanks:
        add("thank-you GET / minimal GET", thanks.rps / minimal.rps, True)
    soak_report = report.get("checks", {}).get("soak")
    if soak_report:
        add("soak RSS growth MB", soak_report["rss_growth_mb"], False)
        add("soak errors", soak_report["errors"], False)
