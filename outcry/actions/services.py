from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.actions.signals import announce_counted
from outcry.campaigns.models import Campaign
from outcry.lib.hashing import hash_email, hash_ip, normalise_email


@dataclass(frozen=True, kw_only=True)
class ActionData:
    first_name: str
    last_name: str
    email: str
    country: str
    postcode: str = ""
    consent_updates: bool = False
    letter_text: str = ""
    language: str = ""
    ref: str = ""
    via: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    ip: str = ""
    passed_challenge: bool = True
    hold: bool = False
    # The supporter came through a link mailed to this very address: it needs no confirmation email.
    mailbox_proven: bool = False


def _source(data: ActionData) -> str:
    if data.via:
        return data.via
    return Action.Source.DIRECT


def _initial_status(campaign: Campaign, data: ActionData) -> str:
    if data.hold:
        return Action.Status.HELD
    if campaign.double_opt_in and not data.mailbox_proven:
        return Action.Status.UNCONFIRMED
    return Action.Status.COUNTED


def take_action(*, campaign: Campaign, data: ActionData) -> Action:
    """Record one supporter's action, count it once per email, and queue its letters.

    A second action with an email that already holds a place is stored as a duplicate and
    returned like any other, so the caller answers both the same way.
    """
    from outcry.delivery.services import owe_messages

    email = data.email.strip()
    fields = dict(
        campaign=campaign,
        first_name=data.first_name,
        last_name=data.last_name,
        email=email,
        email_hash=hash_email(email),
        email_domain=normalise_email(email).rpartition("@")[2],
        country=data.country,
        postcode=data.postcode,
        language=data.language,
        letter_text=data.letter_text if campaign.allow_personalise else "",
        consent_updates=data.consent_updates,
        consent_wording=(campaign.consent_wording if data.consent_updates else ""),
        source=_source(data),
        referred_by=data.ref,
        utm_source=data.utm_source,
        utm_medium=data.utm_medium,
        utm_campaign=data.utm_campaign,
        ip_hash=hash_ip(data.ip),
        passed_challenge=data.passed_challenge,
        confirmed_at=timezone.now() if data.mailbox_proven else None,
    )
    status = _initial_status(campaign, data)
    try:
        with transaction.atomic():
            action = Action.objects.create(status=status, **fields)
            owe_messages(action)
            if status == Action.Status.COUNTED:
                announce_counted(action)
                # Last before COMMIT: the counter row stays locked only until then (counting.py).
                counting.add_to_count(campaign.pk)
    except IntegrityError:
        # The partial unique index on (campaign, email_hash) decided: this email already acted.
        action = Action.objects.create(status=Action.Status.DUPLICATE, **fields)
    return action


def confirm_action(action: Action) -> bool:
    """Count an unconfirmed action and queue its letters. Idempotent: True only the first time."""
    from outcry.delivery.services import owe_messages

    with transaction.atomic():
        updated = Action.objects.filter(pk=action.pk, status=Action.Status.UNCONFIRMED).update(
            status=Action.Status.COUNTED, confirmed_at=timezone.now()
        )
        if not updated:
            return False
        action.refresh_from_db()
        owe_messages(action)
        announce_counted(action)
        counting.add_to_count(action.campaign_id)
    return True
