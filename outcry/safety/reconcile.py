"""Counters that repair themselves. Every live campaign's counter rows (outcry/actions/counting.py) are
compared on a schedule with its counted actions, and a drift is repaired in one transaction, recorded in
the audit log and told to the campaign's staff.

Incremental, so it stays cheap at 10 M actions: the counted actions are kept per block of BLOCK ids
(CountCheckBlock), and a run recounts only the blocks holding an action modified since the last run
(Action.modified_at moves on every status change; MARGIN covers transactions that committed late) plus
the new ones. Only when the sum disagrees with the counter does it recount every block before repairing,
so a repair never rests on a stale block. The comparison reads one snapshot (REPEATABLE READ on
PostgreSQL; SQLite's transactions are serialisable): the counter and the actions change in the same
transactions, so in one snapshot they must agree. An action committing meanwhile on the shard being
repaired makes PostgreSQL refuse the repair, which the next run retries.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import OperationalError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.delivery.emails import Undeliverable, one_line, platform_address
from outcry.delivery.models import Message
from outcry.safety.models import AuditEntry, CountCheck, CountCheckBlock

logger = logging.getLogger(__name__)
BLOCK = 100_000
MARGIN = timedelta(minutes=10)


def _recount_blocks(campaign: Campaign, blocks: set[int] | None) -> None:
    """Store the counted actions of these blocks (None: all of them)."""
    counted = Action.objects.filter(campaign=campaign, status=Action.Status.COUNTED)
    if blocks is not None:
        if not blocks:
            return
        ranges = Q()
        for block in blocks:
            ranges |= Q(id__gte=block * BLOCK, id__lt=(block + 1) * BLOCK)
        counted = counted.filter(ranges)
    found = dict(counted.annotate(block=F("id") / BLOCK).values("block").annotate(n=Count("id")).values_list("block", "n").order_by())
    stale = CountCheckBlock.objects.filter(campaign=campaign)
    if blocks is not None:
        stale = stale.filter(block__in=blocks)
    stale.exclude(block__in=list(found)).delete()
    for block, n in found.items():
        CountCheckBlock.objects.update_or_create(campaign=campaign, block=block, defaults={"counted": n})


def _expected(campaign: Campaign) -> int:
    return CountCheckBlock.objects.filter(campaign=campaign).aggregate(n=Sum("counted"))["n"] or 0


def reconcile_campaign(campaign: Campaign) -> int:
    """Check one campaign's counter; repair it if it drifted. Returns the correction (0: it was right)."""
    started = timezone.now()
    outer = connection.in_atomic_block
    with transaction.atomic():
        # Only as the transaction's first statement (a caller's transaction, as in tests, keeps its own level).
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        check, _created = CountCheck.objects.select_for_update().get_or_create(campaign=campaign)
        if check.checked_at is None:
            _recount_blocks(campaign, None)
        else:
            modified = Action.objects.filter(campaign=campaign, modified_at__gte=check.checked_at - MARGIN)
            _recount_blocks(campaign, set(modified.annotate(block=F("id") / BLOCK).values_list("block", flat=True).distinct().order_by()))
        expected = _expected(campaign)
        counter = counting.get_count(campaign.pk, cached=False)
        drift = 0
        if expected != counter:
            _recount_blocks(campaign, None)
            expected = _expected(campaign)
            drift = expected - counter
        if drift:
            counting.add_to_count(campaign.pk, drift)
            AuditEntry.objects.create(
                kind=AuditEntry.Kind.REPAIR, campaign=campaign, actor_label="reconciliation", count_change=drift,
                reason=f"The counter said {counter}; {expected} actions are counted.",
            )
            _warn_staff(campaign)
        check.checked_at = started
        check.save(update_fields=["checked_at"])
    if drift:
        logger.warning("Counter of campaign %s drifted by %+d and was repaired.", campaign.pk, drift)
        counting.forget_cached_count(campaign.pk)
    return drift


def reconcile_counts() -> dict[int, int]:
    """The scheduled job: every live campaign, each in its own transaction. Returns the repairs made."""
    repaired = {}
    for campaign in Campaign.objects.filter(status=Campaign.Status.LIVE):
        try:
            drift = reconcile_campaign(campaign)
        except OperationalError:
            # A concurrent action on the shard being repaired (PostgreSQL's serialisation failure): next run.
            logger.info("Counter check of campaign %s deferred by a concurrent change.", campaign.pk)
            continue
        if drift:
            repaired[campaign.pk] = drift
    return repaired


def _warn_staff(campaign: Campaign) -> None:
    """Call inside the repair's transaction: the email is owed only if the repair commits."""
    from outcry.delivery.tasks import send_message

    message = Message.objects.create(campaign=campaign, kind=Message.Kind.COUNT_REPAIRED)
    send_message.enqueue(message.pk)


def build_count_repaired(message: Message) -> EmailMessage:
    campaign = message.campaign
    staff = [user.email for user in campaign.organisation.staff.filter(is_active=True) if user.email] if campaign else []
    entry = AuditEntry.objects.filter(campaign=campaign, kind=AuditEntry.Kind.REPAIR).order_by("-created_at").first()
    if campaign is None or entry is None or not staff:
        raise Undeliverable("no campaign, no repair recorded, or no staff with an email address")
    with translation.override(campaign.language):
        subject = one_line(_("The count of “%(title)s” was corrected") % {"title": campaign.title})
        body = _(
            "Outcry's scheduled check found that the counter of “%(title)s” did not match the actions counted, "
            "and corrected it by %(change)+d. %(reason)s\n\nThe correction is in the audit log: %(url)s\n\n"
            "A drift means something wrote to the counter outside the counting path; please tell whoever runs your Outcry."
        ) % {"title": campaign.title, "change": entry.count_change, "reason": entry.reason,
             "url": f"{settings.SITE_URL}/admin/safety/auditentry/?campaign__id__exact={campaign.pk}"}
    return EmailMessage(
        subject=subject, body=body, from_email=str(platform_address("Outcry", "noreply")), to=staff,
        headers={"Message-ID": message.message_id, "Auto-Submitted": "auto-generated"},
    )
