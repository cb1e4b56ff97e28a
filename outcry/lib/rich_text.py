"""The one way a campaigner's long text becomes HTML: the page, the studio's preview and the emails
all call render_text, so what a campaigner previews is what supporters get.

Two formats: Markdown (CommonMark, what the studio writes) and the HTML that campaigns written before
it hold. Either way the result passes the allowlist in sanitise.py; Markdown's own raw HTML is off, so
a "<" a campaigner types is shown, not parsed.

Images: Markdown's ![alt](url) becomes an <img> only when the caller's `pictures` knows the url (the
campaigns app answers with the organisation's own uploaded story images). Any other address, a remote
one above all, is shown as its alt text: a page never makes a supporter's browser fetch from a third party.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

from outcry.lib.sanitise import sanitise_html

MARKDOWN = "markdown"
HTML = "html"
# The story column is at most about 40rem wide; a phone takes the whole width.
IMAGE_SIZES = "(min-width: 48rem) 40rem, 100vw"
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True})


@dataclass(frozen=True)
class Picture:
    """An image our own server made: its URL, its size and its smaller copies ([(url, width)])."""

    src: str
    width: int
    height: int
    smaller: tuple[tuple[str, int], ...] = ()

    @property
    def srcset(self) -> str:
        return ", ".join(f"{url} {width}w" for url, width in (*self.smaller, (self.src, self.width)))

    @property
    def urls(self) -> set[str]:
        return {self.src, *(url for url, _width in self.smaller)}


# Given the image addresses a text uses, the ones that may be shown.
Pictures = Callable[[list[str]], Mapping[str, Picture]]


def _shift_headings(tokens: list[Token]) -> None:
    # Headings start at h2: the page's h1 is the campaign's title.
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + 1, 4)
            token.tag = f"h{level}"


def _images(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        if token.type == "inline":
            yield from (child for child in token.children or () if child.type == "image")


def _image_html(token: Token, known: Mapping[str, Picture]) -> str:
    alt = "".join(child.content for child in token.children or ())
    picture = known.get(str(token.attrGet("src") or ""))
    if picture is None:
        return escape(alt)
    return (
        f'<img src="{escape(picture.src)}" alt="{escape(alt)}" width="{picture.width}" height="{picture.height}" '
        f'srcset="{escape(picture.srcset)}" sizes="{IMAGE_SIZES}" loading="lazy" decoding="async">'
    )


def markdown_to_html(text: str, pictures: Pictures | None = None) -> tuple[str, set[str]]:
    """The HTML and the image URLs it may hold."""
    tokens = _markdown.parse(text or "")
    _shift_headings(tokens)
    images = list(_images(tokens))
    known = pictures([str(t.attrGet("src") or "") for t in images]) if images and pictures else {}
    for image in images:
        image.type, image.content, image.children = "html_inline", _image_html(image, known), None
    html = str(_markdown.renderer.render(tokens, _markdown.options, {}))
    return html, {url for picture in known.values() for url in picture.urls}


def render_text(text: str, text_format: str, pictures: Pictures | None = None) -> SafeString:
    if text_format == MARKDOWN:
        html, image_urls = markdown_to_html(text, pictures)
    else:
        html, image_urls = text or "", set()
    return mark_safe(sanitise_html(html, image_urls))  # noqa: S308 - the allowlist cleaner's output
