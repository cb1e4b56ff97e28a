from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outcry.campaigns.models import Campaign


def new_referral_code() -> str:
    return secrets.token_urlsafe(6)


class ActionQuerySet(models.QuerySet["Action"]):
    def counted(self) -> ActionQuerySet:
        return self.filter(status=Action.Status.COUNTED)

    def signers(self) -> ActionQuerySet:
        """Counted actions whose supporter is still known: the names handed in, the people updates reach."""
        return self.filter(status=Action.Status.COUNTED, erased_at__isnull=True)

    def active(self) -> ActionQuerySet:
        """Actions that hold their campaign's one place for an email address."""
        return self.filter(status__in=Action.ACTIVE_STATUSES)

    def update(self, **kwargs: object) -> int:
        # Every change a CRM syncs (counting, invalidation, confirmation, erasure, unsubscribing) goes through
        # a service's update() or a save(): both move modified_at, so the OSDI modified_since filter sees it
        # whichever path made the change.
        kwargs.setdefault("modified_at", timezone.now())
        return super().update(**kwargs)


class Action(models.Model):
    """One supporter acting on one campaign. Personal fields are blanked by erasure; the row stays counted."""

    class Status(models.TextChoices):
        COUNTED = "counted", _("Counted")
        UNCONFIRMED = "unconfirmed", _("Waiting for email confirmation")
        HELD = "held", _("Held for review")
        DUPLICATE = "duplicate", _("Duplicate email")
        EXPIRED = "expired", _("Unconfirmed and expired")
        INVALID = "invalid", _("Invalidated")

    class Source(models.TextChoices):
        DIRECT = "direct", _("Direct")
        FACEBOOK = "facebook", "Facebook"
        X = "x", "X"
        WHATSAPP = "whatsapp", "WhatsApp"
        TELEGRAM = "telegram", "Telegram"
        EMAIL = "email", _("Email")
        COPY = "copy", _("Copied link")
        NATIVE = "native", _("Phone share")
        EMBED = "embed", _("Embedded counter")

    # Statuses that hold the campaign's one place for an email: a second action with that email is a duplicate.
    ACTIVE_STATUSES = (Status.COUNTED, Status.UNCONFIRMED, Status.HELD)
    # Of those, the ones a later action by the same address replaces (actions/services.py _take_pending_place).
    PENDING_STATUSES = (Status.UNCONFIRMED, Status.HELD)

    # Indexed through the (campaign, …) indexes in Meta: every index is one more page an action writes.
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="actions", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    modified_at = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.COUNTED)

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), max_length=254)
    email_hash = models.CharField(max_length=64, help_text=_("Keyed hash of the normalised email, for deduplication."))
    email_domain = models.CharField(max_length=253, blank=True)
    country = models.CharField(_("country"), max_length=2)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    letter_text = models.TextField(_("personalised letter"), blank=True)
    # The targets the supporter chose (ids), where the campaign lets them; empty: every target that applies.
    target_ids = models.JSONField(_("chosen targets"), default=list, blank=True)

    consent_updates = models.BooleanField(_("wants updates"), default=False)
    consent_wording = models.TextField(_("consent wording shown"), blank=True)
    # Set by the unsubscribe link in an update (for this campaign, or for the whole organisation).
    unsubscribed_at = models.DateTimeField(_("unsubscribed from updates at"), null=True, blank=True)
    withhold_name = models.BooleanField(_("name withheld from the target"), default=False)
    withhold_name_wording = models.TextField(_("withhold wording shown"), blank=True)
    forward_replies = models.BooleanField(_("forward the targets' replies"), default=False)
    forward_replies_wording = models.TextField(_("forwarding wording shown"), blank=True)

    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.DIRECT)
    referral_code = models.CharField(max_length=16, default=new_referral_code, help_text=_("This supporter's own share code."))
    referred_by = models.CharField(_("referred by code"), max_length=16, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)

    ip_hash = models.CharField(max_length=64, blank=True)
    passed_challenge = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "email_hash"],
                condition=Q(status__in=["counted", "unconfirmed", "held"]),
                name="one_active_action_per_email",
            ),
            # A constraint rather than unique=True, which on PostgreSQL adds a second (LIKE) index.
            models.UniqueConstraint(fields=["referral_code"], name="one_action_per_referral_code"),
        ]
        # Every query by IP hash, email domain or referral is within one campaign and a time window
        # (outcry/safety/velocity.py), so (campaign, created_at) serves them; an index per column would
        # cost each action a write to a random page of it, and the action POST is the hot path.
        indexes = [
            models.Index(fields=["campaign", "created_at"]),
            models.Index(fields=["campaign", "status"]),
            # The OSDI signatures endpoint's modified_since: a CRM's sync reads only what changed. Appends at
            # the index's end like created_at's, since a new action's modified_at is now.
            models.Index(fields=["campaign", "modified_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_counted(self) -> bool:
        return self.status == self.Status.COUNTED


class CountShard(models.Model):
    """The campaign's count, spread over a few rows so concurrent actions don't queue on one hot row."""

    class Metric(models.TextChoices):
        ACTIONS = "actions", _("Counted actions")
        MESSAGES_SENT = "messages_sent", _("Letters sent")
        # Clicks on the thank-you page's next ask (campaigns.views.follow_up).
        FOLLOW_UPS = "follow_ups", _("Clicks on the next step")
        # Views of the thank-you page, the denominator of each share channel's conversion.
        THANKS_VIEWS = "thanks_views", _("Thank-you page views")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="count_shards")
    metric = models.CharField(max_length=16, choices=Metric.choices, default=Metric.ACTIONS)
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "metric", "shard"], name="one_row_per_shard")]


class Unsubscribe(models.Model):
    """A supporter who asked for no more updates from any of an organisation's campaigns.

    Keyed by the email's keyed hash, so it outlives the actions it came from (and their erasure).
    Stopping one campaign's updates is Action.unsubscribed_at instead.
    """

    organisation = models.ForeignKey("campaigns.Organisation", on_delete=models.CASCADE, related_name="unsubscribes")
    email_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "email_hash"], name="one_unsubscribe_per_email")]
        verbose_name = _("unsubscribe")
        verbose_name_plural = _("unsubscribes")

    def __str__(self) -> str:
        return f"{self.organisation} #{self.pk}"
