"""How a supporter is named to a target: one rule, used by the letter, the digest, the hand-in and their CSVs.

A supporter who ticked "don't show my name to the target", or who acts from a country the campaign
withholds names from (the target's own, say), is "A supporter from <country>" to the target. The
organisation's own data (the admin, its exports, the API) keeps the name.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django_countries import countries

from outcry.campaigns.models import Campaign


def country_name(code: str) -> str:
    return str(countries.name(code)) if code else ""


def withheld_countries(campaign: Campaign) -> frozenset[str]:
    return frozenset(str(code) for code in campaign.withhold_names_from)


def is_withheld(withhold_name: bool, country: str, withheld: frozenset[str]) -> bool:
    # Decided when read, not stored at acting time: a country added to the list later protects
    # the supporters who already acted from it too.
    return withhold_name or country in withheld


def anonymous_name(country: str) -> str:
    """In the active language: call inside translation.override(the letter's language)."""
    if not country:
        return gettext("A supporter")
    return gettext("A supporter from %(country)s") % {"country": country_name(country)}


def name_for_target(first_name: str, last_name: str, country: str, withheld: bool) -> str:
    if withheld:
        return anonymous_name(country)
    return f"{first_name} {last_name}".strip()

