from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.actions.names import plain_name
from outcry.actions.signals import CountedVia, UncountedBecause, actions_counted, actions_uncounted, confirmation_requested
from outcry.campaigns.models import Campaign
from outcry.lib.hashing import hash_email, hash_ip
from outcry.lib.mailbox import email_domain
from outcry.lib.metrics import ACTIONS, increment


@dataclass(frozen=True, kw_only=True)
class ActionData:
    first_name: str
    last_name: str
    email: str
    country: str
    postcode: str = ""
    consent_updates: bool = False
    withhold_name: bool = False
    # The words beside the box, as the supporter read them, kept with the choice.
    withhold_name_wording: str = ""
    forward_replies: bool = False
    forward_replies_wording: str = ""
    letter_text: str = ""
    target_ids: tuple[int, ...] = ()
    language: str = ""
    ref: str = ""
    via: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    ip: str = ""
    passed_challenge: bool = True
    hold: bool = False
    # Signs of a bot: the action counts only once its supporter confirms their email (step-up).
    confirm: bool = False
    # The supporter came through a link mailed to this very address: it needs no confirmation email.
    mailbox_proven: bool = False


def _source(data: ActionData) -> str:
    if data.via:
        return data.via
    return Action.Source.DIRECT


def _initial_status(campaign: Campaign, data: ActionData) -> str:
    if data.hold:
        return Action.Status.HELD
    if (campaign.double_opt_in or data.confirm) and not data.mailbox_proven:
        return Action.Status.UNCONFIRMED
    return Action.Status.COUNTED


def take_action(*, campaign: Campaign, data: ActionData) -> Action:
    """Record one supporter's action, count it once per email, and queue its letters.

    A second action with an email that already holds a place is stored as a duplicate and
    returned like any other, so the caller answers both the same way.
    """
    email = data.email.strip()
    fields = dict(
        campaign=campaign,
        first_name=plain_name(data.first_name),
        last_name=plain_name(data.last_name),
        email=email,
        email_hash=hash_email(email),
        email_domain=email_domain(email),
        country=data.country,
        postcode=data.postcode,
        language=data.language,
        letter_text=data.letter_text if campaign.allow_personalise else "",
        target_ids=list(data.target_ids) if campaign.supporters_choose_targets else [],
        consent_updates=data.consent_updates,
        consent_wording=(campaign.consent_wording if data.consent_updates else ""),
        withhold_name=data.withhold_name,
        withhold_name_wording=data.withhold_name_wording if data.withhold_name else "",
        forward_replies=data.forward_replies,
        forward_replies_wording=data.forward_replies_wording if data.forward_replies else "",
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
            action = _create(campaign, fields, status)
    except IntegrityError:
        # The partial unique index on (campaign, email_hash) decided: this mailbox already holds a place.
        action = _take_pending_place(campaign, fields, status) or Action.objects.create(status=Action.Status.DUPLICATE, **fields)
    # For /metrics' actions/s: counted once the action is stored for good (a caller's transaction may enclose this one).
    transaction.on_commit(partial(increment, ACTIONS, action.status))
    return action


def _create(campaign: Campaign, fields: dict[str, Any], status: str) -> Action:
    action = Action.objects.create(status=status, **fields)
    if status == Action.Status.COUNTED:
        count_actions(campaign=campaign, actions=[action], via=CountedVia.TAKEN)
    elif status == Action.Status.UNCONFIRMED:
        confirmation_requested.send(sender=Action, action=action)
    return action


SIGNED_FIELDS = ("first_name", "last_name", "country", "letter_text", "target_ids", "withhold_name", "forward_replies")


def _same_words(action: Action, fields: dict[str, Any]) -> bool:
    return all(getattr(action, name) == fields[name] for name in SIGNED_FIELDS)


def _take_pending_place(campaign: Campaign, fields: dict[str, Any], status: str) -> Action | None:
    """Nobody acts in someone else's name: a place held by an action that is only unconfirmed or held was
    perhaps taken by someone else with this address, and never blocks its owner. The later action takes
    the place (the earlier one becomes a duplicate, its confirmation link then confirms nothing), so what
    counts, and what a confirmation email quotes, is what the latest sender wrote. None if the place is
    counted (an ordinary duplicate) or was taken meanwhile by a concurrent action."""
    try:
        with transaction.atomic():
            pending = Action.objects.select_for_update().filter(
                campaign=campaign, email_hash=fields["email_hash"], status__in=Action.PENDING_STATUSES,
            ).first()
            if pending is None or (status == pending.status == Action.Status.UNCONFIRMED and _same_words(pending, fields)):
                # The same letter sent twice (a double click) waits for the confirmation already on its way.
                return None
            Action.objects.filter(pk=pending.pk).update(status=Action.Status.DUPLICATE)
            return _create(campaign, fields, status)
    except IntegrityError:
        return None


def confirm_action(action: Action) -> bool:
    """Count an unconfirmed action and queue its letters. Idempotent: True only the first time."""
    confirmed = start_counting(
        Action.objects.filter(pk=action.pk), campaign=action.campaign, from_status=Action.Status.UNCONFIRMED,
        via=CountedVia.CONFIRMED,
    )
    if confirmed:
        action.refresh_from_db()
    return bool(confirmed)


# The one path by which actions start or stop counting. Taking, confirming, releasing held actions and
# undoing a wave count through count_actions; invalidating, rejecting and erasing go through
# uncount_actions. The apps above hear of it through signals (outcry/actions/signals.py).

def count_actions(*, campaign: Campaign, actions: Sequence[Action], via: CountedVia) -> int:
    """Call inside the transaction that has just made these actions COUNTED (their rows already say so).

    Delivery owes their letters, reports recounts, integrations owes the `action.counted` webhooks; the
    counter goes last, since its row stays locked until COMMIT (counting.py).
    """
    if not actions:
        return 0
    actions_counted.send(sender=Action, campaign=campaign, actions=list(actions), via=via)
    counting.add_to_count(campaign.pk, len(actions))
    return len(actions)


def uncount_actions(*, campaign: Campaign, action_ids: Sequence[int], counted: int, because: UncountedBecause) -> None:
    """Call inside the transaction that has just taken these actions out of the live statuses, or erased
    them. `counted` of them counted until now and leave the counter (erased ones keep their status, so 0).

    Integrations owes the `action.uncounted` webhooks with the reason; reports recounts. Letters not yet
    sent are cancelled by the delivery worker, which sends only for counted actions.
    """
    if not action_ids:
        return
    actions_uncounted.send(sender=Action, campaign=campaign, action_ids=list(action_ids), because=because)
    if counted:
        counting.add_to_count(campaign.pk, -counted)


def start_counting(actions: QuerySet[Action], *, campaign: Campaign, from_status: str, via: CountedVia) -> int:
    """Those of these actions (of one campaign) still in `from_status` start counting. Returns how many.

    The rows are locked first, so two reviewers or two clicks at once count each action once.
    """
    chosen = list(actions.filter(campaign=campaign, status=from_status).values_list("pk", flat=True))
    with transaction.atomic():
        locked = Action.objects.filter(pk__in=chosen, status=from_status)
        if from_status == Action.Status.UNCONFIRMED:
            # Checked again under the lock: a supporter erased while they clicked Confirm does not come to count.
            locked = locked.filter(erased_at__isnull=True)
        ids = list(locked.select_for_update().values_list("pk", flat=True))
        Action.objects.filter(pk__in=ids).update(status=Action.Status.COUNTED, confirmed_at=timezone.now())
        return count_actions(campaign=campaign, actions=list(Action.objects.filter(pk__in=ids)), via=via)


def merge_identities(model: type[Action] = Action, *, notify: bool = True) -> int:
    """Recompute the hash of every address still held with today's normalise_email, and merge the
    mailboxes that now act more than once on a campaign: the first counted action (else the first)
    keeps the place, the others become duplicates. Returns how many became duplicates. Idempotent.

    One transaction per campaign, so the counter drops in the same commit as the statuses. `model` and
    `notify=False` are for the data migration, which runs on the historical model and corrects the
    counter alone (no webhooks, no recount: those apps' tables may be older than their code).
    """
    merged = 0
    campaign_ids = list(model.objects.order_by().values_list("campaign_id", flat=True).distinct())
    for campaign_id in campaign_ids:
        with transaction.atomic():
            rows = list(
                model.objects.filter(campaign_id=campaign_id).select_for_update().order_by("created_at", "pk")
                .values_list("pk", "email", "email_hash", "status")
            )
            # Erased actions have no address left: they keep their hash, and their place if they hold one.
            new_hash = {pk: hash_email(email) if email else old for pk, email, old, _status in rows}
            holders: dict[str, list[tuple[int, str]]] = defaultdict(list)
            for pk, _email, _old, status in rows:
                if status in Action.ACTIVE_STATUSES:
                    holders[new_hash[pk]].append((pk, status))
            losers: list[tuple[int, str]] = []
            for group in holders.values():
                keep = next((row for row in group if row[1] == Action.Status.COUNTED), group[0])
                losers += [row for row in group if row is not keep]
            loser_ids = [pk for pk, _status in losers]
            # Statuses first: the partial unique index would refuse a second holder of one hash. modified_at
            # by hand: the historical model's manager does not move it (ActionQuerySet.update does).
            model.objects.filter(pk__in=loser_ids).update(status=Action.Status.DUPLICATE, modified_at=timezone.now())
            changed = [model(pk=pk, email_hash=new_hash[pk]) for pk, _e, old, _s in rows if new_hash[pk] != old]
            model.objects.bulk_update(changed, ["email_hash"], batch_size=500)
            counted = sum(1 for _pk, status in losers if status == Action.Status.COUNTED)
            if notify and loser_ids:
                uncount_actions(
                    campaign=Campaign.objects.get(pk=campaign_id), action_ids=loser_ids, counted=counted,
                    because=UncountedBecause.DUPLICATE,
                )
            elif counted:
                counting.add_to_count(campaign_id, -counted)
            merged += len(loser_ids)
    return merged
