from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from outcry.campaigns.models import Campaign


@dataclass(frozen=True)
class ShareLink:
    channel: str
    label: str
    href: str


def campaign_share_url(campaign: Campaign, *, ref: str = "", via: str = "") -> str:
    params = {key: value for key, value in (("ref", ref), ("via", via)) if value}
    query = f"?{urlencode(params)}" if params else ""
    return f"{settings.SITE_URL}{campaign.get_absolute_url()}{query}"


def share_links(campaign: Campaign, ref: str = "") -> list[ShareLink]:
    """Plain links to each network's own share page: no third-party script ever loads on our pages."""
    text = campaign.title

    def url(channel: str) -> str:
        return campaign_share_url(campaign, ref=ref, via=channel)

    return [
        ShareLink("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url("facebook")})),
        ShareLink("x", "X", "https://x.com/intent/post?" + urlencode({"text": text, "url": url("x")})),
        ShareLink("whatsapp", "WhatsApp", "https://wa.me/?" + urlencode({"text": f"{text} {url('whatsapp')}"})),
        ShareLink("telegram", "Telegram", "https://t.me/share/url?" + urlencode({"url": url("telegram"), "text": text})),
        ShareLink(
            "email", _("Email"),
            f"mailto:?subject={quote(text)}&body={quote(campaign.summary + chr(10) + chr(10) + url('email'))}",
        ),
    ]


@dataclass(frozen=True)
class MailtoLink:
    name: str
    href: str


def mailto_links(campaign: Campaign, action) -> list[MailtoLink]:
    """For email-your-target campaigns: the supporter's own email app opens with the message written."""
    if action is None:
        return []
    body = "\n\n".join(
        part for part in (
            campaign.letter_salutation, action.letter_text or campaign.letter_body, campaign.letter_signoff, action.full_name,
        ) if part
    )
    return [
        MailtoLink(
            target.name,
            f"mailto:{quote(target.email, safe='@')}?subject={quote(campaign.letter_subject or campaign.title)}&body={quote(body)}",
        )
        for target in campaign.targets.all()
        if target.email
    ]
