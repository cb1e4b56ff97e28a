from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outcry.actions.models import Action

MAX_PER_PAGE = 100


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, max_value=1_000_000, required=False)
    per_page = forms.IntegerField(min_value=1, max_value=MAX_PER_PAGE, required=False)

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or 1

    def clean_per_page(self) -> int:
        return self.cleaned_data.get("per_page") or 25


class SignatureFilterForm(PageForm):
    created_after = forms.DateTimeField(required=False, help_text=_("ISO 8601"))
    created_before = forms.DateTimeField(required=False, help_text=_("ISO 8601"))
    modified_since = forms.DateTimeField(required=False, help_text=_("ISO 8601"))
    status = forms.ChoiceField(choices=Action.Status.choices, required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        # A sync by modified_since needs the actions that stopped counting too: every status unless one is asked.
        if not data.get("status") and not data.get("modified_since"):
            data["status"] = Action.Status.COUNTED
        return data
