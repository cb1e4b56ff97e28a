"""The studio's own writes: the team of an organisation (invitations, roles, leaving), and its entries in the admin's history."""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outcry.campaigns.models import Membership, Organisation
from outcry.delivery.emails import Undeliverable, one_line
from outcry.delivery.models import Message
from outcry.delivery.services import owe_email
from outcry.studio.models import Invitation

INVITE_SALT = "outcry.studio.invite"


def invite(*, organisation: Organisation, email: str, role: str, invited_by: User) -> Invitation:
    """An invitation and the email that carries it, queued in the outbox with it (sent by a worker)."""
    with transaction.atomic():
        invitation = Invitation.objects.create(organisation=organisation, email=email, role=role, invited_by=invited_by)
        invitation.message = owe_email(kind=Message.Kind.INVITE, recipient=email, language=translation.get_language() or "")
        invitation.save(update_fields=["message"])
    return invitation


def invite_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITE_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The open invitation a genuine, unexpired link names; None once it is used or for anything else."""
    try:
        pk = signing.loads(token, salt=INVITE_SALT, max_age=settings.OUTCRY_INVITE_DAYS * 86400)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("organisation").filter(pk=pk, accepted_at__isnull=True).first()


def build_invite(message: Message) -> EmailMessage:
    """The invitation email, built by the worker when it sends; the link is signed then, never stored."""
    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(message=message).first()
    if invitation is None or not message.recipient:
        raise Undeliverable("the invitation was withdrawn")
    with translation.override(message.language or settings.LANGUAGE_CODE):
        context = {
            "invitation": invitation,
            "role": invitation.get_role_display(),
            "link": settings.SITE_URL + reverse("studio:accept", kwargs={"token": invite_token(invitation)}),
            "days": settings.OUTCRY_INVITE_DAYS,
        }
        subject = one_line(render_to_string("studio/email/invite_subject.txt", context))
        body = render_to_string("studio/email/invite_body.txt", context)
    return EmailMessage(subject=subject, body=body, to=[message.recipient], headers={"Message-ID": message.message_id})


def accept(invitation: Invitation, user: User) -> Membership:
    """Join with the invitation's role (or keep a higher one held already). Once only: a second use finds nothing."""
    with transaction.atomic():
        used = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(accepted_at=timezone.now(), accepted_by=user)
        if not used:
            raise ValidationError(_("This invitation has already been used."))
        membership, created = Membership.objects.get_or_create(
            organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
        )
        if not created and not membership.allows(invitation.role):
            membership.role = invitation.role
            membership.save(update_fields=["role"])
    return membership


def _keeps_an_owner(membership: Membership, new_role: str | None) -> None:
    if membership.role != Membership.Role.OWNER or new_role == Membership.Role.OWNER:
        return
    others = Membership.objects.filter(organisation=membership.organisation, role=Membership.Role.OWNER).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError(_("An organisation keeps at least one owner: make someone else owner first."))


def change_role(membership: Membership, role: str) -> None:
    _keeps_an_owner(membership, role)
    membership.role = role
    membership.save(update_fields=["role"])


def remove_member(membership: Membership) -> None:
    """Removing someone, or leaving oneself; never the last owner."""
    _keeps_an_owner(membership, None)
    membership.delete()


def record_in_history(user: User, obj: Model, flag: int, message: str) -> None:
    """A studio write the admin would log (API tokens, webhooks), logged the same way, so the object's
    history in the admin shows who did what from either place."""
    LogEntry.objects.log_actions(user_id=user.pk, queryset=[obj], action_flag=flag, change_message=message, single_object=True)
