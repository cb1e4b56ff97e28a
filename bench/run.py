"""`make bench`: Outcry's production server under wrk, on PostgreSQL and Redis, with 1,000,000 actions.

Prints a table and the ratios to the targets of issue #5, and writes everything to bench/results/.
Settings: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/outcry_bench, created if
missing), BENCH_REDIS_URL (default redis://127.0.0.1:6379/0, keys under the prefix outcry-bench),
BENCH_SECONDS per scenario (10). `python bench/run.py --help` lists the rest.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load, prepare, spike  # noqa: E402
from outcry import server  # noqa: E402

TARGETS = {
    "action POST / minimal POST": 0.35,
    "page GET / minimal GET": 0.70,
    "stats GET / minimal GET": 0.85,
    "action POST p99 ms (32 clients)": 100.0,
    "page 1M / page 10 cost": 1.10,
    "stats 1M / stats 10 cost": 1.10,
    "CSV export memory growth MB": 100.0,
    "stats 1M / 10 uncached cost": 1.10,
    "page 1M / 10 uncached cost": 1.10,
    # Issue 12 (bench/spike.py): the spike as it arrives.
    "share-link page / one-URL page": 0.90,
    "attacker-varied page / one-URL page": 0.90,
    "thank-you GET / minimal GET": 0.70,
    "soak RSS growth MB": 50.0,
    "soak errors": 1.0,
    # Issue 12 item 5 and 14 item 5: none for pages and stats already cached, and a count that never steps back.
    "reader errors during a PostgreSQL restart": 1,
    "count step-backs during a PostgreSQL restart": 1,
}


def say(text: str) -> None:
    print(text, flush=True)


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("Installing wrk (Debian package)…")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
        return
    sys.exit("make bench needs wrk: sudo apt-get install wrk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_environment(port: int) -> dict[str, str]:
    return {
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outcry_bench"),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "CACHE_KEY_PREFIX": "outcry-bench",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_EXEMPT_LOOPBACK": "1",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "OUTCRY_TESTING": "",
        "PYTEST_XDIST_WORKER": "",
    }


class Server:
    def __init__(self, port: int, env: dict[str, str], *, kind: str, workers: int, threads: int) -> None:
        self.port = port
        cmd = server.command(host="127.0.0.1", port=port, workers=workers, access_log=False, kind=kind, threads=threads)
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=os.environ | env, start_new_session=True)
        load.wait_until_up(f"http://127.0.0.1:{port}/bench/ok")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def request(port: int, method: str, path: str, body: str = "", headers: dict | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request(method, path, body=body.encode() or None, headers=headers or {})
    return conn.getresponse()


def cookie_from(response: http.client.HTTPResponse, name: str) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0]
    raise RuntimeError(f"no {name} cookie in the answer")


def hidden_inputs(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def visitor_form(port: int, slug: str) -> tuple[str, str]:
    """The cookie and form body of a visitor holding a CSRF token (from a form re-shown with an error).

    wrk's POSTs then pass Django's token check, the strictest path: they send no Origin header.
    """
    origin = {"Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/x-www-form-urlencoded"}
    response = request(port, "POST", f"/c/{slug}/", urlencode({"email": "not-an-email"}), origin)
    html = response.read().decode()
    assert response.status == 400, response.status
    fields = hidden_inputs(html) | {"first_name": "Bench", "last_name": "Runner", "country": "GB", "postcode": "N1 9GU"}
    return cookie_from(response, "csrftoken"), urlencode(fields)


def uncached_costs(big_id: int, small_id: int, big: str, small: str, rounds: int = 200) -> dict:
    """Median time of the uncached page, stats and count read, with 1,000,000 actions and with 10.

    In-process, through Django's full handler, with both caches off, big and small interleaved so
    the machine's noise falls on both alike.
    """
    from django.test import Client, override_settings

    from outcry.actions import counting

    client = Client()
    timings: dict[str, list[float]] = {}

    def timed(name: str, fn) -> None:
        started = time.perf_counter()
        fn()
        timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)

    with override_settings(OUTCRY_PAGE_CACHE_SECONDS=0, OUTCRY_COUNT_CACHE_SECONDS=0):
        for n in range(rounds + 20):
            for label, slug, cid in (("1M", big, big_id), ("10", small, small_id)):
                timed(f"count {label}", lambda cid=cid: counting._stored_counts([cid], counting.Metric.ACTIONS))
                timed(f"stats {label}", lambda slug=slug: client.get(f"/api/v1/campaigns/{slug}/stats"))
                timed(f"page {label}", lambda slug=slug: client.get(f"/c/{slug}/"))
            if n == 19:
                timings.clear()  # warm-up
    # The minimum is the cost with the least of the machine's noise on top (timeit's advice); the
    # median is kept to show the noise.
    out: dict = {"rounds": rounds, "min": {}, "median": {}}
    for name, values in timings.items():
        out["min"][name] = round(min(values), 3)
        out["median"][name] = round(statistics.median(values), 3)
    for what in ("count", "stats", "page"):
        out[f"{what} 1M / 10"] = round(out["min"][f"{what} 1M"] / out["min"][f"{what} 10"], 3)
    out["count query plan"] = {label: count_plan(cid) for label, cid in (("1M", big_id), ("10", small_id))}
    return out


def count_plan(campaign_id: int) -> dict:
    """What PostgreSQL does for a count read: which table it touches and how many pages."""
    from django.db import connection

    from outcry.actions import counting

    query = counting.CountShard.objects.filter(campaign_id=campaign_id, metric="actions").values("campaign_id")
    sql, params = query.annotate(total=counting.Sum("count")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    relations, buffers = set(), 0

    def walk(node: dict) -> None:
        nonlocal buffers
        if "Relation Name" in node:
            relations.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    buffers = plan["Plan"].get("Shared Hit Blocks", 0) + plan["Plan"].get("Shared Read Blocks", 0)
    return {"tables": sorted(relations), "pages_read": buffers, "rows": plan["Plan"].get("Actual Rows")}


def verify_posts(run_id: int | str, acknowledged: int, connections: int, big_id: int, port: int, slug: str) -> dict:
    """Every acknowledged action stored once and counted; the live count exact within a few seconds."""
    from django.conf import settings

    from outcry.actions.models import Action, CountShard

    # Requests in flight when wrk stopped finish first; the count may lag its caches by a few seconds.
    time.sleep(settings.OUTCRY_COUNT_CACHE_SECONDS + settings.OUTCRY_LOCAL_CACHE_SECONDS + 1)
    stored = Action.objects.filter(email__startswith=f"{run_id}-")
    result = {
        "acknowledged": acknowledged,
        "stored": stored.count(),
        "stored_counted": stored.filter(status=Action.Status.COUNTED).count(),
    }
    counted = Action.objects.filter(campaign_id=big_id, status=Action.Status.COUNTED).count()
    shards = sum(CountShard.objects.filter(campaign_id=big_id, metric="actions").values_list("count", flat=True))
    live = json.loads(request(port, "GET", f"/api/v1/campaigns/{slug}/stats").read())["count"]
    result |= {"counted_rows": counted, "count_shards": shards, "stats_count": live}
    # Requests still in flight when wrk stops are stored but never acknowledged: at most one a connection.
    result["exact"] = (
        acknowledged <= result["stored"] <= acknowledged + connections
        and result["stored_counted"] == result["stored"]
        and counted == shards == live
    )
    return result


def csv_export(port: int, campaign_id: int, server_pid: int) -> dict:
    """Stream the admin's CSV export of every action of the big campaign; watch the server's memory."""
    from outcry.actions.models import Action

    username, password = prepare.admin_user()
    page = request(port, "GET", "/admin/login/")
    csrf_cookie = cookie_from(page, "csrftoken")
    token = hidden_inputs(page.read().decode())["csrfmiddlewaretoken"]
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": csrf_cookie}
    login = request(port, "POST", "/admin/login/?next=/admin/",
                    urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}), form)
    login.read()
    assert login.status == 302, f"admin login failed: {login.status}"
    cookies = f"{csrf_cookie}; {cookie_from(login, 'sessionid')}"
    one = Action.objects.filter(campaign_id=campaign_id).values_list("pk", flat=True).first()
    body = urlencode({"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": one,
                      "csrfmiddlewaretoken": token})
    started = time.monotonic()
    with load.RssSampler(server_pid, every=0.1) as rss:
        response = request(port, "POST", f"/admin/actions/action/?campaign__id__exact={campaign_id}", body,
                           form | {"Cookie": cookies})
        size = lines = 0
        while chunk := response.read(1 << 20):
            size += len(chunk)
            lines += chunk.count(b"\n")
    return {
        "status": response.status,
        "rows": lines - 1,
        "megabytes": round(size / 1e6, 1),
        "seconds": round(time.monotonic() - started, 1),
        "rss_before_mb": round(rss.first, 1),
        "rss_peak_mb": round(rss.peak, 1),
        "growth_mb": round(rss.peak - rss.first, 1),
    }


def table(results: list[load.Result]) -> str:
    rows = [f"{'scenario':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'RSS MB':>8}"]
    for r in results:
        rows.append(f"{r.name:34} {r.rps:8.0f} {r.p50_ms:8.1f} {r.p99_ms:8.1f} {r.errors:7d} {r.rss_mb:8.0f}")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "10")))
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--server", choices=["gunicorn", "granian"], default="granian")
    parser.add_argument("--workers", type=int, default=server.default_workers())
    parser.add_argument("--server-threads", type=int, default=server.default_threads())
    parser.add_argument("--actions", type=int, default=1_000_000)
    parser.add_argument("--only", default="", help="comma-separated scenario keys: min_get,page,page_script,stats,min_post,post,mix,small,spike,costs,csv,delivery,faults,pg_restart,updates,identity")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))

    def wanted(key: str) -> bool:
        return not only or key in only

    ensure_wrk()
    port = free_port()
    env = bench_environment(port)
    os.environ.update(env)
    if prepare.create_database(env["DATABASE_URL"]):
        say(f"Created the database {env['DATABASE_URL']}")

    import django

    django.setup()
    from django.conf import settings

    from outcry.campaigns.models import Campaign

    say("Preparing the database…")
    prepare.migrate()
    big = Campaign.objects.get(slug=prepare.BIG)
    small = prepare.small_campaign()
    preload_seconds = prepare.preload(big.pk, args.actions, say=say)
    prepare.preload(small.pk, prepare.SMALL_ACTIONS, offset=50_000_000)
    big_count = prepare.set_count_shards(big.pk)
    prepare.set_count_shards(small.pk)
    prepare.clear_queues()
    say(f"  {big.slug}: {big_count:,} counted actions; {small.slug}: {prepare.SMALL_ACTIONS}")

    report: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "load_average_at_start": os.getloadavg()},
        "server": {"kind": args.server, "workers": args.workers, "threads": args.server_threads,
                   "db_pool_size": int(os.environ.get("DB_POOL_SIZE") or 0)},
        "load": {"tool": "wrk", "connections": args.connections, "threads": args.threads, "seconds": args.seconds},
        "database": {"actions_big": big_count, "actions_small": prepare.SMALL_ACTIONS, "preload_seconds": round(preload_seconds, 1)},
        "settings": {"count_cache_seconds": settings.OUTCRY_COUNT_CACHE_SECONDS, "page_cache_seconds": settings.OUTCRY_PAGE_CACHE_SECONDS,
                     "counter_shards": settings.OUTCRY_COUNTER_SHARDS, "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
                     "db_options": {k: str(v) for k, v in settings.DATABASES["default"].get("OPTIONS", {}).items()}},
    }
    if wanted("costs"):
        say("Uncached cost of a read, 1,000,000 actions vs 10 (in-process medians, ms)…")
        report["uncached_costs_ms"] = uncached_costs(big.pk, small.pk, big.slug, small.slug)
        say("  " + json.dumps(report["uncached_costs_ms"]))

    say(f"Starting {args.server} with {args.workers} workers on 127.0.0.1:{port}…")
    web = Server(port, env, kind=args.server, workers=args.workers, threads=args.server_threads)
    results: list[load.Result] = []
    checks: dict = {}
    try:
        cookie, body = visitor_form(port, big.slug)
        base = f"http://127.0.0.1:{port}"
        page_path, stats_path = f"/c/{big.slug}/", f"/api/v1/campaigns/{big.slug}/stats"
        common = {"seconds": args.seconds, "connections": args.connections, "threads": args.threads, "server_pid": web.process.pid}

        def scenario(key: str, name: str, lua: str, variables: dict) -> load.Result | None:
            if not wanted(key):
                return None
            # A short warm-up so every worker has its connections and templates ready.
            load.run_wrk("warm-up", base + "/", "get", {"path": variables["path"] if lua == "get" else page_path},
                         **(common | {"seconds": 1}))
            result = load.run_wrk(name, base + "/", lua, variables, **common)
            say(f"  {name}: {result.rps:.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
                f"errors {result.errors}, RSS {result.rss_mb:.0f} MB")
            results.append(result)
            return result

        say(f"Scenarios of {args.seconds} s, {args.connections} connections:")
        scenario("min_get", "minimal GET (ceiling)", "get", {"path": "/bench/ok"})
        scenario("page", "page GET (1M actions)", "get", {"path": page_path})
        # Not a target: clients without Fetch Metadata get the page with their own CSRF token (outcry/lib/csrf.py).
        scenario("page_script", "page GET by a script (no Fetch Metadata)", "get", {"path": page_path, "script": 1})
        scenario("small", "page GET (10 actions)", "get", {"path": f"/c/{small.slug}/"})
        scenario("stats", "stats GET (1M actions)", "get", {"path": stats_path})
        scenario("small", "stats GET (10 actions)", "get", {"path": f"/api/v1/campaigns/{small.slug}/stats"})
        min_id = f"m{int(time.time())}"
        scenario("min_post", "minimal POST (ceiling)", "post", {"path": "/bench/write", "cookie": cookie, "body": body, "run_id": min_id})
        post_id = f"p{int(time.time())}"
        posted = scenario("post", "action POST (unique emails)", "post", {"path": page_path, "cookie": cookie, "body": body, "run_id": post_id})
        if posted:
            checks["action POST"] = verify_posts(post_id, posted.acknowledged, args.connections, big.pk, port, big.slug)
            say(f"  check: {checks['action POST']}")
        mix_id = f"x{int(time.time())}"
        mixed = scenario("mix", "mix (60% page, 30% stats, 10% POST)", "mix",
                         {"page_path": page_path, "stats_path": stats_path, "page_share": 60, "stats_share": 30,
                          "cookie": cookie, "body": body, "run_id": mix_id, "path": page_path})
        if mixed:
            checks["mix"] = verify_posts(mix_id, mixed.acknowledged, args.connections, big.pk, port, big.slug)
            say(f"  check: {checks['mix']}")
        if wanted("spike"):
            checks |= spike.run(scenario, request=request, verify=verify_posts, port=port, slug=big.slug, big_id=big.pk,
                                cookie=cookie, body=body, base=base, common=common, say=say)
        if wanted("csv"):
            say("CSV export of every action of the big campaign…")
            report["csv_export"] = csv_export(port, big.pk, web.process.pid)
            say("  " + json.dumps(report["csv_export"]))
    finally:
        web.stop()

    if wanted("delivery") and (Path(__file__).parent / "delivery_throughput.py").exists():
        say("Delivery throughput (bench/delivery_throughput.py)…")
        from bench import delivery_throughput

        report["delivery"] = delivery_throughput.run()
        say("  " + json.dumps(report["delivery"]))

    if wanted("faults"):
        say("Fault runs (bench/faults.py: PostgreSQL restart and stop, SMTP, Redis and a web process down)…")
        from bench import faults

        report["faults"] = faults.run()
        say(faults.table(report["faults"]))

    if wanted("pg_restart"):
        say("PostgreSQL restarted under a page-and-stats load (bench/pg_restart.py, its own cluster)…")
        from bench import pg_restart

        report["pg_restart"] = restart = pg_restart.run()
        say(pg_restart.table(restart))
        if "skipped" not in restart:
            checks["PostgreSQL restart"] = {"exact": restart["stored_once"] == restart["acknowledged"],
                                            "acknowledged": restart["acknowledged"], "stored": restart["stored_once"]}

    if wanted("updates"):
        say("An update to 100,000 consenting supporters (bench/update_send.py)…")
        from bench import update_send

        report["update_send"] = update_send.run(supporters=int(os.environ.get("BENCH_UPDATE_SUPPORTERS", "100000")))
        say(update_send.table(report["update_send"]))

    if wanted("identity"):
        say("Identity rules and limit store on the action POST (bench/identity_limits.py), SQLite without Redis, then PostgreSQL with Redis…")
        report["identity_limits"] = []
        for extra in ({}, {"IDENTITY_BENCH_DATABASE_URL": env["DATABASE_URL"], "IDENTITY_BENCH_REDIS_URL": env["REDIS_URL"]}):
            child = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")} | extra
            out = subprocess.run([sys.executable, str(ROOT / "bench" / "identity_limits.py"), "--json"], env=child,
                                 capture_output=True, text=True, check=True, cwd=ROOT)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            report["identity_limits"].append(result)
            say("  " + json.dumps({k: v for k, v in result.items() if "/" in k}, ensure_ascii=False))

    report["machine"]["load_average_at_end"] = os.getloadavg()
    report["scenarios"] = [asdict(r) for r in results]
    report["checks"] = checks
    report["ratios"] = ratios(results, report)
    say("")
    say(table(results))
    say("")
    say(f"{'target':36} {'reached':>9} {'target':>9}  ")
    for name, (reached, target, ok) in report["ratios"].items():
        say(f"{name:36} {reached:9.2f} {target:9.2f}  {'ok' if ok else 'MISSED'}")
    for name, check in checks.items():
        check = check.get("check", check)  # the soak's report holds its check
        say(f"{name}: {'exact' if check['exact'] else 'NOT EXACT'} ({check['acknowledged']} acknowledged, {check['stored']} stored)")
    say("")
    say(markdown(results, report))
    out = ROOT / "bench" / "results" / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    say(f"\nWrote {out.relative_to(ROOT)}")


def markdown(results: list[load.Result], report: dict) -> str:
    """The tables for the README."""
    lines = ["| scenario | req/s | p50 ms | p99 ms | errors | server RSS MB |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r.name} | {r.rps:.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.errors} | {r.rss_mb:.0f} |")
    lines += ["", "| target | reached | target | |", "| --- | ---: | ---: | --- |"]
    for name, (reached, target, ok) in report["ratios"].items():
        lines.append(f"| {name} | {reached:.2f} | {target:.2f} | {'met' if ok else '**missed**'} |")
    return "\n".join(lines)


def ratios(results: list[load.Result], report: dict) -> dict[str, tuple[float, float, bool]]:
    by = {r.name.split(" (")[0] + (" small" if "(10 actions)" in r.name else ""): r for r in results}
    out: dict[str, tuple[float, float, bool]] = {}

    def add(name: str, value: float, higher_is_better: bool) -> None:
        target = TARGETS[name]
        out[name] = (round(value, 3), target, value >= target if higher_is_better else value < target)

    if "action POST" in by and "minimal POST" in by:
        add("action POST / minimal POST", by["action POST"].rps / by["minimal POST"].rps, True)
    if "minimal GET" in by:
        for key, name in (("page GET", "page GET / minimal GET"), ("stats GET", "stats GET / minimal GET")):
            if key in by:
                add(name, by[key].rps / by["minimal GET"].rps, True)
    if "action POST" in by:
        add("action POST p99 ms (32 clients)", by["action POST"].p99_ms, False)
    for key, name in (("page GET", "page 1M / page 10 cost"), ("stats GET", "stats 1M / stats 10 cost")):
        if key in by and f"{key} small" in by:
            # Cost is the inverse of throughput: 1M costs more when it serves fewer requests a second.
            add(name, by[f"{key} small"].rps / by[key].rps, False)
    costs = report.get("uncached_costs_ms")
    if costs:
        add("stats 1M / 10 uncached cost", costs["stats 1M / 10"], False)
        add("page 1M / 10 uncached cost", costs["page 1M / 10"], False)
    if "csv_export" in report:
        add("CSV export memory growth MB", report["csv_export"]["growth_mb"], False)
    spike.ratios(by, add, report)
    restart = report.get("pg_restart", {})
    if "reads" in restart:
        add("reader errors during a PostgreSQL restart", restart["page_errors_during_restart"] + restart["stats_errors_during_restart"], False)
        add("count step-backs during a PostgreSQL restart", restart["count_step_backs"], False)
    return out


if __name__ == "__main__":
    main()
