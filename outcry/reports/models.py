from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from outcry.campaigns.models import Campaign


class ActionRollup(models.Model):
    """How many actions of a campaign arrived in one hour, split along one dimension at a time.

    One row per (campaign, hour, dimension, value): a campaign of a million actions over a month is
    some tens of thousands of rows, so the dashboard reads these and never the actions table.
    The "status" dimension counts every action by status; the others count counted actions only.
    """

    class Dimension(models.TextChoices):
        STATUS = "status", _("Status")
        COUNTRY = "country", _("Country")
        LANGUAGE = "language", _("Language")
        SOURCE = "source", _("Source")
        UTM = "utm", _("UTM campaign")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rollups")
    hour = models.DateTimeField()
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    value = models.CharField(max_length=100, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "dimension", "hour", "value"], name="one_rollup_per_hour_value")
        ]


class RollupMark(models.Model):
    """When a campaign's rollups were last brought up to date."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, primary_key=True, related_name="rollup_mark")
    refreshed_at = models.DateTimeField()
    rebuilt_at = models.DateTimeField(null=True, blank=True)


class CampaignReport(Campaign):
    """The admin's "Momentum" pages: a campaign seen through its numbers (no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("campaign momentum")
        verbose_name_plural = _("campaign momentum")


class HandIn(models.Model):
    """A PDF of the petition for its targets, built in the background; kept outside MEDIA_ROOT."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="hand_ins", verbose_name=_("campaign"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("names"), default=0)
    done = models.PositiveIntegerField(_("names rendered"), default=0)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hand-in document")
        verbose_name_plural = _("hand-in documents")

    def __str__(self) -> str:
        return f"{self.campaign} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else str(self.campaign)

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else (self.done * 100 // self.total if self.total else 0)
