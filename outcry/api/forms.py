from __future__ import annotations

from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError
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


class InstantField(forms.DateTimeField):
    """A date-time the database can compare: 0001-01-01T00:00:00+00:01 parses, but is year 0 in UTC and
    raised OverflowError (a 500) when the query was built. Moved to UTC here, so it is a 400 instead."""

    def to_python(self, value: object) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValidationError(_("This date and time is out of range."), code="invalid") from None


class SignatureFilterForm(PageForm):
    created_after = InstantField(required=False, help_text=_("ISO 8601"))
    created_before = InstantField(required=False, help_text=_("ISO 8601"))
    modified_since = InstantField(required=False, help_text=_("ISO 8601"))
    status = forms.ChoiceField(choices=Action.Status.choices, required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        # A sync by modified_since needs the actions that stopped counting too: every status unless one is asked.
        if not data.get("status") and not data.get("modified_since"):
            data["status"] = Action.Status.COUNTED
        return data
