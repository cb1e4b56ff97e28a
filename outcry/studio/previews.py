"""Private preview links: a signed, expiring address that shows a campaign as it will look once live,
to anyone who has it (a colleague without an account), and does nothing else."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from outcry.campaigns.models import Campaign

SALT = "outcry.studio.preview"


def preview_url(campaign: Campaign) -> str:
    token = signing.dumps(campaign.pk, salt=SALT)
    return reverse("studio:preview", kwargs={"token": token})


def previewed_campaign(token: str) -> Campaign | None:
    """The campaign a valid, unexpired token names; None for anything else (forged, expired, deleted)."""
    try:
        pk = signing.loads(token, salt=SALT, max_age=settings.OUTCRY_PREVIEW_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    return Campaign.objects.select_related("organisation").filter(pk=pk).first()


def as_if_live(campaign: Campaign, language: str) -> Campaign:
    """A copy in `language` that the templates show open, as it will be once live. translated()
    copies refuse to be saved, so this status can never reach the database."""
    shown = campaign.translated(language)
    shown.status = Campaign.Status.LIVE
    return shown
