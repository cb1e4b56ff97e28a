"""The momentum dashboard at 100,000 and 1,000,000 actions: queries and time, on PostgreSQL.

    .venv/bin/python bench/reports.py        # BENCH_REPORTS_DATABASE_URL to change the database

Uses its own database (default postgres://postgres@127.0.0.1:5432/outcry_reports_bench, created if
missing), preloads the actions inside PostgreSQL (bench/prepare.py), rebuilds the hourly rollups, then
opens the admin dashboard through Django's test client: once with an empty cache, then warm. Also times
the rollup jobs and the public integrity report (two grouped counts, not pre-aggregated).
Writes bench/results/reports-<time>.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_REPORTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outcry_reports_bench")
os.environ["DATABASE_URL"] = URL
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outcry.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")

import django  # noqa: E402

SIZES = {"reports-100k": (100_000, 10_000_000), "reports-1m": (1_000_000, 20_000_000)}
WARM_RUNS = 5


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def main() -> None:
    from bench import prepare

    prepare.create_database(URL)
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from outcry.campaigns.models import Campaign, Organisation
    from outcry.reports import services
    from outcry.reports.integrity import integrity_report

    call_command("migrate", interactive=False, verbosity=0)
    organisation, _ = Organisation.objects.get_or_create(slug="bench-reports", defaults={"name": "Bench reports"})
    admin = get_user_model().objects.filter(username="bench-reports").first() or get_user_model().objects.create_superuser(
        "bench-reports", "bench@example.org", "bench-reports-password"
    )
    client = Client()
    client.force_login(admin)
    results: dict = {"database": connection.vendor, "at": datetime.now(UTC).isoformat()}
    for slug, (size, offset) in SIZES.items():
        campaign, _ = Campaign.objects.get_or_create(
            slug=slug, defaults={"organisation": organisation, "title": slug, "summary": "bench", "status": "live",
                                 "goal": size, "published_at": timezone.now() - timezone.timedelta(days=12)},
        )
        print(f"{slug}: preloading {size:,} actions (once)…", flush=True)
        prepare.preload(campaign.pk, size, offset=offset, say=lambda text: None)
        prepare.set_count_shards(campaign.pk)

        started = time.perf_counter()
        rows = services.refresh_rollups(campaign.pk)
        rebuild = time.perf_counter() - started
        started = time.perf_counter()
        services.refresh_rollups(campaign.pk, timezone.now() - timezone.timedelta(hours=services.RECENT_HOURS))
        recent = time.perf_counter() - started

        url = f"/admin/reports/campaignreport/{campaign.pk}/dashboard/"
        client.get(url)  # a cold process (imports, templates) is not what is measured; a cold cache is
        cache.clear()
        with CaptureQueriesContext(connection) as cold_queries:
            started = time.perf_counter()
            response = client.get(url)
            cold = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        warm_times, warm_queries = [], 0
        for _ in range(WARM_RUNS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url)
                warm_times.append(time.perf_counter() - started)
            warm_queries = len(queries)
        cache.clear()
        started = time.perf_counter()
        integrity_report(campaign)
        integrity = time.perf_counter() - started

        results[slug] = {
            "actions": size,
            "rollup_rows": rows,
            "rollup_rebuild_ms": ms(rebuild),
            "rollup_recent_3h_ms": ms(recent),
            "dashboard_cold_ms": ms(cold),
            "dashboard_cold_queries": len(cold_queries),
            "dashboard_warm_median_ms": ms(statistics.median(warm_times)),
            "dashboard_warm_queries": warm_queries,
            "integrity_report_cold_ms": ms(integrity),
        }
        print(json.dumps(results[slug], indent=2), flush=True)
    out = ROOT / "bench" / "results" / f"reports-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
