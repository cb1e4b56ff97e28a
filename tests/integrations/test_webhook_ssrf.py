"""Webhooks cannot be turned against the inside of the network (server-side request forgery), with
OUTCRY_WEBHOOK_ALLOW_PRIVATE off as in production.

Two real HTTP servers: the "CRM" on 127.0.0.2 and an "internal" service on 127.0.0.1. Two seams, each
changing one fact and nothing else: the name crm.example.org resolves (through socket.getaddrinfo, which
every HTTP client uses) to whatever the test says, and 127.0.0.2 counts as a public address
(ipaddress's is_global), so that the first hop is allowed exactly as a real public CRM would be.
Each attack below reached the internal service with the urllib code this replaced."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from outcry.integrations.models import Webhook, WebhookAttempt, WebhookDelivery
from outcry.integrations.services import deliver_due, new_webhook_secret
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db

NAME = "crm.example.org"
PRETEND_PUBLIC = "127.0.0.2"


class Server:
    """Records every request; answers with `answer(path)`: (status, headers)."""

    def __init__(self, host: str, answer: Callable[[str], tuple[int, dict[str, str]]]) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                server.requests.append((self.command, self.path, dict(self.headers)))
                status, headers = answer(self.path)
                self.send_response(status)
                for key, value in (headers | {"Content-Length": "0"}).items():
                    self.send_header(key, value)
                self.end_headers()

            do_GET = do_POST = _any

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer((host, 0), Handler)
        self.port = self.http.server_address[1]
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def internal() -> Iterator[Server]:
    server = Server("127.0.0.1", lambda path: (200, {}))
    yield server
    server.close()


@pytest.fixture
def production(settings, monkeypatch):
    settings.OUTCRY_WEBHOOK_ALLOW_PRIVATE = False
    real = ipaddress.IPv4Address.is_global
    monkeypatch.setattr(ipaddress.IPv4Address, "is_global", property(lambda ip: str(ip) == PRETEND_PUBLIC or real.fget(ip)))


def resolve_name(monkeypatch, answers: Callable[[int], str | None]) -> list[int]:
    """crm.example.org resolves to answers(n) on the n-th lookup (None: the lookup fails)."""
    real = socket.getaddrinfo
    lookups: list[int] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != NAME:
            return real(host, port, *args, **kwargs)
        lookups.append(len(lookups))
        address = answers(len(lookups) - 1)
        if address is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(address, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


@pytest.fixture
def hook_to(campaign, django_capture_on_commit_callbacks) -> Callable[[str], Webhook]:
    def make(url: str) -> Webhook:
        hook = Webhook(organisation=campaign.organisation, name="CRM", url=url)
        new_webhook_secret(hook)
        hook.save()
        with django_capture_on_commit_callbacks(execute=True):
            act(campaign)  # its webhook delivery is owed once the action commits
        assert WebhookDelivery.objects.count() == 1
        return hook

    return make


def test_a_redirect_to_an_internal_address_is_not_followed(hook_to, production, internal, monkeypatch):
    crm = Server(PRETEND_PUBLIC, lambda path: (302, {"Location": f"http://127.0.0.1:{internal.port}/internal"}))
    try:
        resolve_name(monkeypatch, lambda n: PRETEND_PUBLIC)
        hook_to(f"http://{NAME}:{crm.port}/hook")

        assert deliver_due() == 0
    finally:
        crm.close()
    assert [(method, path) for method, path, _ in crm.requests] == [("POST", "/hook")]
    assert crm.requests[0][2]["Host"] == f"{NAME}:{crm.port}"
    assert internal.requests == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 302  # logged as the redirect it was, not as delivered
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.RETRYING


def test_dns_rebinding_cannot_move_the_connection_after_the_check(hook_to, production, internal, monkeypatch):
    crm = Server(PRETEND_PUBLIC, lambda path: (200, {}))
    try:
        # Public when checked, internal on any later lookup.
        lookups = resolve_name(monkeypatch, lambda n: PRETEND_PUBLIC if n == 0 else "127.0.0.1")
        hook_to(f"http://{NAME}:{internal.port}/internal")

        deliver_due()
    finally:
        crm.close()
    assert internal.requests == []
    assert len(lookups) == 1  # resolved once, connected to what was checked
    assert WebhookDelivery.objects.get().status != WebhookDelivery.Status.DELIVERED


def test_a_failed_lookup_refuses_the_request(hook_to, production, internal, monkeypatch):
    # Fails when checked; the old code took that as "not private" and looked up again to connect.
    resolve_name(monkeypatch, lambda n: None if n == 0 else "127.0.0.1")
    hook_to(f"http://{NAME}:{internal.port}/internal")

    deliver_due()

    assert internal.requests == []
    assert WebhookAttempt.objects.get().error.startswith("refused: the host name could not be resolved")


@pytest.mark.parametrize("address", ["64:ff9b::7f00:1", "64:ff9b::a00:1", "::ffff:127.0.0.1", "100.64.0.1", "169.254.169.254", "fd00::1"])
def test_nat64_and_every_other_non_global_range_count_as_private(hook_to, production, monkeypatch, address):
    resolve_name(monkeypatch, lambda n: address)
    hook_to(f"http://{NAME}/hook")

    deliver_due()

    assert WebhookAttempt.objects.get().error == "refused: the URL resolves to a private address"


def test_one_private_address_among_public_ones_refuses(monkeypatch):
    from outcry.lib import safe_http

    monkeypatch.setattr(safe_http, "resolve", lambda host, port: ["93.184.215.14", "10.0.0.5"])
    with pytest.raises(safe_http.Refused):
        safe_http.checked_address(NAME, 80, allow_private=False)


def test_a_slow_drip_answer_is_cut_at_the_deadline():
    from outcry.lib import safe_http

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stop.wait(0.2):
            try:
                conn.sendall(b"X-Slow: a\r\n")  # never ends its headers
            except OSError:
                break
        conn.close()

    threading.Thread(target=drip, daemon=True).start()
    try:
        answer = safe_http.post(f"http://127.0.0.1:{listener.getsockname()[1]}/", b"{}", {}, allow_private=True, timeout=1.5)
    finally:
        stop.set()
        listener.close()
    assert answer.status is None and "timed out" in answer.error
