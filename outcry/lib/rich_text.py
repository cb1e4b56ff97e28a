"""The one way a campaigner's long text becomes HTML: the page, the studio's preview and the emails
all call render_text, so what a campaigner previews is what supporters get.

Two formats: Markdown (CommonMark, what the studio writes) and the HTML that campaigns written before
it hold. Either way the result passes the allowlist in sanitise.py; Markdown's own raw HTML is off, so
a "<" a campaigner types is shown, not parsed.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

from outcry.lib.sanitise import sanitise_html

MARKDOWN = "markdown"
HTML = "html"
# Headings start at h2: the page's h1 is the campaign's title.
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable("image")


def _shift_headings(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + 1, 4)
            token.tag = f"h{level}"


def markdown_to_html(text: str) -> str:
    tokens = _markdown.parse(text or "")
    _shift_headings(tokens)
    return str(_markdown.renderer.render(tokens, _markdown.options, {}))


def render_text(text: str, text_format: str) -> SafeString:
    html = markdown_to_html(text) if text_format == MARKDOWN else (text or "")
    return mark_safe(sanitise_html(html))  # noqa: S308 - the allowlist cleaner's output
