from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from outcry.campaigns.models import Membership, Organisation
from outcry.delivery.models import Message


class Invitation(models.Model):
    """An owner's invitation to join an organisation with a role. The emailed link is signed when the
    worker sends it (never stored) and expires after OUTCRY_INVITE_DAYS; accepting it once uses it up."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.EDITOR)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The outbox row that carries the invitation; its builder finds the invitation through it.
    message = models.OneToOneField(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitation")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"
