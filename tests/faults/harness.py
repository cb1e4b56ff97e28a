"""Fault runs: a whole Outcry (production web server, two `manage.py worker`s) on its own PostgreSQL
cluster (initdb/pg_ctl in a temporary directory, on a free port), its own redis-server and a real SMTP
server, under a stream of actions and readers, while something breaks. Never touches the machine's own
PostgreSQL or Redis. Used by tests/faults/test_faults.py and bench/faults.py (`make bench`).

    stacks = run_all(Path(tmp))   # both stacks at once, in threads: about three minutes
    stacks["postgres"].events     # what happened, what the clients saw, what was delivered
"""

from __future__ import annotations

import glob
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from tests.delivery.smtp import Handler, SMTPServer

ROOT = Path(__file__).resolve().parent.parent.parent
SLUG = "stop-detention-libya"  # the demo letter: two targets and a receipt per action
SWEEP_TASK = "outcry.delivery.tasks.send_due_messages"


def free_port() -> int:
    """A free port below the kernel's ephemeral range. A port the kernel handed out (bind to 0) is in that
    range, where any client's outgoing connection may take it as its source port while our server is
    stopped for a fault, and the restart then finds it in use."""
    low = 20000
    try:
        low, _high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        pass
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(max(1024, low - 12000), low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return versions[-1] if versions else None


def missing_tools() -> list[str]:
    return [tool for tool in ("initdb", "pg_ctl") if postgres_tool(tool) is None] + (
        [] if shutil.which("redis-server") else ["redis-server"]
    )


class Postgres:
    """A throwaway cluster. As root, its files belong to the postgres user (initdb refuses root)."""

    def __init__(self, root: Path) -> None:
        self.dir, self.log = root / "pgdata", root / "postgres.log"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        root.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            shutil.chown(root, "postgres")
        self._run(postgres_tool("initdb"), "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()
        self._psql("CREATE DATABASE outcry")

    def _run(self, *args: str | None) -> None:
        subprocess.run([*self.as_postgres, *map(str, args)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/")

    def _pg_ctl(self, *args: str) -> None:
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=80")
        self._run(postgres_tool("pg_ctl"), "-D", str(self.dir), "-l", str(self.log), "-w", "-t", "60", "-o", options, *args)

    def _psql(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/outcry"

    def query(self, sql: str, *params: object) -> list[tuple]:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/outcry") as conn:
            return conn.execute(sql, params).fetchall()


class Redis:
    def __init__(self, root: Path) -> None:
        self.port, self.log = free_port(), root / "redis.log"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
        )
        wait_until(lambda: _connects(self.port), 10)

    def kill(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()


def _connects(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def wait_until(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


class Mailbox(Handler):
    """Accepts every mail; notes each Message-ID and when it arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.parse = False
        self.arrivals: list[tuple[float, str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = envelope.original_content or envelope.content
        found = re.search(rb"^Message-ID:\s*(<[^>]+>)", raw, re.MULTILINE | re.IGNORECASE)
        with self.lock:
            self.arrivals.append((time.time(), found.group(1).decode() if found else ""))
        return "250 2.0.0 Accepted"


@dataclass
class Traffic:
    """What supporters and readers saw."""

    acknowledged: list[str] = field(default_factory=list)  # emails answered 303
    actor_errors: list[tuple[float, str]] = field(default_factory=list)
    reader_errors: list[tuple[float, str]] = field(default_factory=list)
    reads: int = 0


class Load:
    """Supporters acting continuously (a new email each time) and readers on the stats, until stopped."""

    # About one action a second (three messages) and a reader: a steady stream that two cores shared with
    # everything else keep up with (here, under a load average of 20, a worker sent only 2-6 messages a second).
    def __init__(self, port: int, actors: int = 1, readers: int = 1, pause: float = 0.7) -> None:
        self.port, self.pause = port, pause
        self.traffic = Traffic()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._act, daemon=True) for _ in range(actors)]
        self.threads += [threading.Thread(target=self._read, daemon=True) for _ in range(readers)]
        for thread in self.threads:
            thread.start()

    def _act(self) -> None:
        while not self.stopping.wait(self.pause):
            email = f"s-{uuid.uuid4().hex[:12]}@example.com"
            data = {"first_name": "Sam", "last_name": "Fault", "email": email, "country": "GB"}
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("POST", f"/c/{SLUG}/", urlencode(data), {
                    "Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{self.port}",
                    "Sec-Fetch-Site": "same-origin",
                })
                status = conn.getresponse().status
                conn.close()
            except OSError as error:
                status, detail = 0, type(error).__name__
            else:
                detail = str(status)
            with self.lock:
                if status == 303:
                    self.traffic.acknowledged.append(email)
                else:
                    self.traffic.actor_errors.append((time.time(), detail))

    def _read(self) -> None:
        while not self.stopping.wait(self.pause):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("GET", f"/api/v1/campaigns/{SLUG}/stats")
                response = conn.getresponse()
                response.read()
                conn.close()
                ok, detail = response.status == 200, str(response.status)
            except OSError as error:
                ok, detail = False, type(error).__name__
            with self.lock:
                self.traffic.reads += 1
                if not ok:
                    self.traffic.reader_errors.append((time.time(), detail))

    def stop(self) -> Traffic:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=40)
        return self.traffic


@dataclass
class Event:
    name: str
    started: float
    ended: float = 0.0  # when the broken part was back


class Stack:
    """PostgreSQL, Redis, a real SMTP server, one granian (2 processes) and two workers."""

    def __init__(self, name: str, root: Path) -> None:
        self.name, self.root = name, root / name
        self.root.mkdir(parents=True, exist_ok=True)
        self.postgres = Postgres(self.root / "pg")
        self.redis = Redis(self.root)
        self.smtp = SMTPServer(Mailbox()).start()
        self.port = free_port()
        self.env = os.environ | {
            "DATABASE_URL": self.postgres.url, "REDIS_URL": f"redis://127.0.0.1:{self.redis.port}/0",
            "EMAIL_URL": self.smtp.url, "EMAIL_TIMEOUT": "5", "SITE_URL": f"http://127.0.0.1:{self.port}",
            "BENCH_EXEMPT_LOOPBACK": "1", "DJANGO_SETTINGS_MODULE": "outcry.settings", "LOG_LEVEL": "WARNING",
            "DEBUG": "0", "PYTEST_XDIST_WORKER": "", "OUTCRY_TESTING": "",
        }
        for name_ in ("OUTCRY_TEST_DB_NAME", "PYTEST_CURRENT_TEST"):
            self.env.pop(name_, None)
        self.log = (self.root / "processes.log").open("ab")
        self.manage("migrate", "--noinput", "-v0")
        self.manage("load_demo", "-v0")
        from outcry import server

        self.web = subprocess.Popen(server.command(host="127.0.0.1", port=self.port, workers=2, threads=2, access_log=False),
                                    cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.workers = [self._worker() for _ in range(2)]
        if not wait_until(lambda: self._answers(), 90):
            raise RuntimeError(f"{name}: the web server did not come up; see {self.root / 'processes.log'}")
        self.events: list[Event] = []
        self.load: Load | None = None
        self.traffic = Traffic()
        self.campaign_id = self.postgres.query("SELECT id FROM campaigns_campaign WHERE slug = %s", SLUG)[0][0]
        # The demo caps letters at 100 an hour per target (the rest wait for a digest): a fault run owes every
        # letter now.
        self.postgres.query("UPDATE campaigns_campaign SET target_hourly_limit = 0 WHERE id = %s RETURNING id", self.campaign_id)

    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, stdout=self.log, stderr=subprocess.STDOUT)

    def _worker(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "manage.py", "worker", "--interval", "0.2", "--schedule-every", "1"],
                                cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)

    def _answers(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            conn.request("GET", f"/api/v1/campaigns/{SLUG}/stats")
            return conn.getresponse().status == 200
        except OSError:
            return False

    def web_processes(self) -> list[int]:
        """The granian worker processes (children of the granian main process)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.web.pid:
                    pids.append(int(stat.parent.name))
            except (OSError, ValueError, IndexError):
                continue
        return pids

    def start_load(self) -> None:
        self.load = Load(self.port)

    def stop_load(self) -> None:
        if self.load:
            self.traffic = self.load.stop()
            self.load = None

    def fault(self, name: str, breaks, repairs=None, down_for: float = 0.0) -> Event:
        event = Event(name, time.time())
        breaks()
        if down_for:
            time.sleep(down_for)
        if repairs:
            repairs()
        event.ended = time.time()
        self.events.append(event)
        return event

    def close(self) -> None:
        self.stop_load()
        for process in [*self.workers, self.web]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*self.workers, self.web]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.smtp.stop()
        self.redis.kill()
        try:
            self.postgres.stop()
        except subprocess.CalledProcessError:
            pass
        self.log.close()

    # What it all came to --------------------------------------------------------------------------

    def settle(self, timeout: float = 180) -> bool:
        """Wait until every message owed has gone (or the timeout)."""
        return wait_until(lambda: not self.postgres.query(
            "SELECT 1 FROM delivery_message WHERE campaign_id = %s AND status NOT IN ('sent', 'failed', 'cancelled') LIMIT 1",
            self.campaign_id,
        ), timeout, step=0.5)

    def outcome(self) -> dict:
        q = self.postgres.query
        acked = self.traffic.acknowledged
        rows = Counter(email for (email,) in q("SELECT email FROM actions_action WHERE campaign_id = %s AND email = ANY(%s)", self.campaign_id, acked))
        counted = q("SELECT count(*) FROM actions_action WHERE campaign_id = %s AND status = 'counted'", self.campaign_id)[0][0]
        shards = int(q("SELECT coalesce(sum(count), 0) FROM actions_countshard WHERE campaign_id = %s AND metric = 'actions'", self.campaign_id)[0][0])
        owed = {mid: (status, created.timestamp()) for mid, status, created in q(
            "SELECT message_id, status, created_at FROM delivery_message WHERE campaign_id = %s", self.campaign_id)}
        arrivals = Counter(mid for _, mid in self.smtp.handler.arrivals)
        first_arrival: dict[str, float] = {}
        for at, mid in self.smtp.handler.arrivals:
            first_arrival.setdefault(mid, at)
        recoveries = {}
        for event in self.events:
            # Messages owed by the time the broken part was back: how long after that the last arrived.
            due = [first_arrival.get(mid) for mid, (_, created) in owed.items() if created <= event.ended]
            recoveries[event.name] = None if None in due or not due else round(max(0.0, max(due) - event.ended), 1)
        return {
            "acknowledged": len(acked),
            "stored_once": sum(1 for e in acked if rows[e] == 1),
            "counted_rows": counted, "counter": shards,
            "actor_errors": len(self.traffic.actor_errors), "reader_errors": len(self.traffic.reader_errors),
            "reads": self.traffic.reads,
            "letters_owed": len(owed),
            "delivered": sum(1 for mid in owed if arrivals[mid] >= 1),
            "duplicated": sum(1 for mid in owed if arrivals[mid] > 1),
            "unsent": sorted(Counter(status for status, _ in owed.values() if status != "sent").items()),
            "workers_alive": sum(1 for w in self.workers if w.poll() is None),
            "web_alive": self.web.poll() is None,
            "recovery_seconds": recoveries,
            "events": [asdict(e) for e in self.events],
        }

    def errors_between(self, start: float, end: float) -> dict[str, int]:
        return {
            "actor_errors": sum(1 for at, _ in self.traffic.actor_errors if start <= at <= end),
            "reader_errors": sum(1 for at, _ in self.traffic.reader_errors if start <= at <= end),
        }

    def sweeps_between(self, start: float, end: float) -> int:
        return self.postgres.query(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = %s "
            "AND started_at >= to_timestamp(%s) AND started_at <= to_timestamp(%s)", SWEEP_TASK, start, end,
        )[0][0]


def postgres_run(stack: Stack, quiet: float = 35) -> dict:
    """A fast restart, then a 20-second stop, under load."""
    stack.start_load()
    time.sleep(5)
    stack.fault("postgres fast restart", stack.postgres.restart)
    time.sleep(quiet)
    stack.fault("postgres stopped 20 s", stack.postgres.stop, stack.postgres.start, down_for=20)
    time.sleep(quiet)
    stack.stop_load()
    settled = stack.settle()
    return stack.outcome() | {"settled": settled}


def services_run(stack: Stack, quiet: float = 35) -> dict:
    """The mail server away for 60 s; then Redis killed; then one web process SIGKILLed; under load."""
    stack.start_load()
    time.sleep(5)
    smtp = stack.fault("smtp down 60 s", stack.smtp.stop, stack.smtp.start, down_for=60)
    time.sleep(quiet)
    redis = stack.fault("redis killed", stack.redis.kill)
    time.sleep(10)
    redis_window = (redis.started + 1, time.time())
    victims = stack.web_processes()
    web = stack.fault("web process SIGKILLed", lambda: os.kill(victims[0], signal.SIGKILL))
    time.sleep(10)
    stack.stop_load()
    settled = stack.settle()
    out = stack.outcome() | {"settled": settled}
    out["sweeps_during_smtp_outage"] = stack.sweeps_between(smtp.started, smtp.ended)
    out["errors_while_redis_down"] = stack.errors_between(*redis_window)
    # Requests in flight on the killed process fail; from a second later the others must serve all.
    out["errors_after_web_kill"] = stack.errors_between(web.started + 1, web.started + 10)
    out["errors_at_web_kill"] = stack.errors_between(web.started, web.started + 1)
    out["web_processes_after"] = len(stack.web_processes())
    return out


def run_all(root: Path) -> dict[str, dict]:
    """Both stacks at once: each fault run on its own stack, in its own thread."""
    results: dict[str, dict] = {}
    failures: dict[str, BaseException] = {}

    def run(name: str, scenario) -> None:
        stack = None
        try:
            stack = Stack(name, root)
            results[name] = scenario(stack)
        except BaseException as error:  # reported by the caller, with the logs' place
            failures[name] = error
        finally:
            if stack is not None:
                stack.close()

    threads = [threading.Thread(target=run, args=("postgres", postgres_run)),
               threading.Thread(target=run, args=("services", services_run))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, error in failures.items():
        results[name] = {"error": f"{type(error).__name__}: {error}", "logs": str(root / name)}
    results["finished_at"] = {"utc": datetime.now(UTC).isoformat(timespec="seconds")}
    return results


if __name__ == "__main__":
    import tempfile

    print(json.dumps(run_all(Path(tempfile.mkdtemp(prefix="outcry-faults-"))), indent=2))
