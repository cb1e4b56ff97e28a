from __future__ import annotations

from django import forms

from outcry.integrations.models import ApiToken, Webhook


class ApiTokenForm(forms.ModelForm):
    prefix = "token"

    class Meta:
        model = ApiToken
        fields = ["name"]


class WebhookForm(forms.ModelForm):
    """Name and URL; the organisation is the page's, the secret is made by create_webhook."""

    prefix = "webhook"

    class Meta:
        model = Webhook
        fields = ["name", "url"]
