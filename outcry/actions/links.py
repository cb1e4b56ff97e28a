"""Links that stand for a supporter's action in an email: confirm it, stop updates, or act again in one click.

Each names the action by its referral code (random, never the sequential id) and is signed, so it
cannot be guessed or forged; neither carries the supporter's name or address.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, Signer, TimestampSigner

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.campaigns.partners import may_link

UNSUBSCRIBE_SALT = "outcry.actions.unsubscribe"
RETURN_SALT = "outcry.actions.return"
CONFIRM_SALT = "outcry.actions.confirm"
# Links mailed before confirm links named the referral code carry the sequential id under this salt. They
# keep working until they expire (OUTCRY_CONFIRM_DAYS after sending); none is made any more.
OLD_CONFIRM_SALT = "outcry.delivery.confirm"


def confirm_token(action: Action) -> str:
    return TimestampSigner(salt=CONFIRM_SALT).sign(action.referral_code)


def action_for_confirm(token: str, campaign: Campaign) -> Action | None:
    """The action a confirmation link names, if the link is genuine, unexpired, for this campaign, and the
    supporter has not since asked to be forgotten (an erased action never comes to count by its old link)."""
    max_age = timedelta(days=settings.OUTCRY_CONFIRM_DAYS)
    actions = Action.objects.filter(campaign=campaign, erased_at__isnull=True).select_related("campaign")
    try:
        return actions.filter(referral_code=TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=max_age)).first()
    except (BadSignature, SignatureExpired):
        pass
    try:
        return actions.filter(pk=int(TimestampSigner(salt=OLD_CONFIRM_SALT).unsign(token, max_age=max_age))).first()
    except (BadSignature, SignatureExpired, ValueError):
        return None


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
    """A link for `action`'s supporter to act on `campaign` with the form filled in: a campaign of the same
    organisation, or of a partner in a partnership both agreed to (outcry.campaigns.partners)."""
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
    action = Action.objects.filter(referral_code=code).select_related("campaign__organisation").first()
    if action is None or action.erased_at or not action.email:
        return None
    # Checked when the link is used, not when it was mailed: a partnership ended since stops it at once.
    if not may_link(action.campaign.organisation_id, campaign.organisation_id):
        return None
    return action
