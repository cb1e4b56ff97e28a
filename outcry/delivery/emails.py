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
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from outcry.actions.links import confirm_token, return_token, unsubscribe_token
from outcry.actions.models import Action, Unsubscribe
from outcry.actions.names import country_name, is_withheld, name_for_target, withheld_countries
from outcry.campaigns.models import Campaign, Organisation, Target, fill_in, paragraphs
from outcry.campaigns.partners import may_link
from outcry.campaigns.share import campaign_share_url
from outcry.delivery.addresses import bounce_address, reply_address
from outcry.delivery.models import Message, bounced_supporters
from outcry.lib.colour import HEX
from outcry.lib.csv_export import csv_safe

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


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


def email_brand(organisation: Organisation) -> dict[str, object]:
    """The organisation's branding for an email to a supporter (letters to targets carry none).

    The colour is checked again, as a row written around the model's validation must not put anything else
    into a style attribute; the logo is an absolute address on our own SITE_URL or left out, so an email
    loads nothing from anyone else."""
    logo = organisation.logo.url if organisation.logo else ""
    return {
        "organisation": organisation,
        "brand_colour": organisation.brand_colour if HEX.match(organisation.brand_colour or "") else "",
        "logo_url": f"{settings.SITE_URL}{logo}" if logo.startswith("/") and not logo.startswith("//") else "",
        "footer_text": organisation.footer_text.strip(),
    }


def supporter_language(action: Action) -> str:
    return action.language or action.campaign.language or settings.LANGUAGE_CODE


def _tag(email: EmailMessage, message: Message) -> EmailMessage:
    # The outbox backend files the email under its message and campaign; nothing of this reaches a header.
    email.outcry_message_id = message.pk  # type: ignore[attr-defined]
    email.outcry_campaign_id = message.campaign_id  # type: ignore[attr-defined]
    return email


def _headers(message: Message) -> dict[str, str]:
    return {"Message-ID": message.message_id} if message.message_id else {}


def _returnable(message: Message, display_name: str) -> dict:
    """From: "<display name>" <letters@MAIL_DOMAIN>, with the envelope sender (where bounces go) the
    message's own b-<token> address, so a bounce names the letter it returns."""
    return {
        "from_email": bounce_address(message.pk),
        "headers": _headers(message) | {"From": str(platform_address(display_name, "letters"))},
    }


def letter_language(action: Action, target: Target) -> str:
    """The language of one letter: the target's, when the campaign has its letter in that language; but a letter
    the supporter rewrote goes as they wrote it, with the salutation and sign-off of the page they wrote it on."""
    campaign = action.campaign
    wanted = (action.language or campaign.language) if action.letter_text else target.language
    if wanted and wanted != campaign.language and any(
        t.language == wanted and t.letter_body for t in campaign.translations.all()
    ):
        return wanted
    return campaign.language


def letter_body(action: Action, shown: Campaign) -> tuple[str, str]:
    """The name a letter is signed with and its text, in `shown`'s language. Call inside translation.override."""
    withheld = is_withheld(action.withhold_name, action.country, withheld_countries(action.campaign))
    name = one_line(name_for_target(action.first_name, action.last_name, action.country, withheld), 100)
    body = render_to_string("delivery/email/letter_text.txt", {
        "salutation": shown.letter_salutation,
        "paragraphs": shown.letter_paragraphs(action.letter_text or None),
        "signoff": shown.letter_signoff,
        "name": name,
        # "A supporter from Libya" already says where they are from.
        "country": "" if withheld else country_name(action.country),
        "personal": bool(action.letter_text),
    })
    return name, body


def build_letter(message: Message) -> EmailMessage:
    """One supporter's letter to one target, as from the supporter, sent from the platform's domain.

    The supporter's address is nowhere in it: From is the platform's (the supporter's would fail DMARC at
    the target's server) and Reply-To the letter's own address (outcry.delivery.addresses).
    """
    action, campaign, target = message.action, message.campaign, message.target
    if action is None or target is None or not target.email:
        raise Undeliverable("the letter has no supporter or no target address")
    if action.erased_at or not action.full_name:
        raise Undeliverable("the supporter's details were erased")
    language = letter_language(action, target)
    shown = campaign.translated(language)
    with translation.override(language):
        name, body = letter_body(action, shown)
    try:
        recipient = person_address(target.name, target.email)
    except ValueError as error:
        raise Undeliverable(f"the target's address is invalid: {error}") from error
    email = EmailMessage(
        subject=one_line(shown.letter_subject or shown.title),
        body=body,
        to=[str(recipient)],
        # The letter's own reply address: replies come back to the campaign (and to the supporter only if
        # they asked), and the government written to never learns the supporter's address.
        reply_to=[reply_address(message.pk)],
        **_returnable(message, f"{name} via {campaign.organisation.name}"),
    )
    return _tag(email, message)


def digest_rows(letters: list[Message]) -> list[Action]:
    return [letter.action for letter in letters if letter.action is not None]


def digest_csv(actions: list[Action], with_letters: bool, withheld: frozenset[str] = frozenset()) -> str:
    """Call inside the digest's language: a withheld name is "A supporter from <country>" in first_name."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["first_name", "last_name", "country", "acted_at"] + (["personal_letter"] if with_letters else [])
    writer.writerow(header)
    for action in actions:
        if is_withheld(action.withhold_name, action.country, withheld):
            names = [name_for_target("", "", action.country, True), ""]
        else:
            names = [action.first_name, action.last_name]
        row = [*names, action.country, action.created_at.isoformat(timespec="seconds")]
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
    withheld = withheld_countries(campaign)
    with translation.override(campaign.language):
        people = []
        for action in actions:
            hidden = is_withheld(action.withhold_name, action.country, withheld)
            name = name_for_target(action.first_name, action.last_name, action.country, hidden)
            people.append((one_line(name, 100), "" if hidden else country_name(action.country)))
        csv_text = digest_csv(actions, campaign.allow_personalise, withheld)
        context = {
            "campaign": campaign,
            "target": target,
            "count": len(letters),
            "people": people,
            "erased": len(letters) - len(actions),
            "paragraphs": campaign.letter_paragraphs(),
        }
        subject = one_line(render_to_string("delivery/email/digest_subject.txt", context))
        body = render_to_string("delivery/email/digest_text.txt", context)
    email = EmailMessage(
        subject=subject,
        body=body,
        to=[str(recipient)],
        reply_to=[reply_address(message.pk)],
        **_returnable(message, campaign.organisation.name),
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    email.attach(f"{campaign.slug}-{stamp}.csv", csv_text, "text/csv")
    return _tag(email, message)


def confirm_url(action: Action) -> str:
    path = reverse("actions:confirm", kwargs={"slug": action.campaign.slug, "token": confirm_token(action)})
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
    context = email_brand(campaign.organisation) | {"campaign": shown, "action": action} | extra
    context |= campaign_wording(shown, name, action.first_name)
    subject = context.get("custom_subject") or one_line(render_to_string(f"delivery/email/{name}_subject.txt", context))
    text = render_to_string(f"delivery/email/{name}_text.txt", context)
    # Autoescaped: the HTML part is built from the same escaped text, never from raw input.
    html = render_to_string(f"delivery/email/{name}_html.html", context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        # The envelope sender is the message's own b- address, so a bounce tells which supporter's address fails.
        from_email=bounce_address(message.pk),
        to=[str(recipient)],
        headers=_headers(message) | {
            "From": str(platform_address(campaign.organisation.sender, "noreply")), "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(html, "text/html")
    return _tag(email, message)


def return_url(action: Action, campaign: Campaign | None) -> str:
    """The one-click link to act on `campaign` with the form filled in, if it is open and the organisation's
    own or a partner's (outcry.campaigns.partners)."""
    if campaign is None or not campaign.is_open or not may_link(action.campaign.organisation_id, campaign.organisation_id):
        return ""
    path = reverse("campaigns:return", kwargs={"slug": campaign.slug, "token": return_token(action, campaign)})
    return f"{settings.SITE_URL}{path}"


def _next_ask(action: Action) -> dict:
    """The campaign's follow-up for a supporter's email: one click with the form filled in when it is the same
    organisation's campaign or a partner's (named, so the supporter knows whose it is); a plain link when it
    belongs to any other organisation. Either way the other organisation sees the supporter's details only
    if they choose to act there."""
    follow_up = action.campaign.follow_up_campaign
    if follow_up is None or not follow_up.is_open:
        return {}
    title = follow_up.translated(translation.get_language() or follow_up.language).title
    url = return_url(action, follow_up)
    if url:
        partner = follow_up.organisation.name if follow_up.organisation_id != action.campaign.organisation_id else ""
        return {"next_url": url, "next_title": title, "next_prefilled": True, "next_organisation": partner}
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
        # What the link confirms, quoted: someone else may have used this address, and the owner must see
        # the words and the name that would go out before they confirm them (issue 16).
        campaign = message.campaign
        if campaign.sends_letters:
            context["signed_as"], context["letter"] = letter_body(action, campaign.translated(translation.get_language() or campaign.language))
            context["letter_quoted"] = "\n".join(f"> {line}".rstrip() for line in context["letter"].strip().splitlines())
        else:
            context["signed_as"] = one_line(action.full_name, 100)
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


def _stopped_supporters(organisation_id: int, email_hashes: set[str]) -> dict[str, set[str]]:
    """Which of these addresses must get no update from the organisation: unsubscribed from all of it, or bounced."""
    stopped: dict[str, set[str]] = {}
    for email_hash in Unsubscribe.objects.filter(organisation_id=organisation_id, email_hash__in=email_hashes).values_list("email_hash", flat=True):
        stopped.setdefault(email_hash, set()).add("unsubscribed")
    bounced = bounced_supporters(organisation_id).filter(action__email_hash__in=email_hashes)
    for email_hash in bounced.values_list("action__email_hash", flat=True):
        stopped.setdefault(email_hash, set()).add("bounced")
    return stopped


def screen_updates(messages: list[Message]) -> None:
    """For a batch of update emails about to be built: look up in two queries per organisation which of
    their supporters stopped updates or bounced, instead of two queries per email (build_update reads it)."""
    hashes: dict[int, set[str]] = {}
    for message in messages:
        if message.kind == Message.Kind.UPDATE and message.action is not None:
            hashes.setdefault(message.campaign.organisation_id, set()).add(message.action.email_hash)
    stopped = {organisation_id: _stopped_supporters(organisation_id, found) for organisation_id, found in hashes.items()}
    for message in messages:
        if message.kind == Message.Kind.UPDATE and message.action is not None:
            message.supporter_stopped = stopped[message.campaign.organisation_id]  # type: ignore[attr-defined]


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
        stopped = getattr(message, "supporter_stopped", None)
        if stopped is None:
            stopped = _stopped_supporters(campaign.organisation_id, {action.email_hash})
        if action.unsubscribed_at or "unsubscribed" in stopped.get(action.email_hash, ()):
            raise Undeliverable("the supporter unsubscribed")
        if "bounced" in stopped.get(action.email_hash, ()):
            raise Undeliverable("the supporter's address bounced an earlier email")
        language, to = supporter_language(action), action.email
        context = {"unsubscribe_url": unsubscribe_url(action), "action": action} | _next_ask(action)
    try:
        recipient = person_address(action.full_name if action else "", to)
    except ValueError as error:
        raise Undeliverable(f"the address is invalid: {error}") from error
    with translation.override(language):
        shown = update.translated(language)
        context |= email_brand(campaign.organisation) | {
            "update": shown, "campaign": campaign.translated(language),
            "campaign_url": f"{settings.SITE_URL}{campaign.get_absolute_url()}",
        }
        subject = one_line(render_to_string("delivery/email/update_subject.txt", context))
        text = render_to_string("delivery/email/update_text.txt", context)
        html = render_to_string("delivery/email/update_html.html", context)
    headers = _headers(message) | {"From": str(platform_address(campaign.organisation.sender, "updates"))}
    if action is not None:
        headers |= {
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    email = EmailMultiAlternatives(
        subject=subject, body=text, from_email=bounce_address(message.pk),
        to=[str(recipient)], headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return _tag(email, message)


def build_forward(message: Message) -> EmailMessage:
    """A target's reply, forwarded to a supporter who asked for it (Action.forward_replies)."""
    action = message.action
    response = getattr(message, "forwarded_response", None)
    if action is None or response is None:
        raise Undeliverable("the forwarded reply is gone")
    with translation.override(supporter_language(action)):
        target_name = one_line(str(response.target) if response.target else message.campaign.organisation.name, 100)
        return _supporter_email(message, "forward", {"response": response, "target_name": target_name})


def staff_addresses(campaign: Campaign) -> list[str]:
    """Where a warning about a campaign goes: its organisation's active staff with an address."""
    return [user.email for user in campaign.organisation.staff.filter(is_active=True) if user.email]


def staff_warning(message: Message, staff: list[str], subject: str, body: str) -> EmailMessage:
    """A plain-text warning from Outcry to a campaign's staff, filed under its message in the outbox."""
    email = EmailMessage(
        subject=one_line(subject), body=body, from_email=str(platform_address("Outcry", "noreply")), to=staff,
        headers=_headers(message) | {"Auto-Submitted": "auto-generated"},
    )
    return _tag(email, message)


def build_alert(message: Message) -> EmailMessage:
    """To the campaign's staff: a target's address is failing (outcry.delivery.services.record_bounce)."""
    campaign, target = message.campaign, message.target
    staff = staff_addresses(campaign)
    if target is None or not staff:
        raise Undeliverable("no target, or no staff with an email address")
    last = (
        Message.objects.filter(target=target, status=Message.Status.BOUNCED).order_by("-pk")
        .values_list("last_error", flat=True).first()
    )
    with translation.override(campaign.language):
        context = {
            "campaign": campaign, "target": target, "target_name": one_line(str(target), 100), "reason": last or "",
            "bounced": Message.objects.filter(target=target, status=Message.Status.BOUNCED, digest__isnull=True).count(),
            "targets_url": settings.SITE_URL + reverse("studio:targets", kwargs={"pk": campaign.pk}),
        }
        subject = one_line(render_to_string("delivery/email/alert_subject.txt", context))
        body = render_to_string("delivery/email/alert_text.txt", context)
    email = EmailMessage(
        subject=subject, body=body, from_email=str(platform_address("Outcry", "noreply")), to=staff,
        headers=_headers(message) | {"Auto-Submitted": "auto-generated"},
    )
    return _tag(email, message)


BUILDERS: dict[Message.Kind, Callable[[Message], EmailMessage]] = {
    Message.Kind.LETTER: build_letter,
    Message.Kind.DIGEST: build_digest,
    Message.Kind.RECEIPT: build_receipt,
    Message.Kind.CONFIRM: build_confirm,
    Message.Kind.UPDATE: build_update,
    Message.Kind.FORWARD: build_forward,
    Message.Kind.ALERT: build_alert,
}


def register_builder(kind: Message.Kind, builder: Callable[[Message], EmailMessage]) -> None:
    """For emails whose words belong to another app (safety's your-data link), registered in its ready()."""
    BUILDERS[kind] = builder


def email_text(message: Message) -> str | None:
    """The text of a letter or digest as it goes (or went) out, for the people allowed to read it; builds,
    sends nothing. None when it cannot be built (erased supporter, no target address)."""
    try:
        return str(build_email(message).body)
    except Undeliverable:
        return None


def build_email(message: Message) -> EmailMessage:
    builder = BUILDERS.get(Message.Kind(message.kind))
    if builder is None:
        raise Undeliverable(f"no email is defined for {message.kind} messages")
    # Every kind is filed under its message (the your-data link too), so erasure finds kept copies by key.
    return _tag(builder(message), message)
