"""Links that stand for a supporter's action in an email: stop updates, or act again in one click.

Each names the action by its referral code (random, never the sequential id) and is signed, so it
cannot be guessed or forged; neither carries the supporter's name or address.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, Signer, TimestampSigner

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign

UNSUBSCRIBE_SALT = "outcry.actions.unsubscribe"
RETURN_SALT = "outcry.actions.return"


def unsubscribe_token(action: Action) -> str:
    # No expiry: RFC 8058 expects a List-Unsubscribe address to keep working for as long as mail may arrive.
    return Signer(salt=UNSUBSCRIBE_SALT).sign(action.referral_code)


def action_for_unsubscribe(token: str) -> Action | None:
    try:
        code = Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except BadSignature:
        return None
    return Action.objects.filter(referral_code=code).select_related("campaign__organisation").first()


def return_token(action: Action, campaign: Campaign) -> str:
    """A link for `action`'s supporter to act on `campaign` with the form filled in (same organisation only)."""
    return TimestampSigner(salt=RETURN_SALT).sign(f"{action.referral_code}.{campaign.pk}")


def action_for_return(token: str, campaign: Campaign) -> Action | None:
    """The earlier action a return link names, if the link is genuine, unexpired and meant for `campaign`."""
    max_age = timedelta(days=settings.OUTCRY_RETURN_LINK_DAYS)
    try:
        code, _, campaign_id = TimestampSigner(salt=RETURN_SALT).unsign(token, max_age=max_age).rpartition(".")
    except (BadSignature, SignatureExpired):
        return None
    if campaign_id != str(campaign.pk):
        return None
    action = Action.objects.filter(referral_code=code, campaign__organisation_id=campaign.organisation_id).first()
    if action is None or action.erased_at or not action.email:
        return None
    return action
