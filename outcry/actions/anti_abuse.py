"""The anti-abuse fields every public action form carries. They only collect evidence; the decision
is made by outcry.safety.screening.screen_submission (safety sits above actions and reads them here)."""

from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

# The salt keeps its old name: forms rendered before the move still verify.
STARTED_SALT = "outcry.safety.started"


def started_token() -> str:
    return signing.dumps(time.time(), salt=STARTED_SALT)


def seconds_since(token: str) -> float | None:
    """How long ago the form was rendered, or None when the token is missing or forged."""
    try:
        started = float(signing.loads(token, salt=STARTED_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return time.time() - started


class AntiAbuseForm(forms.Form):
    # A field people never see (hidden) and bots that fill every input do.
    homepage_url = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    altcha = forms.CharField(
        required=False, max_length=4000,
        widget=forms.HiddenInput(attrs={"data-challenge-url": reverse_lazy("safety:challenge")}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["started"].initial = started_token()

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.data.get("homepage_url") or "").strip())

    @property
    def seconds_to_fill(self) -> float | None:
        return seconds_since(self.data.get("started") or "")

    @property
    def challenge_payload(self) -> str:
        return (self.data.get("altcha") or "").strip()
