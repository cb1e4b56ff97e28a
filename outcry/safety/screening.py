"""Every POST of the public action form passes here before anything is stored:

1. rate limits per hashed client network (per campaign and site-wide), counted on every POST;
2. the form's own validation;
3. rate limits per email domain (per campaign and site-wide), for valid forms;
4. bot evidence: a filled honeypot is discarded with an ordinary thank-you; a missing, wrong or
   reused proof of work, a fill faster than a person (timed from the visitor's own challenge), a
   disposable address or a look-alike domain (outcry/lib/mailbox.py) is stored and steps up: the
   action counts once its supporter confirms their email, as on a double opt-in campaign. Nobody is
   parked in a queue that a campaigner must work through in a spike; a campaign may still choose to
   hold such actions for review (Campaign.hold_flagged).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from outcry.actions.anti_abuse import AntiAbuseForm
from outcry.actions.models import Action
from outcry.actions.services import ActionData, take_action
from outcry.campaigns.models import Campaign
from outcry.lib.client import client_ip, limit_network
from outcry.lib.hashing import hash_ip
from outcry.lib.mailbox import email_domain, is_lookalike_domain
from outcry.safety import ratelimit
from outcry.safety.challenge import ChallengeResult, check_solution, seconds_since_issued
from outcry.safety.models import Flag

LOOPBACK = {"127.0.0.1", "::1"}


@dataclass
class Screening:
    accepted: bool = False
    discard: bool = False
    retry_after: int = 0
    passed_challenge: bool = True
    flags: list[str] = field(default_factory=list)



def exempt(request: HttpRequest) -> bool:
    """BENCH_EXEMPT_LOOPBACK lets a local load generator act; settings.py refuses it in production."""
    return settings.BENCH_EXEMPT_LOOPBACK and client_ip(request) in LOOPBACK


def is_disposable(domain: str) -> bool:
    parts = domain.lower().split(".")
    # Subdomains of a disposable service (x.mailinator.com) are disposable too.
    return any(".".join(parts[i:]) in DISPOSABLE_DOMAINS for i in range(len(parts) - 1))


def _limits(scopes: list[tuple[str, str, str]]) -> int:
    """Count one hit on each (scope, ident, setting); return the longest wait among those exceeded."""
    exceeded = ratelimit.hit_many([(scope, ident, ratelimit.Limit.parse(getattr(settings, setting))) for scope, ident, setting in scopes])
    return exceeded.retry_after if exceeded else 0


def screen_submission(request: HttpRequest, campaign: Campaign, form: AntiAbuseForm) -> Screening:
    if exempt(request):
        return Screening(accepted=form.is_valid())
    # Per network, not per address: one IPv6 subscriber can rotate through a whole /64 (outcry/lib/client.py).
    ip = hash_ip(limit_network(client_ip(request)))
    wait = _limits([("ip-campaign", f"{campaign.pk}:{ip}", "OUTCRY_RATE_IP_CAMPAIGN"), ("ip-site", ip, "OUTCRY_RATE_IP_SITE")])
    if wait:
        return Screening(retry_after=wait)
    if not form.is_valid():
        return Screening()
    domain = email_domain(form.cleaned_data["email"])
    if domain not in settings.OUTCRY_RATE_DOMAIN_EXEMPT:
        wait = _limits([
            ("domain-campaign", f"{campaign.pk}:{domain}", "OUTCRY_RATE_DOMAIN_CAMPAIGN"),
            ("domain-site", domain, "OUTCRY_RATE_DOMAIN_SITE"),
        ])
        if wait:
            return Screening(retry_after=wait)
    if form.honeypot_filled:
        return Screening(accepted=True, discard=True)
    flags = []
    result = check_solution(form.challenge_payload)
    if result == ChallengeResult.MISSING:
        flags.append(Flag.Reason.NO_CHALLENGE)
    elif result != ChallengeResult.PASSED:
        flags.append(Flag.Reason.BAD_CHALLENGE)
    elapsed = seconds_since_issued(form.challenge_payload) if result == ChallengeResult.PASSED else None
    if elapsed is not None and elapsed < settings.OUTCRY_MIN_FILL_SECONDS:
        flags.append(Flag.Reason.TOO_FAST)
    if is_disposable(domain):
        flags.append(Flag.Reason.DISPOSABLE)
    if is_lookalike_domain(domain):
        flags.append(Flag.Reason.LOOKALIKE)
    return Screening(accepted=True, passed_challenge=result == ChallengeResult.PASSED, flags=flags)


def record_action(*, campaign: Campaign, data: ActionData, screening: Screening) -> Action | None:
    """take_action for a screened submission: nothing for a discarded bot; a flagged one counts once its
    supporter confirms their email (or, where the campaign asks, waits for a review)."""
    if screening.discard:
        return None
    evidence = screening.flags
    if data.mailbox_proven:
        # Back through a link mailed to this address: a pre-filled form is sent in a second, perhaps before
        # the page's script has solved the challenge, and the mailbox itself is the better proof.
        evidence = [f for f in evidence if f not in (Flag.Reason.TOO_FAST, Flag.Reason.NO_CHALLENGE)]
    data = dataclasses.replace(
        data, passed_challenge=screening.passed_challenge,
        confirm=bool(evidence), hold=bool(evidence) and campaign.hold_flagged,
    )
    if not screening.flags:
        # Most actions: take_action's own transaction, with no savepoint nested in an outer one.
        return take_action(campaign=campaign, data=data)
    with transaction.atomic():
        action = take_action(campaign=campaign, data=data)
        Flag.objects.bulk_create([Flag(action=action, reason=reason) for reason in screening.flags])
    return action
