"""The anti-abuse fields every public action form carries. They only collect evidence; the decision
is made by outcry.safety.screening.screen_submission (safety sits above actions and reads them here)."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


class AntiAbuseForm(forms.Form):
    # A field people never see (hidden) and bots that fill every input do.
    homepage_url = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    altcha = forms.CharField(
        required=False, max_length=4000,
        widget=forms.HiddenInput(attrs={"data-challenge-url": reverse_lazy("safety:challenge")}),
    )

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.data.get("homepage_url") or "").strip())

    @property
    def challenge_payload(self) -> str:
        return (self.data.get("altcha") or "").strip()
