"""How a supporter is named to a target: one rule, used by the letter, the digest, the hand-in and their CSVs.

A supporter who ticked "don't show my name to the target", or who acts from a country the campaign
withholds names from (the target's own, say), is "A supporter from <country>" to the target. The
organisation's own data (the admin, its exports, the API) keeps the name.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django_countries import countries

from outcry.campaigns.models import Campaign

# Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): a name holding U+202E prints
# reversed on the hand-in, in letters and CSVs, and can flip the text after it. No one's name needs them:
# each script's own direction lays Arabic or Hebrew out right to left without them.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def plain_name(value: str) -> str:
    """A supporter's name as stored, whatever path it came by (the form, take_action's other callers):
    bidi controls dropped and whitespace collapsed. The one rule; the form adds its refusals on top."""
    return " ".join(BIDI_CONTROLS.sub("", value or "").split())


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
    # plain_name again: rows stored before names were cleaned on the way in print right too.
    return plain_name(f"{first_name} {last_name}")

