"""Signals other apps listen to, so counting an action does not have to know who cares."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# Sent once an action has started to count and its transaction has committed: action_id=<pk>.
action_counted = Signal()


def announce_counted(action_id: int) -> None:
    """Call inside the transaction that makes the action count; receivers run only if it commits."""
    from outcry.actions.models import Action

    transaction.on_commit(lambda: action_counted.send(sender=Action, action_id=action_id))
