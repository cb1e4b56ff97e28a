"""Which sites may put a campaign's counter in an <iframe>: the CSP frame-ancestors of the embed page."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.csp import CSP

from outcry.campaigns.models import Campaign

# Scheme, host and optional port, nothing else: a space, ";" or "," would smuggle in another directive.
ORIGIN = re.compile(r"^https?://(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$", re.IGNORECASE)


def allowed_origins(campaign: Campaign) -> list[str]:
    origins = []
    for line in campaign.embed_allowed_origins.splitlines():
        origin = line.strip().rstrip("/")
        if ORIGIN.match(origin) and origin not in origins:
            origins.append(origin)
    return origins


def invalid_origins(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not ORIGIN.match(line.strip().rstrip("/"))]


def embed_csp(campaign: Campaign) -> dict:
    """The site's policy with frame-ancestors widened to this campaign's sites (and our own admin's preview)."""
    return dict(settings.SECURE_CSP) | {"frame-ancestors": [CSP.SELF, *allowed_origins(campaign)]}


def embed_url(campaign: Campaign) -> str:
    return f"{settings.SITE_URL}/c/{campaign.slug}/embed/"


def embed_snippet(campaign: Campaign) -> str:
    from django.utils.html import format_html

    return str(format_html(
        '<iframe src="{}" title="{}" width="340" height="190" loading="lazy" style="border:0;max-width:100%"></iframe>',
        embed_url(campaign), campaign.title,
    ))
