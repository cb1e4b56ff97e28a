"""A campaign page's HTML, CSS and JavaScript together stay under 60 KB compressed, on a slow phone."""

from __future__ import annotations

import gzip
import io
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db
BUDGET = 60 * 1024


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def compressed_weight(client, path: str) -> dict[str, int]:
    """gzip size of the page and of every stylesheet and script it loads, by address."""
    response = client.get(path)
    assert response.status_code == 200
    html = response.content
    sizes = {path: len(gzip.compress(html, compresslevel=6))}
    assets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"|<script src="([^"]+)"', html)
    for link, script in assets:
        url = (link or script).decode()
        assert url.startswith("/"), f"{url} is not on this origin"
        asset = client.get(url)
        assert asset.status_code == 200, url
        sizes[url] = len(gzip.compress(body(asset), compresslevel=6))
    return sizes


@pytest.mark.parametrize("path", [
    "/c/stop-detention-libya/", "/ar/c/stop-detention-libya/", "/c/al-khoms-unhcr/", "/fr/c/al-khoms-unhcr/",
    "/c/stop-detention-libya/thanks/", "/",
])
def test_page_html_css_and_js_stay_under_60_kb_compressed(client, path):
    call_command("load_demo", stdout=io.StringIO())
    sizes = compressed_weight(client, path)
    total = sum(sizes.values())
    assert len(sizes) >= 2, "the page should load its stylesheet"
    assert total < BUDGET, f"{path}: {total} bytes compressed ({sizes})"
    print(f"{path}: {total / 1024:.1f} KB compressed {sizes}")
