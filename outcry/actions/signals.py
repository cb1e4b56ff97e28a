"""Signals the apps above actions listen to, so that the one path by which actions start or stop counting
(outcry/actions/services.py: count_actions, uncount_actions) does not import them.

Each is sent inside the transaction that changes the actions, right after the change: what a receiver
writes commits or rolls back with it, and anything outside the database it defers with
transaction.on_commit. Receivers: delivery owes the letters and confirmation requests, reports recounts
its rollups, integrations owes the webhooks.
"""

from __future__ import annotations

from enum import StrEnum

from django.dispatch import Signal


class CountedVia(StrEnum):
    TAKEN = "taken"
    CONFIRMED = "confirmed"
    RELEASED = "released"
    # Undoing an invalidated wave: the actions count again and keep the letters they had.
    RESTORED = "restored"


class UncountedBecause(StrEnum):
    INVALIDATED = "invalidated"
    REJECTED = "rejected"
    # Another spelling of a mailbox that had already acted (outcry/lib/mailbox.py), found by merge_identities.
    DUPLICATE = "duplicate"
    # Erased actions keep their status and their place in the count; the CRM should forget the person.
    ERASED = "erased"


# campaign=<Campaign>, actions=[<Action>, ...] (counted now), via=<CountedVia>
actions_counted = Signal()
# campaign=<Campaign>, action_ids=[pk, ...], because=<UncountedBecause>
actions_uncounted = Signal()
# action=<Action>, again=<bool>: it waits for its supporter to confirm by email (double opt-in); again: the
# supporter asked for the link once more. A receiver answers whether it queued an email.
confirmation_requested = Signal()
# action_ids=[pk, ...]: these unconfirmed actions expired; their confirmation emails are no longer wanted.
confirmations_expired = Signal()
