from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.delivery.models import Message
from outcry.lib.netlists import parse_domains, parse_networks


class Flag(models.Model):
    """Why an action was held for review instead of counted at once."""

    class Reason(models.TextChoices):
        NO_CHALLENGE = "no_challenge", _("No proof of work (JavaScript off or blocked)")
        BAD_CHALLENGE = "bad_challenge", _("Proof of work wrong, expired or reused")
        TOO_FAST = "too_fast", _("Form filled faster than a person can")
        DISPOSABLE = "disposable", _("Disposable email address")
        LOOKALIKE = "lookalike", _("Email domain that mixes scripts to look like another")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [models.UniqueConstraint(fields=["action", "reason"], name="one_flag_per_reason")]

    def __str__(self) -> str:
        return self.get_reason_display()


class HeldAction(Action):
    """Actions waiting for a campaigner's review, as their own admin list."""

    class Meta:
        proxy = True
        verbose_name = _("held action")
        verbose_name_plural = _("held actions")


class Wave(models.Model):
    """A burst of actions invalidated together, kept so the invalidation can be audited and undone."""

    class Dimension(models.TextChoices):
        IP_HASH = "ip_hash", _("IP address (hashed)")
        EMAIL_DOMAIN = "email_domain", _("Email domain")
        COUNTRY = "country", _("Country")
        REFERRAL = "referred_by", _("Referral code")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="waves", verbose_name=_("campaign"))
    dimension = models.CharField(_("grouped by"), max_length=16, choices=Dimension.choices)
    value = models.CharField(_("value"), max_length=253)
    since = models.DateTimeField(_("from"))
    until = models.DateTimeField(_("until"))
    # {action id: status before invalidation}, so undo restores each action exactly.
    previous_statuses = models.JSONField(default=dict)
    actions_invalidated = models.PositiveIntegerField(_("actions invalidated"), default=0)
    counted_removed = models.PositiveIntegerField(_("removed from the count"), default=0)
    reason = models.TextField(_("why"))
    created_at = models.DateTimeField(_("invalidated at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invalidated by"))
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("undone by"))
    undo_reason = models.TextField(_("why undone"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invalidated wave")
        verbose_name_plural = _("invalidated waves")

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} {self.value[:16]} ({self.actions_invalidated})"


class WaveAlert(models.Model):
    """A burst the scheduled velocity job found (outcry/safety/services.py alert_new_waves), kept so the
    campaign's staff are emailed once per wave: a burst seen again while it lasts is the same wave."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="wave_alerts", verbose_name=_("campaign"))
    dimension = models.CharField(_("grouped by"), max_length=16, choices=Wave.Dimension.choices)
    value = models.CharField(_("value"), max_length=253)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    actions = models.PositiveIntegerField(_("actions in the window (most seen)"))
    usual = models.FloatField(_("usual actions per window"))
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-first_seen_at"]
        verbose_name = _("velocity alert")
        verbose_name_plural = _("velocity alerts")
        indexes = [models.Index(fields=["campaign", "dimension", "value", "last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} {self.value[:16]} ({self.actions})"


class AuditEntry(models.Model):
    """Who changed which actions' standing or personal data, when and why. Never holds personal data itself."""

    class Kind(models.TextChoices):
        INVALIDATE_WAVE = "invalidate", _("Wave invalidated")
        UNDO_WAVE = "undo", _("Invalidation undone")
        RELEASE = "release", _("Held actions counted")
        REJECT = "reject", _("Held actions rejected")
        ERASE = "erase", _("Personal data erased")
        RETENTION = "retention", _("Personal data anonymised by retention")
        EXPORT = "export", _("Personal data sent to the supporter")
        CONTROLS = "controls", _("Spike controls changed")
        REPAIR = "repair", _("Counter repaired")
        PUBLISH = "publish", _("Campaign went live")
        CLOSE = "close", _("Campaign closed")
        OPENING_BLOCKED = "blocked", _("Scheduled opening blocked")

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("what"), max_length=12, choices=Kind.choices)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries", verbose_name=_("campaign"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by"))
    actor_label = models.CharField(_("by (when not staff)"), max_length=100, blank=True)
    reason = models.TextField(_("why"), blank=True)
    actions_affected = models.PositiveIntegerField(_("actions"), default=0)
    count_change = models.IntegerField(_("change to the count"), default=0)
    wave = models.ForeignKey(Wave, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries")
    details = models.TextField(_("what changed"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.actions_affected})"


class LimitCounter(models.Model):
    """A rate-limit window's count or a replay marker, when there is no Redis (outcry/safety/ratelimit.py).

    Written only with single upsert statements, so concurrent processes add up exactly; rows past
    expires_at are dead and deleted by a scheduled task.
    """

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")

    def __str__(self) -> str:
        return self.key


validate_limit = RegexValidator(r"^[0-9]{1,9}/[1-9][0-9]{0,6}$", _("Write COUNT/SECONDS, for example 200/3600."))


def validate_networks(text: str) -> None:
    try:
        parse_networks(text)
    except ValueError as error:
        raise ValidationError(_("Not a network or an address: %(line)s"), params={"line": str(error)}) from None


def validate_domains(text: str) -> None:
    try:
        parse_domains(text)
    except ValueError as error:
        raise ValidationError(_("Not an email domain: %(line)s"), params={"line": str(error)}) from None


class CampaignControls(models.Model):
    """A campaign's own screening rules, changed by its staff during a spike without a redeploy.

    Read on every POST only through outcry.safety.controls.controls_for (cached for a few seconds) and
    written only through outcry.safety.controls.save_controls, which audits each change.
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, primary_key=True, related_name="controls", verbose_name=_("campaign"))
    ip_limit = models.CharField(
        _("actions per network"), max_length=20, blank=True, validators=[validate_limit],
        help_text=_("COUNT/SECONDS, e.g. 200/3600 for a street stall or campus behind one address. Empty: the site's default."),
    )
    domain_limit = models.CharField(
        _("actions per email domain"), max_length=20, blank=True, validators=[validate_limit],
        help_text=_("COUNT/SECONDS for one email domain on this campaign. Empty: the site's default."),
    )
    allowed_networks = models.TextField(
        _("allowed networks"), blank=True, validators=[validate_networks],
        help_text=_("One network per line (CIDR, e.g. 192.0.2.0/24): no per-network limit. Proof of work and email confirmation still apply."),
    )
    blocked_networks = models.TextField(_("blocked networks"), blank=True, validators=[validate_networks], help_text=_("One network per line (CIDR), or a wave's hashed network as the velocity alerts' Block button writes it (hash:…). Actions from them are refused."))
    blocked_domains = models.TextField(
        _("blocked email domains"), blank=True, validators=[validate_domains],
        help_text=_("One domain per line; its subdomains are blocked too. The supporter is asked for another address."),
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("changed by"))

    class Meta:
        verbose_name = _("spike controls")
        verbose_name_plural = _("spike controls")

    def __str__(self) -> str:
        return str(self.campaign)


class CountCheck(models.Model):
    """Where the scheduled reconciliation of a campaign's counter left off (outcry/safety/reconcile.py)."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.campaign} @ {self.checked_at}"


class CountCheckBlock(models.Model):
    """How many of a campaign's actions with ids in one block were counted at the last check."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    block = models.BigIntegerField()
    counted = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "block"], name="one_count_check_block")]

    def __str__(self) -> str:
        return f"{self.campaign} block {self.block}: {self.counted}"
