"""`make run PORT=8401` names port 8401 in every link it writes (issue 18.8)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def make_run(tmp_path: Path, *args: str, site_url: str | None = None) -> str:
    # A stand-in for the venv's python that prints the SITE_URL each command would run with.
    fake = tmp_path / "python"
    fake.write_text('#!/bin/sh\necho "SITE_URL=$SITE_URL $*"\n')
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "MAKEFLAGS", "MFLAGS", "PORT", "HOST")}
    if site_url:
        env["SITE_URL"] = site_url
    result = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "run", f"VPY={fake}", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )
    return [line for line in result.stdout.splitlines() if "run_dev" in line][0]


def test_site_url_follows_host_and_port_when_unset(tmp_path):
    assert make_run(tmp_path, "PORT=8401") == "SITE_URL=http://127.0.0.1:8401 manage.py run_dev --host 127.0.0.1 --port 8401"
    assert make_run(tmp_path, "HOST=0.0.0.0", "PORT=9000").startswith("SITE_URL=http://127.0.0.1:9000 ")


def test_a_site_url_that_is_set_wins(tmp_path):
    assert make_run(tmp_path, "PORT=8401", site_url="https://act.example.org").startswith("SITE_URL=https://act.example.org ")
