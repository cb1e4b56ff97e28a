"""Payloads shaped like the OSDI standard's petitions, signatures and people, so CRMs can map them."""

from __future__ import annotations

from typing import TypedDict

from django.conf import settings

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign


class EmailAddress(TypedDict):
    address: str
    primary: bool


class PostalAddress(TypedDict):
    postal_code: str
    country: str
    primary: bool


class Person(TypedDict):
    given_name: str
    family_name: str
    email_addresses: list[EmailAddress]
    postal_addresses: list[PostalAddress]
    languages_spoken: list[str]


class ReferrerData(TypedDict):
    source: str
    referrer: str
    utm_source: str
    utm_medium: str
    utm_campaign: str


class SignatureDict(TypedDict):
    identifiers: list[str]
    origin_system: str
    created_date: str
    modified_date: str
    status: str
    petition: str
    comments: str
    email_opt_in: bool
    consent_wording: str
    referrer_data: ReferrerData
    person: Person


class PetitionDict(TypedDict):
    identifiers: list[str]
    origin_system: str
    slug: str
    title: str
    summary: str
    status: str
    browser_url: str
    created_date: str
    published_date: str | None
    closed_date: str | None
    total_signatures: int
    goal: int
    outcome: dict | None
    updates: list[dict]


ORIGIN = "Outcry"


def signature_dict(action: Action, campaign_slug: str) -> SignatureDict:
    erased = action.erased_at is not None
    return {
        "identifiers": [f"outcry:action-{action.pk}"],
        "origin_system": ORIGIN,
        "created_date": action.created_at.isoformat(),
        "modified_date": action.modified_at.isoformat(),
        "status": action.status,
        "petition": f"outcry:campaign-{campaign_slug}",
        "comments": "" if erased else action.letter_text,
        "email_opt_in": action.consent_updates,
        "consent_wording": action.consent_wording,
        "referrer_data": {
            "source": action.source,
            "referrer": action.referred_by,
            "utm_source": action.utm_source,
            "utm_medium": action.utm_medium,
            "utm_campaign": action.utm_campaign,
        },
        "person": {
            "given_name": action.first_name,
            "family_name": action.last_name,
            "email_addresses": [] if erased or not action.email else [{"address": action.email, "primary": True}],
            "postal_addresses": [{"postal_code": action.postcode, "country": action.country, "primary": True}],
            "languages_spoken": [action.language] if action.language else [],
        },
    }


def petition_dict(campaign: Campaign, count: int) -> PetitionDict:
    return {
        "identifiers": [f"outcry:campaign-{campaign.slug}"],
        "origin_system": ORIGIN,
        "slug": campaign.slug,
        "title": campaign.title,
        "summary": campaign.summary,
        "status": campaign.status,
        "browser_url": f"{settings.SITE_URL}{campaign.get_absolute_url()}",
        "created_date": campaign.created_at.isoformat(),
        "published_date": campaign.published_at.isoformat() if campaign.published_at else None,
        "closed_date": campaign.closed_at.isoformat() if campaign.closed_at else None,
        "total_signatures": count,
        "goal": campaign.goal,
        "outcome": campaign.outcome,
        "updates": campaign.updates_summary(),
    }
