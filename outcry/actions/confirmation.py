"""Double opt-in: an action that waits for its supporter to confirm their address by email.

An action is stored unconfirmed on a double opt-in campaign, or when it showed signs of a bot
(outcry/safety/screening.py). The link that confirms it (outcry/actions/links.py) names it by its
random referral code; confirming counts it through the one counting path (services.confirm_action).
Asking for the link again and expiring the unconfirmed are here too. The emails themselves are
delivery's: it hears confirmation_requested and confirmations_expired (outcry/actions/signals.py),
keeps its own limits on how many it sends, and this module never touches the outbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outcry.actions.links import action_for_confirm
from outcry.actions.models import Action
from outcry.actions.services import confirm_action
from outcry.actions.signals import confirmation_requested, confirmations_expired
from outcry.campaigns.models import Campaign
from outcry.lib.hashing import hash_email


def confirm_from_token(token: str, campaign: Campaign) -> Action | None:
    """Confirm the action a link names. Idempotent: confirming twice is harmless. None if the link is bad
    or the action can no longer be confirmed (expired, invalidated, erased)."""
    action = action_for_confirm(token, campaign)
    if action is None:
        return None
    if action.status == Action.Status.UNCONFIRMED:
        confirm_action(action)
        action.refresh_from_db()
    return action if action.status in (Action.Status.COUNTED, Action.Status.HELD) else None


def ask_for_resend(campaign: Campaign, email: str) -> None:
    """The resend endpoint's whole work, the same for every address: one task row holding the address's
    keyed hash (never the address). Whether an action waits, and any email, is the worker's business, so
    neither the answer nor its timing tells anyone whether the address acted."""
    from outcry.actions.tasks import resend_confirmation_task

    resend_confirmation_task.enqueue(campaign.pk, hash_email(email))


def resend_confirmation(campaign: Campaign, email_hash: str) -> bool:
    """Ask again for this address's unconfirmed action (run by the worker). True if an email was queued:
    delivery sends it within its limits (outcry.delivery.services.owe_confirmation_request)."""
    action = Action.objects.filter(campaign=campaign, email_hash=email_hash, status=Action.Status.UNCONFIRMED).first()
    if action is None:
        return False
    with transaction.atomic():
        # Locks the action row, so two quick clicks do not both pass delivery's limits.
        Action.objects.select_for_update().filter(pk=action.pk).first()
        answers = confirmation_requested.send(sender=Action, action=action, again=True)
    return any(queued for _receiver, queued in answers)


def expire_unconfirmed(now: datetime | None = None) -> int:
    """Unconfirmed actions older than the link's lifetime expire; their address may act again. They never
    counted, so nothing comes off the count; delivery cancels their unsent confirmation emails."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTCRY_CONFIRM_DAYS)
    with transaction.atomic():
        ids = list(
            Action.objects.filter(status=Action.Status.UNCONFIRMED, created_at__lt=cutoff)
            .select_for_update().values_list("pk", flat=True)
        )
        if not ids:
            return 0
        expired = Action.objects.filter(pk__in=ids).update(status=Action.Status.EXPIRED)
        confirmations_expired.send(sender=Action, action_ids=ids)
    return expired
