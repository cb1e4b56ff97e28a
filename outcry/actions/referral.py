"""The supporter's own cookie after acting: their referral code, what became of their action, and their
first name, so the thank-you page's shared copy can be made theirs without a query (campaigns.views.thanks).

Signed, not encrypted: the supporter's browser holds only what they typed and what the thank-you page tells
them anyway. HttpOnly, so no script on the page reads it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from enum import StrEnum

from django.core.signing import BadSignature
from django.http import HttpRequest, HttpResponse

from outcry.actions.forms import CODE_RE
from outcry.actions.models import Action
from outcry.campaigns.models import Campaign

MAX_AGE = 60 * 60 * 24 * 30
FIRST_NAME_MAX = 40


class State(StrEnum):
    """What the thank-you page may truthfully say (issue 18.1)."""

    COUNTED = "counted"
    # Waiting for the email confirmation: on a double opt-in campaign, or stepped up for signs of a bot
    # (outcry/safety/screening.py). On a double opt-in campaign a repeat gets the same page as a first
    # action, so the page never tells whether an address acted.
    AWAITING = "awaiting"
    # Taken, not counted (yet): held for review. Worded as any delay is, so it tells a bot no more than
    # "thanks" does.
    PENDING = "pending"


MARKS = {State.COUNTED: "", State.AWAITING: "!", State.PENDING: "~"}


@dataclass(frozen=True)
class Acted:
    code: str
    state: State
    first_name: str


def cookie_name(campaign: Campaign) -> str:
    return f"acted-{campaign.pk}"


def state_of(campaign: Campaign, action: Action) -> State:
    if action.status == Action.Status.UNCONFIRMED or (campaign.double_opt_in and action.status == Action.Status.DUPLICATE):
        return State.AWAITING
    if action.status in (Action.Status.COUNTED, Action.Status.DUPLICATE):
        return State.COUNTED
    return State.PENDING


def remember(response: HttpResponse, request: HttpRequest, campaign: Campaign, action: Action) -> None:
    name = base64.urlsafe_b64encode(action.first_name[:FIRST_NAME_MAX].encode()).decode()
    response.set_signed_cookie(
        cookie_name(campaign), f"{action.referral_code}{MARKS[state_of(campaign, action)]}.{name}", salt="referral",
        max_age=MAX_AGE, httponly=True, samesite="Lax", secure=request.is_secure(),
    )


def read(request: HttpRequest, campaign: Campaign) -> Acted | None:
    """The supporter's own record from their cookie; None without a valid one."""
    try:
        value = request.get_signed_cookie(cookie_name(campaign), salt="referral", default="")
    except BadSignature:
        return None
    marked, _dot, encoded = value.partition(".")
    state = next((s for s, mark in MARKS.items() if mark and marked.endswith(mark)), State.COUNTED)
    code = marked.removesuffix(MARKS[state])
    if not CODE_RE.match(code):
        return None
    try:
        first_name = base64.urlsafe_b64decode(encoded.encode()).decode()[:FIRST_NAME_MAX]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        first_name = ""
    return Acted(code=code, state=state, first_name=first_name)
