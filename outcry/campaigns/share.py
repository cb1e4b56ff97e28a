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
    """Plain links to each network's own share page: no third-party script ever loads on our pages.

    Each channel says what the campaign wrote for it (translated with the campaign), else its title.
    """
    message = campaign.share_message or campaign.title

    def url(channel: str) -> str:
        return campaign_share_url(campaign, ref=ref, via=channel)

    subject = campaign.share_email_subject or campaign.title
    body = f"{campaign.share_email_body or campaign.summary}\n\n{url('email')}"
    return [
        ShareLink("whatsapp", "WhatsApp", "https://wa.me/?" + urlencode({"text": f"{message} {url('whatsapp')}"})),
        ShareLink("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url("facebook")})),
        ShareLink("x", "X", "https://x.com/intent/post?" + urlencode({"text": campaign.share_x_text or campaign.title, "url": url("x")})),
        ShareLink("telegram", "Telegram", "https://t.me/share/url?" + urlencode({"url": url("telegram"), "text": message})),
        ShareLink("email", _("Email"), f"mailto:?subject={quote(subject)}&body={quote(body)}"),
    ]


def share_context(campaign: Campaign, ref: str = "") -> dict:
    """What campaigns/_share.html needs: the channel links, the link to copy and the phone's share sheet."""
    return {
        "share_links": share_links(campaign, ref),
        "copy_url": campaign_share_url(campaign, ref=ref, via="copy"),
        "native_url": campaign_share_url(campaign, ref=ref, via="native"),
        "native_text": campaign.share_message or campaign.title,
    }


@dataclass(frozen=True)
class MailtoLink:
    """One target of an email-your-target campaign, every way to write to them: the supporter's own mail
    app, Gmail or Outlook on the web, or copying the address and the message into anything else."""

    name: str
    address: str
    subject: str
    body: str

    @property
    def href(self) -> str:
        return f"mailto:{quote(self.address, safe='@')}?subject={quote(self.subject)}&body={quote(self.body)}"

    @property
    def gmail(self) -> str:
        return "https://mail.google.com/mail/?" + urlencode({"view": "cm", "fs": "1", "to": self.address, "su": self.subject, "body": self.body})

    @property
    def outlook(self) -> str:
        return "https://outlook.live.com/mail/0/deeplink/compose?" + urlencode({"to": self.address, "subject": self.subject, "body": self.body})


def mailto_links(campaign: Campaign, action) -> list[MailtoLink]:
    """For email-your-target campaigns: the message written for the supporter to send from their own address."""
    if action is None:
        return []
    body = "\n\n".join(
        part for part in (
            campaign.letter_salutation, action.letter_text or campaign.letter_body, campaign.letter_signoff, action.full_name,
        ) if part
    )
    language = getattr(campaign, "shown_in", "") or campaign.language
    return [
        MailtoLink(target.in_language(language).name, target.email, campaign.letter_subject or campaign.title, body)
        for target in campaign.targets.all()
        if target.email
    ]
