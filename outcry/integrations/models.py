from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outcry.actions.models import Action
from outcry.campaigns.models import Organisation
from outcry.lib.outbox import CircuitFields, Leased


class ApiToken(models.Model):
    """An organisation's key to its own data in the API. Only a SHA-256 of the token is kept.

    Tokens are 256 random bits, so a plain hash is enough: there is nothing to guess.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("organisation"))
    name = models.CharField(_("name"), max_length=100, help_text=_("What uses it, e.g. \"CRM sync\"."))
    prefix = models.CharField(_("starts with"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Webhook(CircuitFields):
    """A URL of the organisation's that receives every counted action as signed JSON.

    The signing secret is not stored: it is derived from secret_salt with the server's
    OUTCRY_HASH_KEY (outcry.integrations.services.webhook_secret), so a copy of the
    database alone cannot forge or read it, and the worker can still sign.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("organisation"))
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500, help_text=_("Receives a POST for every counted action."))
    active = models.BooleanField(_("active"), default=True)
    secret_salt = models.CharField(max_length=64, editable=False)
    secret_prefix = models.CharField(_("secret starts with"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(Leased):
    """One action owed to one webhook: retried with backoff until it is answered 2xx or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        RETRYING = "retrying", _("Will retry")
        FAILED = "failed", _("Gave up")

    class Event(models.TextChoices):
        COUNTED = "action.counted", _("The action counts")
        UNCOUNTED = "action.uncounted", _("The action no longer counts")

    class Reason(models.TextChoices):
        # The values are outcry.actions.signals.UncountedBecause's.
        INVALIDATED = "invalidated", _("Invalidated")
        REJECTED = "rejected", _("Rejected in review")
        ERASED = "erased", _("Personal data erased")
        DUPLICATE = "duplicate", _("Another spelling of an address that had acted")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook"))
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="webhook_deliveries")
    event = models.CharField(_("event"), max_length=20, choices=Event.choices, default=Event.COUNTED)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_try_at = models.DateTimeField(_("next try"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_try_at"])]

    def __str__(self) -> str:
        return f"{self.webhook} ← {self.event} {self.action_id}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("at"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("took (ms)"), default=0)

    class Meta:
        ordering = ["at"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
