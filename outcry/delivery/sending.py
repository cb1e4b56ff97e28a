from __future__ import annotations

from django.core.mail import EmailMessage, mailers
from django.db.models import Q
from django.utils import timezone

from outcry.delivery.models import Message


def claim(message_id: int) -> bool:
    """Only the process whose conditional UPDATE matched may send this message."""
    return bool(
        Message.objects.filter(pk=message_id, status__in=[Message.Status.PENDING, Message.Status.DEFERRED])
        .update(status=Message.Status.SENDING, claimed_at=timezone.now(), attempts=models_F_attempts())
    )


def models_F_attempts():
    from django.db.models import F

    return F("attempts") + 1


def build_letter(message: Message) -> EmailMessage:
    action, campaign, target = message.action, message.campaign, message.target
    body = "\n\n".join([campaign.letter_salutation, action.letter_text or campaign.letter_body, campaign.letter_signoff, action.full_name])
    return EmailMessage(
        subject=campaign.letter_subject or campaign.title,
        body=body,
        from_email=f"{action.full_name} via {campaign.organisation.name} <letters@outcry.example.org>",
        to=[target.email],
        reply_to=[action.email],
    )


def send_due(limit: int = 100) -> int:
    due = Message.objects.filter(
        Q(status=Message.Status.PENDING) | Q(status=Message.Status.DEFERRED), next_try_at__lte=timezone.now()
    ).values_list("pk", flat=True)[:limit]
    sent = 0
    for message_id in list(due):
        if not claim(message_id):
            continue
        message = Message.objects.select_related("action", "campaign__organisation", "target").get(pk=message_id)
        mailers.default.send_messages([build_letter(message)])
        Message.objects.filter(pk=message_id).update(status=Message.Status.SENT, sent_at=timezone.now())
        sent += 1
    return sent
