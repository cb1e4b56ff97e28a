"""Cross-site request forgery in a real Chromium: another site's page posts the action form, by itself, from a
sandboxed frame (Origin: null) and through a redirect. None counts (outcry/lib/csrf.py; issue 13, "what held
up"). The campaign is on the live server's origin (localhost); the attacker's pages on 127.0.0.1, another site."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from outcry.actions.models import Action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LIBYA = "/c/stop-detention-libya/"
FIELDS = {"first_name": "Forged", "last_name": "Victim", "email": "victim@example.com", "country": "GB"}


def form(action: str) -> str:
    inputs = "".join(f'<input name="{k}" value="{escape(v)}">' for k, v in FIELDS.items())
    return f'<form method="post" action="{escape(action)}">{inputs}</form><script>document.forms[0].submit()</script>'


@pytest.fixture
def attacker(demo) -> Iterator[str]:
    """Another site: /auto (auto-submitting form), /sandboxed (the same inside a sandboxed frame), /redirect
    (a form posting to itself, which answers 307 to the campaign)."""
    target = demo + LIBYA

    class Pages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            pages = {
                "/auto": form(target),
                "/sandboxed": f'<iframe sandbox="allow-forms allow-scripts" srcdoc="{escape(form(target))}"></iframe>',
                "/redirect": form("/bounce"),
            }
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(307)  # keeps the method and the body
            self.send_header("Location", target)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("page", ["/auto", "/sandboxed", "/redirect"])
def test_another_sites_form_cannot_act_for_a_visitor(visit, attacker, page, caplog):
    v = visit("desktop", label=page)
    answered = []
    # Every frame's responses, in every page of the browser: a sandboxed frame may run in a process of its own,
    # whose responses Chromium sometimes reports to the page only late or not at all.
    v.page.context.on("response", lambda response: response.url.endswith(LIBYA) and response.request.method == "POST" and answered.append(response.status))
    v.goto(LIBYA)  # the visitor has been on the campaign: its cookies are in the browser

    def refused_by_the_server() -> bool:
        return any(r.name == "django.security.csrf" and LIBYA in r.getMessage() for r in caplog.records)

    with caplog.at_level("WARNING", logger="django.security.csrf"):
        v.page.goto(attacker + page)
        v.page.wait_for_timeout(300)
        for _ in range(300):  # up to 30 s on a loaded machine
            if answered or refused_by_the_server():
                break
            v.page.wait_for_timeout(100)
        v.page.wait_for_timeout(300)
        # The server refused the forged POST (its CSRF check logged it), and the browser saw nothing but 403.
        assert refused_by_the_server(), answered
        assert set(answered) <= {403}, answered
    assert not Action.objects.filter(email="victim@example.com").exists()
