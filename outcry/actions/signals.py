"""Signals other apps listen to, so counting an action does not have to know who cares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.dispatch import Signal

if TYPE_CHECKING:
    from outcry.actions.models import Action

# Sent once an action has started to count and its transaction has committed:
# action_id=<pk>, organisation_id=<pk of the campaign's organisation>.
action_counted = Signal()


def announce_counted(action: Action) -> None:
    """Call inside the transaction that makes the action count; receivers run only if it commits."""
    action_id, organisation_id = action.pk, action.campaign.organisation_id
    transaction.on_commit(
        lambda: action_counted.send(sender=type(action), action_id=action_id, organisation_id=organisation_id)
    )
