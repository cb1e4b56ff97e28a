"""Where a supporter came from (ref, via, utm_*), recorded on the action without making the page differ.

The campaign page is one shared copy whatever its query string (outcry/campaigns/views.py public_page),
so the share link's parameters reach the action's POST one of two ways:

- with JavaScript, the page's script (static/campaigns/js/page.js) copies them from the address bar
  into the form's hidden fields;
- without it, the browser sends the page's full address as the POST's Referer: the form posts to its
  own origin, and Referrer-Policy strict-origin-when-cross-origin (settings.SECURE_REFERRER_POLICY)
  sends the full URL to the same origin. A hidden field the script filled wins over the Referer.

Either way the values are only evidence: ActionForm cleans and truncates them, and never refuses an
action because of them (a crafted link must not stop anyone acting).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.http import HttpRequest, QueryDict

from outcry.campaigns.languages import SHARE_PARAMS

# A Referer longer than this is no page address of ours; reading it would only cost time.
MAX_REFERER = 4096


def from_referer(request: HttpRequest) -> dict[str, str]:
    """The share parameters in the Referer, when it is a page on this site; else nothing."""
    referer = request.headers.get("Referer", "")
    if not referer or len(referer) > MAX_REFERER:
        return {}
    try:
        parts = urlsplit(referer)
        host = request.get_host()
    except ValueError:
        return {}
    if parts.netloc != host or not parts.query:
        return {}
    query = parse_qs(parts.query)
    return {key: query[key][0] for key in SHARE_PARAMS if query.get(key)}


def with_attribution(request: HttpRequest) -> QueryDict:
    """The POST's data, with the share parameters its hidden fields lack taken from the Referer."""
    missing = [key for key in SHARE_PARAMS if not request.POST.get(key, "").strip()]
    found = from_referer(request) if missing else {}
    if not any(key in found for key in missing):
        return request.POST
    data = request.POST.copy()
    for key in missing:
        if key in found:
            data[key] = found[key]
    return data
