"""A real Chromium frames the counter from a partner's origin; an unlisted origin is refused."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

class PartnerSite:
    """Another origin (127.0.0.1 on its own port) whose page puts the counter in an iframe."""

    def __init__(self, embed_url: str) -> None:
        page = f'<!doctype html><title>Partner</title><h1>Partner</h1><iframe src="{embed_url}" width="340" height="190"></iframe>'.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def partners(live_server) -> Iterator[tuple[PartnerSite, PartnerSite]]:
    embed_url = f"{live_server.url}/c/free-them/embed/"
    allowed, stranger = PartnerSite(embed_url), PartnerSite(embed_url)
    yield allowed, stranger
    allowed.close()
    stranger.close()


def test_listed_partner_frames_the_counter_and_a_stranger_cannot(browser, campaign, client, supporter, partners):
    allowed, stranger = partners
    client.post("/c/free-them/", supporter)
    campaign.embed_allowed_origins = allowed.origin
    campaign.save()

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(allowed.origin + "/")
        frame = page.frame_locator("iframe")
        frame.locator("[data-count]").wait_for(timeout=10_000)
        assert frame.locator("[data-count]").inner_text() == "1"
        assert frame.locator("a.primary").get_attribute("href").endswith("/c/free-them/?via=embed")

        blocked = context.new_page()
        console: list[str] = []
        blocked.on("console", lambda message: console.append(message.text))
        blocked.goto(stranger.origin + "/")
        blocked.wait_for_timeout(1500)
        child = blocked.frames[1]
        assert "free-them" not in child.url or child.url.startswith("chrome-error://")
        assert "Free them now" not in child.content()
        assert any("frame-ancestors" in text for text in console)
    finally:
        context.close()
