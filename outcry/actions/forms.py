from __future__ import annotations

import re

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from outcry.actions.anti_abuse import AntiAbuseForm
from outcry.actions.links import action_for_return
from outcry.actions.models import Action
from outcry.actions.names import plain_name
from outcry.campaigns.models import Campaign
from outcry.lib.hashing import hash_email

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
# Names may hold letters of any script, spaces and the punctuation real names use; never line breaks.
NAME_RE = re.compile(r"^[^\x00-\x1f\x7f<>\"@]+$")
# Control characters (C0, DEL, C1) and the invisible format characters that reorder text.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# The length of Action's utm_* columns.
ATTRIBUTION_MAX = 100
COUNTRY_CODES = frozenset(countries.countries)


def default_country(accept_language: str = "") -> str:
    """The country named by a region in Accept-Language (ar-EG: Egypt), else "" and the form asks.

    A language alone says nothing about where someone lives (Arabic is spoken in some twenty countries),
    so plain `ar` guesses nothing rather than a wrong country the supporter might not notice.
    """
    for part in accept_language.split(","):
        subtags = part.split(";")[0].strip().split("-")[1:]
        region = next((tag.upper() for tag in subtags if len(tag) == 2 and tag.isalpha()), "")
        if region in COUNTRY_CODES:
            return region
    return ""


_country_choices: dict[str, list[tuple[str, str]]] = {}


def country_choices() -> list[tuple[str, str]]:
    """Every country by its name in the active language, in that language's order.

    Translating and sorting some 250 names costs about a millisecond, so each process does it once per language.
    """
    language = get_language() or ""
    if language not in _country_choices:
        # django-countries sorts the names in this language by the Unicode Collation Algorithm when pyuca
        # is installed (requirements.in); without it, by their ASCII letters, which leaves Arabic unsorted.
        _country_choices[language] = [("", str(_("Choose your country")))] + list(countries)
    return _country_choices[language]


class CountryField(forms.ChoiceField):
    """A choice of country that validates by code, without building the translated list (country_choices)."""

    def valid_value(self, value: str) -> bool:
        return value in COUNTRY_CODES


def clean_name(value: str) -> str:
    value = plain_name(value)
    if not NAME_RE.match(value):
        raise forms.ValidationError(_("Please use only letters, spaces and ordinary punctuation."))
    return value


class AttributionField(forms.CharField):
    """A share parameter: anyone can write one into a link, so it is cleaned and cut, never an error.

    A crafted `?utm_source=` with encoded line feeds once made every visitor of that link meet "Please
    check the fields marked below" with nothing marked: a hidden field has nowhere to show its error.
    """

    def __init__(self) -> None:
        super().__init__(required=False, strip=False, widget=forms.HiddenInput)

    def to_python(self, value: object) -> str:
        text = CONTROL_RE.sub(" ", str(value or ""))
        return " ".join(text.split())[:ATTRIBUTION_MAX]


class ActionForm(AntiAbuseForm):
    first_name = forms.CharField(label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}))
    country = CountryField(label=_("Country"), choices=country_choices, widget=forms.Select(attrs={"autocomplete": "country"}))
    postcode = forms.CharField(label=_("Postcode (optional)"), max_length=20, required=False, widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    consent_updates = forms.BooleanField(required=False, initial=False)
    withhold_name = forms.BooleanField(
        label=_("Don't show my name to the target: sign as “A supporter from” my country."), required=False, initial=False,
    )
    forward_replies = forms.BooleanField(
        label=_("Forward me any reply to my letter. (Targets never see my email address either way.)"),
        required=False, initial=False,
    )
    targets = forms.TypedMultipleChoiceField(
        label=_("Send my letter to"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
    )
    # Sent with the boxes: an unticked box sends nothing, so only this tells "none ticked" from a form (an old
    # cached page, a script) that never showed them, which writes to every target that applies.
    targets_shown = forms.BooleanField(required=False, initial=True, widget=forms.HiddenInput)
    letter_text = forms.CharField(label=_("Your letter (you may edit it)"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 12}))

    # Where the supporter came from (outcry/campaigns/attribution.py): filled by the page's script from
    # the share link, or from the POST's Referer. Cleaned, never refused.
    ref = AttributionField()
    via = AttributionField()
    utm_source = AttributionField()
    utm_medium = AttributionField()
    utm_campaign = AttributionField()
    # From an email's one-click "act again" link (actions/links.py); a bad or stale one is simply ignored.
    return_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, campaign: Campaign, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["consent_updates"].label = campaign.consent_wording or _(
            "Keep me updated about this and other campaigns by %(organisation)s."
        ) % {"organisation": campaign.organisation.name}
        if campaign.action_kind == Campaign.ActionKind.MAILTO:
            # The supporter sends that message from their own mailbox, under their own name.
            del self.fields["withhold_name"]
        if not campaign.sends_letters:
            del self.fields["forward_replies"]
        if campaign.supporters_choose_targets and campaign.action_kind != Campaign.ActionKind.PETITION:
            self.fields["targets"].choices = [(target.pk, str(target)) for target in campaign.targets.all()]
        else:
            del self.fields["targets"], self.fields["targets_shown"]
        if campaign.allow_personalise:
            self.fields["letter_text"].initial = campaign.letter_body
        else:
            del self.fields["letter_text"]

    def full_clean(self) -> None:
        super().full_clean()
        # A hidden field's error has nowhere to show: the supporter would meet "check the fields marked
        # below" with nothing marked, again on every try. Such a field is dropped instead (its value is
        # evidence, anti-abuse screening or attribution, never something the supporter typed).
        for name in [name for name in self._errors if name in self.fields and self.fields[name].widget.is_hidden]:
            del self._errors[name]
            self.cleaned_data[name] = self.fields[name].to_python(None)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if "targets" in self.fields and data.get("country") and not data.get("targets_shown"):
            data["targets"] = []
        elif "targets" in self.fields and data.get("country"):
            # Only targets that apply to the supporter's country count: one ticked for another country
            # (the country changed after the list was shown) is dropped, and none left is an error.
            chosen = [t.pk for t in self.campaign.targets_for(data["country"], data.get("targets") or ())]
            if not chosen or not data.get("targets"):
                self.add_error("targets", _("Choose at least one of the people your letter goes to."))
            data["targets"] = chosen
        return data

    def clean_first_name(self) -> str:
        return clean_name(self.cleaned_data["first_name"])

    def clean_last_name(self) -> str:
        return clean_name(self.cleaned_data["last_name"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def clean_postcode(self) -> str:
        return " ".join(self.cleaned_data["postcode"].split()).upper()

    def clean_letter_text(self) -> str:
        text = self.cleaned_data.get("letter_text", "").replace("\r\n", "\n").strip()
        if text == self.campaign.letter_body.replace("\r\n", "\n").strip():
            return ""
        return text

    def clean_ref(self) -> str:
        code = self.cleaned_data["ref"].strip()
        return code if CODE_RE.match(code) else ""

    def clean_return_token(self) -> str:
        return self.cleaned_data["return_token"].strip()[:200]

    def mailbox_proven(self) -> bool:
        """True when the form came through a return link and still holds the address that link was mailed to."""
        token = self.cleaned_data.get("return_token")
        earlier = action_for_return(token, self.campaign) if token else None
        return earlier is not None and earlier.email_hash == hash_email(self.cleaned_data["email"])

    def clean_via(self) -> str:
        via = self.cleaned_data["via"].strip().lower()
        return via if via in Action.Source.values else ""


class ResendForm(forms.Form):
    email = forms.EmailField(label=_("Your email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
