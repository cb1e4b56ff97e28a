"""Campaigners write rich text; only this allowlist of HTML ever reaches a page. Their links, too: only
web addresses (and mailto where one is meant) ever reach an href, whatever wrote the value."""

import re
from collections.abc import Collection
from urllib.parse import urlsplit

import nh3
from django.core.validators import URLValidator

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "a", "ul", "ol", "li", "blockquote",
    "h2", "h3", "h4", "figure", "figcaption", "hr", "small", "sub", "sup",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


IMAGE_ATTRIBUTES = {"src", "alt", "width", "height", "srcset", "sizes", "loading", "decoding"}


def sanitise_html(html: str, image_urls: Collection[str] = ()) -> str:
    """The allowlist. An <img> survives only when every address it names is one of image_urls (our own
    story images, which rich_text looked up); with none given, no image at all."""
    if not image_urls:
        return nh3.clean(
            html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=ALLOWED_URL_SCHEMES,
            link_rel="noopener noreferrer nofollow",
        )
    allowed = set(image_urls)

    def only_ours(tag: str, attribute: str, value: str) -> str | None:
        if tag != "img":
            return value
        if attribute == "src":
            return value if value in allowed else None
        if attribute == "srcset":
            return value if all(c.strip().split(" ")[0] in allowed for c in value.split(",")) else None
        return value

    cleaned = nh3.clean(
        html or "", tags=ALLOWED_TAGS | {"img"}, attributes=ALLOWED_ATTRIBUTES | {"img": IMAGE_ATTRIBUTES},
        attribute_filter=only_ours, url_schemes=ALLOWED_URL_SCHEMES, link_rel="noopener noreferrer nofollow",
    )
    # An <img> that lost its src is not ours: gone entirely, so the browser fetches nothing.
    return _IMG_WITHOUT_SRC.sub("", cleaned)


_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


WEB_SCHEMES = ("http", "https")
# For the model fields: the admin form, an import through full_clean, the API all take this one rule.
validate_web_url = URLValidator(schemes=list(WEB_SCHEMES))
# Browsers drop tabs and line feeds inside a URL and strip leading controls and spaces, so "java\tscript:"
# and " javascript:" are javascript: to them; a value holding any of these is refused outright.
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def safe_url(value: object, schemes: tuple[str, ...] = WEB_SCHEMES) -> str:
    """The value if it is an absolute URL of one of these schemes, else "" (so the link is left out).

    For rows written around the model's validation (a data import, a migration, the shell)."""
    url = str(value or "")
    if not url or _INVISIBLE.search(url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in schemes:
        return ""
    if parts.scheme.lower() in WEB_SCHEMES and not parts.netloc:
        return ""
    return url


def css_string(value: object) -> str:
    """The value as the inside of a double-quoted CSS string, in a <style> element: anything but letters,
    digits and spaces becomes a CSS hex escape, so no quote, backslash, line end or `</style>` survives.
    (escapejs printed "Women\\u0027s": a JavaScript escape means nothing to CSS.)"""
    return "".join(c if c.isalnum() or c == " " else f"\\{ord(c):06x}" for c in str(value or ""))
