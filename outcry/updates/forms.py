from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outcry.updates.services import Scope


class UnsubscribeForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Stop updates from"),
        choices=[(Scope.CAMPAIGN, _("this campaign")), (Scope.ORGANISATION, _("every campaign of this organisation"))],
        initial=Scope.CAMPAIGN,
        widget=forms.RadioSelect,
    )
