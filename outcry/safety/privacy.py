"""A supporter's own data: a link emailed to them opens a page showing it, a JSON copy, and erasure.

The request form answers the same whatever the address, and an email goes out either way (saying
what we hold, or that we hold nothing), so neither the page nor its timing tells whether an address
has acted."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outcry.actions.models import Action
from outcry.delivery.emails import Undeliverable, one_line
from outcry.delivery.models import Message, OutboxEmail
from outcry.delivery.services import owe_email
from outcry.lib.hashing import hash_email
from outcry.safety import ratelimit
from outcry.safety.services import erase_actions

LINK_SALT = "outcry.safety.data-link"


def data_token(email: str) -> str:
    return signing.dumps(hash_email(email), salt=LINK_SALT, compress=True)


def email_hash_from_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=LINK_SALT, max_age=timedelta(days=settings.OUTCRY_DATA_LINK_DAYS))
    except signing.BadSignature:
        return None


def actions_for(email_hash: str):
    return Action.objects.filter(email_hash=email_hash, erased_at__isnull=True).select_related("campaign__organisation").order_by("created_at")


def export_data(email_hash: str) -> dict:
    """Everything Outcry holds about this supporter, as JSON-ready data."""
    rows = []
    for action in actions_for(email_hash).prefetch_related("messages__target"):
        rows.append({
            "campaign": action.campaign.title,
            "campaign_url": settings.SITE_URL + action.campaign.get_absolute_url(),
            "organisation": action.campaign.organisation.name,
            "acted_at": action.created_at.isoformat(),
            "status": action.status,
            "first_name": action.first_name,
            "last_name": action.last_name,
            "email": action.email,
            "country": action.country,
            "postcode": action.postcode,
            "language": action.language,
            "personalised_letter": action.letter_text,
            "wants_updates": action.consent_updates,
            "consent_wording": action.consent_wording,
            "source": action.source,
            "referred_by_code": action.referred_by,
            "own_referral_code": action.referral_code,
            "utm": {"source": action.utm_source, "medium": action.utm_medium, "campaign": action.utm_campaign},
            "ip_address": "stored only as a keyed hash" if action.ip_hash else "not stored",
            "confirmed_at": action.confirmed_at.isoformat() if action.confirmed_at else None,
            "letters": [
                {"to": str(m.target) if m.target else "", "status": m.status, "sent_at": m.sent_at.isoformat() if m.sent_at else None}
                for m in action.messages.all()
            ],
        })
    return {"generated_at": timezone.now().isoformat(), "actions": rows}


def request_data_link(email: str) -> None:
    """Owe this address an email with a link to its data. Same answer, and the same work, for everyone:
    one outbox row and its task; a worker sends it, so no SMTP runs inside the request."""
    email = email.strip()
    # One email per address every few minutes, so the form cannot be used to flood someone's inbox.
    if ratelimit.hit("data-link", hash_email(email), ratelimit.Limit(count=1, seconds=600)):
        return
    owe_email(kind=Message.Kind.DATA_LINK, recipient=email, language=translation.get_language() or "")


def build_data_link(message: Message) -> EmailMessage:
    """The your-data email, built by the worker when it sends; the link is signed then, never stored."""
    email = message.recipient
    if not email:
        raise Undeliverable("the address was already used or erased")
    with translation.override(message.language or settings.LANGUAGE_CODE):
        context = {
            "link": settings.SITE_URL + reverse("safety:data", kwargs={"token": data_token(email)}),
            "holds_data": actions_for(hash_email(email)).exists(),
            "days": settings.OUTCRY_DATA_LINK_DAYS,
        }
        subject = one_line(render_to_string("safety/email/data_link_subject.txt", context))
        body = render_to_string("safety/email/data_link_body.txt", context)
    return EmailMessage(subject=subject, body=body, to=[email], headers={"Message-ID": message.message_id})


def erase_supporter(email_hash: str) -> int:
    # The kept copies of their own your-data emails (EMAIL_URL unset) belong to no campaign: found by the
    # exact recipient's hash, not by searching raw text.
    links = OutboxEmail.objects.filter(message__kind=Message.Kind.DATA_LINK).values_list("pk", "to")
    OutboxEmail.objects.filter(pk__in=[pk for pk, to in links if hash_email(to) == email_hash]).delete()
    return erase_actions(actions=Action.objects.filter(email_hash=email_hash), actor_label=_("supporter (emailed link)"), reason="erasure requested by the supporter")
