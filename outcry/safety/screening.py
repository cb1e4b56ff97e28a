"""Every POST of the public action form passes here before anything is stored:

0. the campaign's own spike controls (outcry/safety/controls.py): a blocked network is refused with a
   page that says so (a person behind it learns to try another connection; a "wait N minutes" would be
   a lie, and an attacker sees every POST refused either way); an allowed network skips the
   per-network limits below, but not the proof of work or the step-up;
1. rate limits per hashed client network (per campaign and site-wide), counted on every POST;
2. the form's own validation; an address at a blocked domain is sent back with a form error asking for
   another address (a real person can fix that at once; nothing is stored);
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
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from outcry.actions.anti_abuse import AntiAbuseForm
from outcry.actions.models import Action
from outcry.actions.services import ActionData, take_action
from outcry.campaigns.models import Campaign
from outcry.lib.client import client_ip, limit_network
from outcry.lib.hashing import hash_ip
from outcry.lib.mailbox import email_domain, is_lookalike_domain
from outcry.safety import ratelimit
from outcry.safety.challenge import ChallengeResult, marker_seconds, seconds_since_issued, verify_solution
from outcry.safety.controls import controls_for
from outcry.safety.models import Flag

LOOPBACK = {"127.0.0.1", "::1"}


@dataclass
class Screening:
    accepted: bool = False
    discard: bool = False
    refused: bool = False
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


def _pair(own: ratelimit.Limit | None, campaign_setting: str, site_setting: str) -> tuple[ratelimit.Limit, ratelimit.Limit]:
    """The per-campaign and site-wide limits for this campaign's form. A campaign that raises its own limit
    (a stall behind one address) raises the site-wide one for its own form's POSTs as far, or the site's
    default would still stop the stall; the hits still count site-wide against other campaigns' forms."""
    site = ratelimit.Limit.parse(getattr(settings, site_setting))
    if own is None:
        return ratelimit.Limit.parse(getattr(settings, campaign_setting)), site
    return own, ratelimit.Limit(count=max(site.count, own.count), seconds=site.seconds)


def screen_submission(request: HttpRequest, campaign: Campaign, form: AntiAbuseForm) -> Screening:
    if exempt(request):
        return Screening(accepted=form.is_valid())
    controls = controls_for(campaign.pk)
    address = client_ip(request)
    if controls.blocks_network(address):
        return Screening(refused=True)
    if not controls.allows_network(address):
        # Per network, not per address: one IPv6 subscriber can rotate through a whole /64 (outcry/lib/client.py).
        ip = hash_ip(limit_network(address))
        own, site = _pair(controls.ip_limit, "OUTCRY_RATE_IP_CAMPAIGN", "OUTCRY_RATE_IP_SITE")
        exceeded = ratelimit.hit_many([("ip-campaign", f"{campaign.pk}:{ip}", own), ("ip-site", ip, site)])
        if exceeded:
            return Screening(retry_after=exceeded.retry_after)
    if not form.is_valid():
        return Screening()
    domain = email_domain(form.cleaned_data["email"])
    if controls.blocks_domain(domain):
        form.add_error("email", _("This campaign cannot accept addresses at this email domain. Please use another address."))
        return Screening()
    checks: list[ratelimit.Check] = []
    if domain not in settings.OUTCRY_RATE_DOMAIN_EXEMPT:
        own, site = _pair(controls.domain_limit, "OUTCRY_RATE_DOMAIN_CAMPAIGN", "OUTCRY_RATE_DOMAIN_SITE")
        checks = [("domain-campaign", f"{campaign.pk}:{domain}", own), ("domain-site", domain, site)]
    result, marker = (ChallengeResult.MISSING, "") if form.honeypot_filled else verify_solution(form.challenge_payload)
    # The domain's limits and the proof of work's one-use marker in one write: the marker is taken only when
    # the limits let the submission through, as if checked one after the other.
    counted = ratelimit.hit_then_mark(checks, (marker, marker_seconds()) if marker else None)
    if counted.exceeded:
        return Screening(retry_after=counted.exceeded.retry_after)
    if form.honeypot_filled:
        return Screening(accepted=True, discard=True)
    if marker and not counted.first_use:
        result = ChallengeResult.REPLAYED
    flags = []
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


def refused(request: HttpRequest, back_url: str) -> HttpResponse:
    """For a network the campaign blocked: says so plainly, and what a real person can do."""
    return render(request, "safety/refused.html", {"back_url": back_url}, status=403)


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
