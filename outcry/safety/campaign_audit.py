"""Publishing and closing in the audit log, whoever did it (the studio, the admin, the schedule), and the
email to a campaign's staff when a scheduled opening was blocked. Both listen to campaigns.signals, inside
the transaction that changed the campaign."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from outcry.campaigns.models import Campaign
from outcry.campaigns.signals import opening_blocked, status_changed
from outcry.delivery.emails import Undeliverable, staff_addresses, staff_warning
from outcry.delivery.models import Message
from outcry.delivery.services import owe_email
from outcry.safety.models import AuditEntry

KINDS = {Campaign.Status.LIVE: AuditEntry.Kind.PUBLISH, Campaign.Status.CLOSED: AuditEntry.Kind.CLOSE}


@receiver(status_changed)
def record_status_change(
    sender: type, campaign: Campaign, previous: str | None, actor: User | None, actor_label: str, reason: str, **kwargs: object,
) -> None:
    kind = KINDS.get(Campaign.Status(campaign.status))
    if kind is not None:
        AuditEntry.objects.create(kind=kind, campaign=campaign, actor=actor, actor_label=actor_label, reason=reason, details=f"{previous} → {campaign.status}")


@receiver(opening_blocked)
def report_blocked_opening(sender: type, campaign: Campaign, problems: list[str], opens_at: datetime, **kwargs: object) -> None:
    AuditEntry.objects.create(
        kind=AuditEntry.Kind.OPENING_BLOCKED, campaign=campaign, actor_label="schedule",
        reason="\n".join(str(p) for p in problems), details=opens_at.isoformat(timespec="minutes"),
    )
    owe_email(kind=Message.Kind.OPENING_BLOCKED, campaign=campaign)


def build_opening_blocked(message: Message) -> EmailMessage:
    """To the campaign's staff: its scheduled opening found blocking problems, listed as the checklist said them then."""
    campaign = message.campaign
    staff = staff_addresses(campaign) if campaign is not None else []
    entry = AuditEntry.objects.filter(campaign=campaign, kind=AuditEntry.Kind.OPENING_BLOCKED).order_by("-created_at").first()
    if campaign is None or entry is None or not staff:
        raise Undeliverable("no campaign, no blocked opening recorded, or no staff with an email address")
    with translation.override(campaign.language):
        subject = _("“%(title)s” did not go live") % {"title": campaign.title}
        body = _(
            "“%(title)s” was scheduled to go live at %(when)s UTC, but its checklist found problems that stop it, "
            "so it is still a draft:\n\n%(problems)s\n\nFix them, then go live from the studio or set a new "
            "opening date: %(url)s"
        ) % {
            "title": campaign.title, "when": entry.details.replace("T", " ")[:16],
            "problems": "\n".join(f"- {line}" for line in entry.reason.splitlines()),
            "url": settings.SITE_URL + reverse("studio:campaign", kwargs={"pk": campaign.pk}),
        }
    return staff_warning(message, staff, subject, body)
