"""Issue 13.2: the logs of a real `make serve` (granian, access log on) and a real `manage.py worker`, captured
through the whole supporter path, hold no bearer token, no email address and no client address.

The old server printed every path in full (`/privacy/my-data/<token>/`, a 7-day link that reads and erases
a supporter's data, confirm tokens, unsubscribe and return links) with the client's address, Django printed
"Not Found: <path>" for a mistyped token link, and a refused recipient's address reached the worker's log."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

from outcry import server
from outcry.actions.models import Action
from outcry.delivery.models import Message
from tests.delivery.smtp import SMTPServer
from tests.delivery.test_worker_kill import database_url, wait_for
from tests.test_several_processes import free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
AMAL = "amal.haddad@example.com"
REFUSED = "refused.person@example.com"
TOKEN_LINK = re.compile(r"https?://[^/\s]+(/(?:\S*?/)?(?:privacy/my-data|confirm|u|r)/([^/\s]+)/\S*)")


def request(port: int, method: str, path: str, data: dict[str, str] | None = None, cookie: str = "") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin", "Cookie": cookie}
    if data is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, urlencode(data) if data is not None else None, headers)
    response = conn.getresponse()
    return response.status, response.read()


def submit(port: int, path: str, data: dict[str, str] | None = None) -> int:
    """What a browser does with a page's form: GET it, then POST it with its CSRF cookie and token."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    page = conn.getresponse()
    body = page.read().decode()
    cookie = "; ".join(c.split(";", 1)[0] for c in page.headers.get_all("Set-Cookie") or [])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    return request(port, "POST", path, (data or {}) | ({"csrfmiddlewaretoken": token.group(1)} if token else {}), cookie)[0]


@pytest.fixture
def running(campaign, tmp_path, settings):
    """`make serve` (granian with its access log) and `make worker`, mail to a real SMTP server that refuses one address."""
    campaign.double_opt_in = True
    campaign.save()
    smtp = SMTPServer().start()
    smtp.handler.rcpt_answers[REFUSED] = f"550 5.1.1 <{REFUSED}>: Recipient address rejected: User unknown"
    env = {k: v for k, v in __import__("os").environ.items() if k != "OUTCRY_TEST_DB_NAME"} | {
        "DATABASE_URL": database_url(),
        "EMAIL_URL": smtp.url,
        "BENCH_EXEMPT_LOOPBACK": "1",
        "OUTCRY_DELIVERY_RETRY_SECONDS": "0",
        "LOG_LEVEL": "DEBUG",  # the most a deployment could print
    }
    port = free_port()
    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"
    web = subprocess.Popen(
        server.command(host="127.0.0.1", port=port, workers=1, threads=2), cwd=ROOT, env=env,
        stdout=web_log.open("ab"), stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.1", "--schedule-every", "0.5"], cwd=ROOT, env=env,
        stdout=worker_log.open("ab"), stderr=subprocess.STDOUT,
    )

    def up() -> bool:
        try:
            return request(port, "GET", "/api/v1/campaigns/free-them/stats")[0] == 200
        except OSError:
            return False

    try:
        wait_for(up, 60, "the web server")
        yield port, smtp, web_log, worker_log
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()


def links_to(smtp: SMTPServer, address: str) -> list[tuple[str, str]]:
    """(path, token) of every token link in the mail this address received."""
    found = []
    for received in smtp.handler.to(address):
        body = received.message.get_body(("plain",)).get_content()
        found += [(m.group(1).rstrip(".,)>"), m.group(2)) for m in TOKEN_LINK.finditer(body)]
    return found


def test_server_and_worker_logs_hold_no_token_email_or_client_address(running, campaign):
    port, smtp, web_log, worker_log = running
    person = {"first_name": "Amal", "last_name": "Haddad", "country": "GB"}
    assert request(port, "GET", "/c/free-them/")[0] == 200
    assert request(port, "POST", "/c/free-them/", person | {"email": AMAL})[0] == 303
    assert request(port, "POST", "/c/free-them/", person | {"first_name": "Refused", "email": REFUSED})[0] == 303
    wait_for(lambda: smtp.handler.to(AMAL), 30, "the confirmation email")
    wait_for(lambda: Message.objects.filter(last_error__contains="550").exists(), 30, "the refused confirmation")

    tokens: set[str] = set()
    for path, token in links_to(smtp, AMAL):
        tokens.add(token)
        assert submit(port, path) == 303  # the Confirm button
    wait_for(lambda: Action.objects.filter(email=AMAL, status=Action.Status.COUNTED).exists(), 30, "the confirmed action")
    wait_for(lambda: len(smtp.handler.to(AMAL)) >= 2, 30, "the receipt")

    assert submit(port, "/privacy/my-data/", {"email": AMAL}) == 200
    wait_for(lambda: any("/privacy/my-data/" in p for p, _t in links_to(smtp, AMAL)), 30, "the your-data email")
    for path, token in links_to(smtp, AMAL):
        tokens.add(token)
        request(port, "GET", path)
        if "/privacy/my-data/" in path:
            request(port, "GET", path + "data.json")
            request(port, "GET", path + "mistyped/")  # Django's "Not Found: <path>"
            submit(port, path.replace("/my-data/", "/my-data/x"))  # a forged one
    assert len(tokens) >= 2, tokens  # the confirm link and the your-data link
    time.sleep(1.5)  # the access log is written after each answer; the worker logs its last sends

    web, worker = web_log.read_text(), worker_log.read_text()
    assert re.search(r'"GET /c/free-them/ HTTP/1.1" 200', web), web[-2000:]  # the access log is really on
    everything = web + worker
    for token in tokens:
        for part in {token, *token.split(":")} - {""}:
            if len(part) >= 6:
                assert part not in everything, f"a token ({part}) is in the logs"
    for address in (AMAL, REFUSED, "amal.haddad", "refused.person"):
        assert address not in everything, f"{address} is in the logs"
    assert not re.search(r"[\w.+-]+@example\.com", everything), "an email address is in the logs"
    access_lines = [line for line in web.splitlines() if '"GET ' in line or '"POST ' in line]
    assert access_lines and not [line for line in access_lines if "127.0.0.1" in line], "a client address is in the access log"


@pytest.mark.parametrize(("line", "shown"), [
    ('"GET /privacy/my-data/.eJwNy:1xXtdq:N1arjnbeLx9HJ/ HTTP/1.1" 200', '"GET /privacy/my-data/[redacted]/ HTTP/1.1" 200'),
    ("Not Found: /fr/c/free-them/confirm/hI0I1gF3:1xXtdp:UdUZos0w/", "Not Found: /fr/c/free-them/confirm/[redacted]/"),
    ("/c/free-them/confirm/resend/", "/c/free-them/confirm/resend/"),
    ("/u/q_XF20a1:Zyz2rPFeNcoJeILx/", "/u/[redacted]/"),
    ("/c/free-them/r/FFc5taj1.12:1xXtQ8:ZyZ2rPFe/", "/c/free-them/r/[redacted]/"),
    ("/studio/preview/abc:defghijk/thanks/", "/studio/preview/[redacted]/thanks/"),
    ("/c/free-them/ and /api/v1/petitions?page=2", "/c/free-them/ and /api/v1/petitions?page=2"),
    ("550 5.1.1 <idn.user@bücher.de>: Recipient address rejected", "550 5.1.1 <[email]>: Recipient address rejected"),
])
def test_redaction_of_token_paths_and_addresses(line, shown):
    from outcry.lib.logs import redact

    assert redact(line) == shown


def test_the_access_log_format_names_no_client():
    cmd = server.command(host="127.0.0.1", port=8123, workers=1, threads=1)
    fmt = cmd[cmd.index("--access-log-fmt") + 1]
    assert "addr" not in fmt and cmd[cmd.index("--log-config") + 1].endswith("granian-logging.json")
