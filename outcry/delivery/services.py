from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.actions.signals import CountedVia
from outcry.campaigns.models import Campaign, Target
from outcry.delivery import inbound
from outcry.delivery.addresses import BOUNCE, find_token, parse_address
from outcry.delivery.models import SUPPORTER_KINDS, Message, Response, ResponseAttachment

logger = logging.getLogger(__name__)

DIGEST_PERIODS = {Campaign.DigestPeriod.HOURLY: timedelta(hours=1), Campaign.DigestPeriod.DAILY: timedelta(days=1)}
# A supporter may ask for a fresh confirmation link this often, and this many times in all.
RESEND_INTERVAL = timedelta(minutes=2)
MAX_CONFIRM_EMAILS = 5


def queue_letters(action: Action) -> list[Message]:
    """The messages a counted action owes: one letter per target that applies to the supporter (their country,
    their choice) and has an address, and the supporter's receipt.

    Call inside the action's transaction, so they exist exactly when the action counts.
    """
    campaign: Campaign = action.campaign
    messages = []
    if campaign.sends_letters:
        digest = campaign.delivery_mode == Campaign.DeliveryMode.DIGEST
        messages += [
            Message(
                campaign=campaign, action=action, target=target, kind=Message.Kind.LETTER,
                status=Message.Status.BATCHED if digest else Message.Status.PENDING,
                last_error="Digest mode: goes in the target's next digest." if digest else "",
            )
            for target in campaign.targets_for(action.country, action.target_ids)
            if target.email
        ]
    messages.append(Message(campaign=campaign, action=action, kind=Message.Kind.RECEIPT))
    return Message.objects.bulk_create(messages)


def owe_letters(sender: type, *, actions: list[Action], via: CountedVia, **kwargs: object) -> None:
    """actions_counted receiver, inside the transaction that made them count: their letters and receipts,
    and the task that sends them.

    The task is a row in the same database (django-tasks-db), so it commits or rolls back with the
    actions (the rule in outcry/jobs/scheduling.py). The periodic sweep still sends anything a lost task
    left behind.
    """
    from outcry.delivery.tasks import send_action_messages, send_due_messages

    if via == CountedVia.RESTORED:
        # Restored from an invalidated wave: they kept their letters, which the worker sends once they count.
        return
    for action in actions:
        queue_letters(action)
    if len(actions) == 1:
        send_action_messages.enqueue(actions[0].pk)
    else:
        send_due_messages.enqueue()


def owe_confirmation_request(sender: type, *, action: Action, again: bool = False, **kwargs: object) -> bool:
    """confirmation_requested receiver, inside the action's transaction: the email with the link, and its
    task. Asked again (the supporter's resend), at most MAX_CONFIRM_EMAILS in all and one per RESEND_INTERVAL."""
    from outcry.delivery.tasks import send_action_messages

    if again:
        earlier = Message.objects.filter(action=action, kind=Message.Kind.CONFIRM)
        if earlier.count() >= MAX_CONFIRM_EMAILS or earlier.filter(created_at__gt=timezone.now() - RESEND_INTERVAL).exists():
            return False
    Message.objects.create(campaign_id=action.campaign_id, action=action, kind=Message.Kind.CONFIRM)
    send_action_messages.enqueue(action.pk)
    return True


def cancel_confirmation_requests(sender: type, *, action_ids: list[int], **kwargs: object) -> None:
    """confirmations_expired receiver: their unsent confirmation emails are cancelled."""
    Message.objects.filter(
        action_id__in=action_ids, kind=Message.Kind.CONFIRM, status__in=Message.SENDABLE
    ).update(status=Message.Status.CANCELLED, last_error="The action expired unconfirmed.")


def owe_email(*, kind: Message.Kind, recipient: str = "", language: str = "", campaign: Campaign | None = None) -> Message:
    """An email to someone who is neither a target nor an action's supporter (the your-data link, a warning
    to a campaign's staff): a row in the outbox and its task, which commit together with the caller's
    transaction. No SMTP in the request."""
    from outcry.delivery.tasks import send_message

    with transaction.atomic():
        message = Message.objects.create(kind=kind, recipient=recipient, language=language, campaign=campaign)
        send_message.enqueue(message.pk)
    return message


# Digests ------------------------------------------------------------------------------------------------

def make_digest(campaign: Campaign, target_id: int, now: datetime) -> Message | None:
    """Gather a target's waiting letters into one digest, unless it had one less than a period ago."""
    period = DIGEST_PERIODS.get(Campaign.DigestPeriod(campaign.digest_period), DIGEST_PERIODS[Campaign.DigestPeriod.DAILY])
    waiting = Message.objects.filter(
        campaign=campaign, target_id=target_id, kind=Message.Kind.LETTER, status=Message.Status.BATCHED, digest__isnull=True,
    )
    with transaction.atomic():
        # One digest job at a time per target, so two overlapping runs cannot both send one this period.
        if Target.objects.select_for_update().filter(pk=target_id).first() is None:
            return None
        waiting.exclude(action__status=Action.Status.COUNTED).update(
            status=Message.Status.CANCELLED, last_error="The action no longer counts."
        )
        last = (
            Message.objects.filter(campaign=campaign, target_id=target_id, kind=Message.Kind.DIGEST)
            .order_by("-created_at").values_list("created_at", flat=True).first()
        )
        if last is not None and last > now - period:
            return None
        digest = Message.objects.create(campaign=campaign, target_id=target_id, kind=Message.Kind.DIGEST)
        carried = waiting.update(digest=digest, last_error=f"In digest #{digest.pk}.")
        if not carried:
            transaction.set_rollback(True)
            return None
    return digest


def make_digests(now: datetime | None = None) -> list[Message]:
    now = now or timezone.now()
    pairs = (
        Message.objects.filter(
            kind=Message.Kind.LETTER, status=Message.Status.BATCHED, digest__isnull=True, target__isnull=False
        )
        .order_by().values_list("campaign_id", "target_id").distinct()
    )
    campaigns = Campaign.objects.in_bulk({campaign_id for campaign_id, _ in pairs})
    made = [make_digest(campaigns[campaign_id], target_id, now) for campaign_id, target_id in pairs]
    return [digest for digest in made if digest is not None]


def retry_now(messages: list[Message]) -> int:
    """The admin's "retry now": failed or deferred messages go back to pending."""
    return Message.objects.filter(
        pk__in=[m.pk for m in messages], status__in=[Message.Status.FAILED, Message.Status.DEFERRED]
    ).update(status=Message.Status.PENDING, next_try_at=timezone.now(), last_error="Retry requested in the admin.")


# Replies and bounces (the inbound process, outcry/delivery/inbound.py) ---------------------------------

# A letter gets at most this many replies forwarded to its supporter: the reply address is the target's to
# use, but it is also in every copy of the letter, and nobody should be able to mail a supporter through it.
MAX_FORWARDS_PER_LETTER = 3


def receive_mail(raw: bytes, recipients: list[str]) -> None:
    """Store mail the inbound listener accepted: a DSN to a b- address marks its letter bounced, anything
    else to an r- address is a response. Mail arriving twice (a relay's retry) is stored twice."""
    named_by_recipient = {found for found in map(parse_address, recipients) if found is not None}
    statuses, returned = inbound.parse_dsn(raw) if named_by_recipient else ([], "")
    for kind, message_id in sorted(named_by_recipient):
        if statuses or kind == BOUNCE:
            if not statuses:
                logger.info("Mail to bounce address of message %s is no delivery report: ignored", message_id)
                continue
            # The envelope named the letter; with a plain letters@ sender the returned headers still do.
            named = (BOUNCE, message_id) if kind == BOUNCE else find_token(returned)
            if named:
                record_bounce(named[1], statuses)
            continue
        record_response(message_id, raw)


def record_response(message_id: int, raw: bytes) -> Response | None:
    letter = Message.objects.select_related("campaign", "target", "action").filter(
        pk=message_id, kind__in=[Message.Kind.LETTER, Message.Kind.DIGEST]
    ).first()
    if letter is None or letter.campaign is None:
        logger.info("Reply to message %s, which is no letter or digest: ignored", message_id)
        return None
    reply = inbound.parse_reply(raw)
    target = letter.target
    target_domain = (target.email.rpartition("@")[2].lower() if target and target.email else "")
    with transaction.atomic():
        response = Response.objects.create(
            campaign=letter.campaign, target=target, letter=letter, from_address=reply.from_address,
            from_target=bool(target_domain) and reply.from_address.lower().endswith("@" + target_domain),
            subject=reply.subject, text=reply.text, html=reply.html, size=len(raw),
            authentication_results=reply.authentication_results, auth=reply.auth,
            dropped_attachments=reply.dropped, automatic=reply.automatic,
        )
        ResponseAttachment.objects.bulk_create(
            ResponseAttachment(response=response, filename=a.filename, content_type=a.content_type, size=len(a.data), data=a.data)
            for a in reply.attachments
        )
        if _may_forward(letter, reply.automatic):
            forward = Message.objects.create(
                campaign=letter.campaign, action=letter.action, target=target, kind=Message.Kind.FORWARD
            )
            Response.objects.filter(pk=response.pk).update(forward=forward)
            transaction.on_commit(lambda: _enqueue_send(letter.action_id))
    logger.info("Response %s stored for message %s", response.pk, message_id)
    return response


def _may_forward(letter: Message, automatic: bool) -> bool:
    action = letter.action
    if automatic or action is None or not action.forward_replies or action.erased_at or not action.email:
        return False
    return Response.objects.filter(letter=letter, forward__isnull=False).count() < MAX_FORWARDS_PER_LETTER


def _enqueue_send(action_id: int | None) -> None:
    from outcry.delivery.tasks import send_action_messages, send_due_messages

    if action_id is None:
        send_due_messages.enqueue()
    else:
        send_action_messages.enqueue(action_id)


def record_bounce(message_id: int, statuses: list[inbound.Status]) -> int:
    """A hard bounce marks the letter (or each letter of the digest) bounced with the reason, and takes it
    off the letters-sent count; a delay or success report changes nothing. Idempotent. Returns how many
    letters were marked."""
    hard = next((s for s in statuses if s.hard), None)
    if hard is None:
        return 0
    message = Message.objects.select_related("target", "campaign").filter(pk=message_id).first()
    if message is None:
        return 0
    reason = f"Bounced: {hard.status} {hard.diagnostic}".strip()[:2000]
    if message.kind in SUPPORTER_KINDS:
        # A supporter's own address returned mail: the message is marked, and bounced_supporters() keeps
        # the address out of later updates. Nothing counts against the campaign.
        Message.objects.filter(pk=message.pk, status=Message.Status.SENT).update(
            status=Message.Status.BOUNCED, last_error=reason
        )
        logger.info("Message %s to a supporter bounced (%s)", message.pk, hard.status)
        return 0
    if message.kind not in (Message.Kind.LETTER, Message.Kind.DIGEST):
        return 0
    with transaction.atomic():
        marked = Message.objects.filter(pk=message.pk, status=Message.Status.SENT).update(
            status=Message.Status.BOUNCED, last_error=reason
        )
        letters = marked if message.kind == Message.Kind.LETTER else 0
        if marked and message.kind == Message.Kind.DIGEST:
            letters = Message.objects.filter(digest=message, status=Message.Status.SENT).update(
                status=Message.Status.BOUNCED, last_error=f"Its digest bounced: {reason}"
            )
        if letters and message.campaign_id is not None:
            counting.add_to_count(message.campaign_id, -letters, counting.Metric.MESSAGES_SENT)
        if marked and message.target is not None and message.campaign is not None:
            _check_failing(message.campaign, message.target)
    logger.info("Message %s bounced (%s)", message.pk, hard.status)
    return letters


def _check_failing(campaign: Campaign, target: Target) -> None:
    """Inside record_bounce's transaction: after OUTCRY_BOUNCES_TO_FAIL hard bounces, mark the address
    failing and warn the campaign's staff, once."""
    bounced = Message.objects.filter(
        target=target, kind__in=[Message.Kind.LETTER, Message.Kind.DIGEST], status=Message.Status.BOUNCED,
        digest__isnull=True,
    ).count()
    if bounced < settings.OUTCRY_BOUNCES_TO_FAIL:
        return
    if not Target.objects.filter(pk=target.pk, email_failing_since__isnull=True).update(email_failing_since=timezone.now()):
        return  # already marked: the staff were told
    Message.objects.create(campaign=campaign, target=target, kind=Message.Kind.ALERT)
    transaction.on_commit(lambda: _enqueue_send(None))


def publish_response(response: Response, *, published: bool, public_text: str) -> Response:
    """Show a reply on its campaign page (or take it off), with its own words or the campaigners' summary."""
    from outcry.lib.shared_cache import bump_campaign_version

    response.published = published
    response.public_text = public_text.strip()
    if published and response.published_at is None:
        response.published_at = timezone.now()
    response.save(update_fields=["published", "public_text", "published_at"])
    # Cached pages show the change at once in this process and within a second in the others.
    transaction.on_commit(lambda: bump_campaign_version([response.campaign.slug]))
    return response
