from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outcry.safety.controls import FIELDS
from outcry.safety.models import CampaignControls


class ControlsForm(forms.ModelForm):
    """A campaign's spike controls with the reason kept in the audit log; saved by controls.save_controls."""

    reason = forms.CharField(label=_("Why"), max_length=2000, required=False, help_text=_("Kept in the audit log with the change."))

    class Meta:
        model = CampaignControls
        fields = list(FIELDS)
