"""Drive wrk against the server and read its results; sample the server's memory meanwhile."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

WRK_DIR = Path(__file__).parent / "wrk"


@dataclass
class Result:
    name: str
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    non_2xx_3xx: int = 0
    acknowledged: int = 0
    rss_mb: float = 0.0
    extra: dict = field(default_factory=dict)


def process_tree_rss_mb(root_pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total_kb, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
        except OSError:
            pass
    return total_kb / 1024


class RssSampler:
    """Samples the server's total RSS in a thread; `peak` and `first` after stop()."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid, self.every = pid, every
        self.first = self.peak = process_tree_rss_mb(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, process_tree_rss_mb(self.pid))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, process_tree_rss_mb(self.pid))


def lua_value(value: str | int) -> str:
    return json.dumps(value)  # JSON strings and integers are valid Lua literals for these values


def script(scenario: str, variables: dict[str, str | int]) -> str:
    """The scenario's Lua, after shared variables and before the shared reporting code."""
    head = "".join(f"{name} = {lua_value(value)}\n" for name, value in variables.items())
    return head + (WRK_DIR / "lib.lua").read_text() + (WRK_DIR / f"{scenario}.lua").read_text() + (WRK_DIR / "report.lua").read_text()


def run_wrk(name: str, url: str, scenario: str, variables: dict[str, str | int], *, seconds: int, connections: int,
            threads: int, server_pid: int) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script(scenario, variables))
        path = f.name
    try:
        with RssSampler(server_pid) as rss:
            out = subprocess.run(
                ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", path, url],
                capture_output=True, text=True, check=True, timeout=seconds + 60,
            ).stdout
    finally:
        os.unlink(path)
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(data["errors"].values())
    return Result(
        name=name,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        non_2xx_3xx=data["errors"]["status"],
        acknowledged=data["acknowledged"],
        rss_mb=rss.peak,
        extra={"errors": data["errors"], "statuses": data["statuses"]},
    )


def form_body(fields: dict[str, str]) -> str:
    return urlencode(fields)


def wait_until_up(url: str, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)
