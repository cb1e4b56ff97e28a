"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

No browser is ever downloaded: the tests use /usr/bin/chromium (apt-get install chromium; .ci/run
installs it). Without it they skip with the reason, except in CI (CI=true), where they fail.
Screenshots of each step go to test-artifacts/screenshots/ (SCREENSHOT_DIR to change it).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from PIL import Image

# Playwright's sync API keeps an event loop in the test's thread; the test's own ORM calls are
# still plain synchronous code, and Django would otherwise refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "test-artifacts" / "screenshots"))
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set CHROMIUM=/path)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the browser tests. {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def demo(live_server, settings) -> str:
    """The two demo campaigns on a live server; returns its base URL."""
    settings.SITE_URL = live_server.url
    call_command("load_demo", stdout=io.StringIO())
    return live_server.url


class Visit:
    """One browsing context (a phone or a desktop), recording every request it makes and its screenshots."""

    def __init__(self, context, name: str, base_url: str) -> None:
        self.context = context
        self.name = name
        self.base_url = base_url
        self.requests: list[str] = []
        self.steps = 0
        context.on("request", lambda request: self.requests.append(request.url))
        self.page = context.new_page()

    def goto(self, path: str, **kwargs):
        return self.page.goto(self.base_url + path, **kwargs)

    def sign_in_to_studio(self, username: str, password: str) -> None:
        """The studio's sign-in form, with a password only (two-factor off, as in the tests' settings)."""
        self.goto("/studio/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()

    def shot(self, step: str, *, full_page: bool = True, also: Path | None = None) -> Path:
        self.steps += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{self.steps:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower())}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        if also is not None:
            # A committed copy: 32 colours keep the text sharp at a sixth of the size.
            also.parent.mkdir(parents=True, exist_ok=True)
            with Image.open(path) as image:
                image.convert("RGB").quantize(colors=32, method=Image.Quantize.MEDIANCUT).save(also, optimize=True)
        return path

    def foreign_requests(self) -> list[str]:
        """Every request that left this site's origin (data: and blob: URLs stay in the page)."""
        origin = urlsplit(self.base_url)
        return [
            url for url in self.requests
            if not url.startswith(("data:", "blob:")) and urlsplit(url)[:2] != origin[:2]
        ]

    def axe_violations(self, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
        """Run axe-core in the page; the serious and critical violations, each with its first nodes."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through DevTools, which the page's Content-Security-Policy does not govern.
            self.page.evaluate(AXE.read_text())
        violations = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["html"][:160] for n in v["nodes"][:3]]}
            for v in violations if v["impact"] in impacts
        ]


@pytest.fixture
def visit(browser, demo, request) -> Callable[..., Visit]:
    """visit("phone") or visit("desktop", java_script_enabled=False): a fresh context on the demo."""
    contexts = []

    def open_visit(viewport: str = "phone", *, label: str = "", **options) -> Visit:
        context = browser.new_context(**VIEWPORTS[viewport], **options)
        contexts.append(context)
        name = request.node.name.removeprefix("test_")
        if viewport not in name:
            name += f"-{viewport}"
        name = re.sub(r"[^a-z0-9]+", "-", f"{name}-{label}".lower()).strip("-")
        return Visit(context, name, demo)

    yield open_visit
    for context in contexts:
        context.close()
