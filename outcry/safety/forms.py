from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outcry.safety.controls import FIELDS
from outcry.safety.models import CampaignControls, Wave


class ControlsForm(forms.ModelForm):
    """A campaign's spike controls with the reason kept in the audit log; saved by controls.save_controls."""

    reason = forms.CharField(label=_("Why"), max_length=2000, required=False, help_text=_("Kept in the audit log with the change."))

    class Meta:
        model = CampaignControls
        fields = list(FIELDS)


class InvalidateForm(forms.Form):
    campaign = forms.IntegerField(widget=forms.HiddenInput)
    dimension = forms.ChoiceField(choices=Wave.Dimension.choices, widget=forms.HiddenInput)
    value = forms.CharField(max_length=253, widget=forms.HiddenInput)
    since = forms.DateTimeField(widget=forms.HiddenInput)
    until = forms.DateTimeField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why"), max_length=2000, widget=forms.TextInput(attrs={"size": 40}))
    # Set only by the review page, which shows a share wave's conversion pattern first.
    reviewed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class BlockForm(forms.Form):
    campaign = forms.IntegerField(widget=forms.HiddenInput)
    ip_hash = forms.RegexField(regex=r"^[0-9a-f]{8,128}$", widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why"), max_length=2000, widget=forms.TextInput(attrs={"size": 30}))


class UndoForm(forms.Form):
    reason = forms.CharField(label=_("Why undo"), max_length=2000, widget=forms.TextInput(attrs={"size": 40}))
