from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, Target


class Message(models.Model):
    """One email Outcry owes someone: a letter to a target, a digest, or a supporter's receipt."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("Letter")
        DIGEST = "digest", _("Digest")
        RECEIPT = "receipt", _("Receipt")
        CONFIRM = "confirm", _("Confirmation request")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DEFERRED = "deferred", _("Deferred")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="messages")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="messages", null=True, blank=True)
    target = models.ForeignKey(Target, on_delete=models.SET_NULL, related_name="messages", null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LETTER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["status", "next_try_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class OutboxEmail(models.Model):
    """An email kept instead of sent, when no SMTP server is configured (EMAIL_URL unset)."""

    created_at = models.DateTimeField(auto_now_add=True)
    subject = models.CharField(max_length=500)
    from_email = models.CharField(max_length=500)
    to = models.TextField()
    raw = models.TextField(help_text=_("The whole message as it would have gone over SMTP."))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbox email")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return self.subject


class ScheduledJob(models.Model):
    """When a scheduled task (outcry.scheduling) may next be enqueued; the row is the cross-worker lock."""

    name = models.CharField(max_length=200, primary_key=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
