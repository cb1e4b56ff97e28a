"""The emails Outcry sends, built so that no text from a supporter or campaigner can add or change a header.

Names and subjects pass through one_line() (control characters, CR and LF become spaces) and addresses
through email.headerregistry.Address, which quotes display names and refuses malformed addresses; Python's
email policy then refuses any header value that still holds a line break.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from email.headerregistry import Address

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.signing import TimestampSigner
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_countries import countries

from outcry.actions.links import return_token, unsubscribe_token
from outcry.actions.models import Action, Unsubscribe
from outcry.campaigns.models import Campaign, fill_in, paragraphs
from outcry.campaigns.share import campaign_share_url
from outcry.delivery.models import Message
from outcry.lib.csv_export import csv_safe

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
CONFIRM_SALT = "outcry.delivery.confirm"


class Undeliverable(ValueError):
    """The message can never be sent as it stands (no address, erased supporter): fail it, don't retry."""


def one_line(text: str, limit: int = 200) -> str:
    return " ".join(CONTROL_CHARS.sub(" ", text or "").split())[:limit]


def platform_address(display_name: str, username: str) -> Address:
    return Address(display_name=one_line(display_name), username=username, domain=settings.MAIL_DOMAIN)


def person_address(display_name: str, addr_spec: str) -> Address:
    """Raises ValueError for an address that is not exactly one mailbox (e.g. holds CR/LF or a comma)."""
    addr_spec = (addr_spec or "").strip()
    if not addr_spec or CONTROL_CHARS.search(addr_spec):
        raise ValueError("not a single email address")
    return Address(display_name=one_line(display_name), addr_spec=addr_spec)


def country_name(code: str) -> str:
    return str(countries.name(code)) if code else ""


def supporter_language(action: Action) -> str:
    return action.language or action.campaign.language or settings.LANGUAGE_CODE


def _tag(email: EmailMessage, message: Message) -> EmailMessage:
    # The outbox backend files the email under its message and campaign; nothing of this reaches a header.
    email.outcry_message_id = message.pk  # type: ignore[attr-defined]
    email.outcry_campaign_id = message.campaign_id  # type: ignore[attr-defined]
    return email


def _headers(message: Message) -> dict[str, str]:
    return {"Message-ID": message.message_id} if message.message_id else {}


def build_letter(message: Message) -> EmailMessage:
    """One supporter's letter to one target, as from the supporter, sent from the platform's domain.

    The supporter's address is only Reply-To: putting it in From would fail DMARC at the target's server.
    """
    action, campaign, target = message.action, message.campaign, message.target
    if action is None or target is None or not target.email:
        raise Undeliverable("the letter has no supporter or no target address")
    if action.erased_at or not action.full_name:
        raise Undeliverable("the supporter's details were erased")
    name = one_line(action.full_name, 100)
    try:
        recipient = person_address(target.name, target.email)
    except ValueError as error:
        raise Undeliverable(f"the target's address is invalid: {error}") from error
    try:
        reply_to = [person_address(name, action.email)]
    except ValueError:
        reply_to = []
    body = render_to_string("delivery/email/letter_text.txt", {
        "salutation": campaign.letter_salutation,
        "paragraphs": campaign.letter_paragraphs(action.letter_text or None),
        "signoff": campaign.letter_signoff,
        "name": name,
        "country": country_name(action.country),
    })
    email = EmailMessage(
        subject=one_line(campaign.letter_subject or campaign.title),
        body=body,
        from_email=str(platform_address(f"{name} via {campaign.organisation.name}", "letters")),
        to=[str(recipient)],
        reply_to=[str(address) for address in reply_to],
        headers=_headers(message),
    )
    return _tag(email, message)


def digest_rows(letters: list[Message]) -> list[Action]:
    return [letter.action for letter in letters if letter.action is not None]


def digest_csv(actions: list[Action], with_letters: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["first_name", "last_name", "country", "acted_at"] + (["personal_letter"] if with_letters else [])
    writer.writerow(header)
    for action in actions:
        row = [action.first_name, action.last_name, action.country, action.created_at.isoformat(timespec="seconds")]
        if with_letters:
            row.append(action.letter_text)
        writer.writerow([csv_safe(value) for value in row])
    return out.getvalue()


def build_digest(message: Message) -> EmailMessage:
    """How many people acted since the last digest, with their names and countries, and the same as CSV."""
    campaign, target = message.campaign, message.target
    if target is None or not target.email:
        raise Undeliverable("the digest has no target address")
    try:
        recipient = person_address(target.name, target.email)
    except ValueError as error:
        raise Undeliverable(f"the target's address is invalid: {error}") from error
    letters = list(message.letters.select_related("action").order_by("action__created_at", "pk"))
    actions = [a for a in digest_rows(letters) if not a.erased_at]
    with translation.override(campaign.language):
        context = {
            "campaign": campaign,
            "target": target,
            "count": len(letters),
            "people": [(one_line(a.full_name, 100), country_name(a.country)) for a in actions],
            "erased": len(letters) - len(actions),
            "paragraphs": campaign.letter_paragraphs(),
        }
        subject = one_line(render_to_string("delivery/email/digest_subject.txt", context))
        body = render_to_string("delivery/email/digest_text.txt", context)
    email = EmailMessage(
        subject=subject,
        body=body,
        from_email=str(platform_address(campaign.organisation.name, "letters")),
        to=[str(recipient)],
        headers=_headers(message),
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    email.attach(f"{campaign.slug}-{stamp}.csv", digest_csv(actions, campaign.allow_personalise), "text/csv")
    return _tag(email, message)


def confirm_token(action: Action) -> str:
    return TimestampSigner(salt=CONFIRM_SALT).sign(str(action.pk))


def confirm_url(action: Action) -> str:
    path = reverse("delivery:confirm", kwargs={"slug": action.campaign.slug, "token": confirm_token(action)})
    return f"{settings.SITE_URL}{path}"


def campaign_wording(campaign: Campaign, name: str, first_name: str) -> dict:
    """The campaign's own subject and opening paragraphs for the receipt or confirmation email, if it wrote any."""
    values = {"first_name": one_line(first_name, 100), "campaign": campaign.title}
    subject = getattr(campaign, f"{name}_subject", "")
    intro = getattr(campaign, f"{name}_intro", "")
    return {
        "custom_subject": one_line(fill_in(subject, **values)) if subject else "",
        "custom_intro": [fill_in(p, **values) for p in paragraphs(intro)],
    }


def _supporter_email(message: Message, name: str, extra: dict) -> EmailMessage:
    """Call inside translation.override(supporter_language(action))."""
    action, campaign = message.action, message.campaign
    if action is None or action.erased_at or not action.email:
        raise Undeliverable("the supporter's details were erased")
    try:
        recipient = person_address(action.full_name, action.email)
    except ValueError as error:
        raise Undeliverable(f"the supporter's address is invalid: {error}") from error
    shown = campaign.translated(translation.get_language() or campaign.language)
    context = {"campaign": shown, "action": action, "organisation": campaign.organisation} | extra
    context |= campaign_wording(shown, name, action.first_name)
    subject = context.get("custom_subject") or one_line(render_to_string(f"delivery/email/{name}_subject.txt", context))
    text = render_to_string(f"delivery/email/{name}_text.txt", context)
    # Autoescaped: the HTML part is built from the same escaped text, never from raw input.
    html = render_to_string(f"delivery/email/{name}_html.html", context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=str(platform_address(campaign.organisation.name, "noreply")),
        to=[str(recipient)],
        headers=_headers(message) | {"Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(html, "text/html")
    return _tag(email, message)


def return_url(action: Action, campaign: Campaign | None) -> str:
    """The one-click link to act on `campaign` with the form filled in, if it is the organisation's and open."""
    if campaign is None or not campaign.is_open or campaign.organisation_id != action.campaign.organisation_id:
        return ""
    path = reverse("campaigns:return", kwargs={"slug": campaign.slug, "token": return_token(action, campaign)})
    return f"{settings.SITE_URL}{path}"


def _next_ask(action: Action) -> dict:
    """The campaign's follow-up for a supporter's email: one click with the form filled in when it is the same
    organisation's campaign; a plain link when it belongs to another organisation, which may not see this
    supporter's details until they choose to act there."""
    follow_up = action.campaign.follow_up_campaign
    if follow_up is None or not follow_up.is_open:
        return {}
    title = follow_up.translated(translation.get_language() or follow_up.language).title
    url = return_url(action, follow_up)
    if url:
        return {"next_url": url, "next_title": title, "next_prefilled": True}
    return {"next_url": f"{settings.SITE_URL}{follow_up.get_absolute_url()}", "next_title": title}


def build_receipt(message: Message) -> EmailMessage:
    action = message.action
    if action is None:
        raise Undeliverable("the receipt has no action")
    with translation.override(supporter_language(action)):
        share_url = campaign_share_url(message.campaign, ref=action.referral_code, via="email")
        return _supporter_email(message, "receipt", {"share_url": share_url} | _next_ask(action))


def build_confirm(message: Message) -> EmailMessage:
    action = message.action
    if action is None:
        raise Undeliverable("the confirmation request has no action")
    with translation.override(supporter_language(action)):
        context = {"confirm_url": confirm_url(action), "days": settings.OUTCRY_CONFIRM_DAYS}
        return _supporter_email(message, "confirm", context)


def preview_supporter_email(campaign: Campaign, kind: Message.Kind, language: str = "") -> EmailMessage:
    """The receipt or confirmation request as a sample supporter would get it, for a campaigner to read
    before publishing. Nothing is saved or sent; its links lead nowhere."""
    sample = Action(
        campaign=campaign, first_name="Amal", last_name="Haddad", email="amal.haddad@example.org",
        language=language or campaign.language, referral_code="preview",
    )
    return build_email(Message(campaign=campaign, action=sample, kind=kind))


def unsubscribe_url(action: Action) -> str:
    return f"{settings.SITE_URL}{reverse('updates:unsubscribe', kwargs={'token': unsubscribe_token(action)})}"


def build_update(message: Message) -> EmailMessage:
    """A campaign update, in the supporter's language, with a one-click unsubscribe (RFC 8058)."""
    update, action, campaign = message.update, message.action, message.campaign
    if update is None:
        raise Undeliverable("the email has no update")
    context: dict[str, object]
    if action is None:
        # A campaigner's test copy: to their own address, in the campaign's language, nothing to unsubscribe.
        language, to, context = campaign.language, message.recipient, {"test": True}
    else:
        if action.erased_at or not action.email:
            raise Undeliverable("the supporter's details were erased")
        if action.unsubscribed_at or Unsubscribe.objects.filter(
            organisation_id=campaign.organisation_id, email_hash=action.email_hash
        ).exists():
            raise Undeliverable("the supporter unsubscribed")
        language, to = supporter_language(action), action.email
        context = {"unsubscribe_url": unsubscribe_url(action), "action": action} | _next_ask(action)
    try:
        recipient = person_address(action.full_name if action else "", to)
    except ValueError as error:
        raise Undeliverable(f"the address is invalid: {error}") from error
    with translation.override(language):
        shown = update.translated(language)
        context |= {
            "update": shown, "campaign": campaign.translated(language), "organisation": campaign.organisation,
            "campaign_url": f"{settings.SITE_URL}{campaign.get_absolute_url()}",
        }
        subject = one_line(render_to_string("delivery/email/update_subject.txt", context))
        text = render_to_string("delivery/email/update_text.txt", context)
        html = render_to_string("delivery/email/update_html.html", context)
    headers = _headers(message)
    if action is not None:
        headers |= {
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    email = EmailMultiAlternatives(
        subject=subject, body=text, from_email=str(platform_address(campaign.organisation.name, "updates")),
        to=[str(recipient)], headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return _tag(email, message)


BUILDERS: dict[Message.Kind, Callable[[Message], EmailMessage]] = {
    Message.Kind.LETTER: build_letter,
    Message.Kind.DIGEST: build_digest,
    Message.Kind.RECEIPT: build_receipt,
    Message.Kind.CONFIRM: build_confirm,
    Message.Kind.UPDATE: build_update,
}


def register_builder(kind: Message.Kind, builder: Callable[[Message], EmailMessage]) -> None:
    """For emails whose words belong to another app (safety's your-data link), registered in its ready()."""
    BUILDERS[kind] = builder


def build_email(message: Message) -> EmailMessage:
    builder = BUILDERS.get(Message.Kind(message.kind))
    if builder is None:
        raise Undeliverable(f"no email is defined for {message.kind} messages")
    return builder(message)
