"""A campaign's spike controls (CampaignControls): the one way screening reads them and the one way
anyone changes them.

controls_for() is on every action POST, so each web process keeps a campaign's rules in memory for
OUTCRY_CONTROLS_SECONDS: at most one small query per campaign per process in that time, however big
the spike. save_controls() forgets them in its own process on commit; the others follow within
those seconds. Every change leaves an AuditEntry saying who changed what, from what to what, and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from outcry.campaigns.models import Campaign
from outcry.lib import shared_cache
from outcry.lib.client import limit_network
from outcry.lib.hashing import hash_ip
from outcry.lib.netlists import HASHED, Network, hashed_networks, in_domains, in_networks, parse_domains, parse_networks
from outcry.safety.models import AuditEntry, CampaignControls
from outcry.safety.ratelimit import Limit

FIELDS = ("ip_limit", "domain_limit", "allowed_networks", "blocked_networks", "blocked_domains")


@dataclass(frozen=True)
class Controls:
    ip_limit: Limit | None = None
    domain_limit: Limit | None = None
    allowed_networks: tuple[Network, ...] = ()
    blocked_networks: tuple[Network, ...] = ()
    blocked_domains: frozenset[str] = frozenset()
    blocked_hashes: frozenset[str] = frozenset()

    def blocks_network(self, ip: str) -> bool:
        if self.blocked_hashes and hash_ip(limit_network(ip)) in self.blocked_hashes:
            return True
        return in_networks(ip, self.blocked_networks)

    def allows_network(self, ip: str) -> bool:
        return in_networks(ip, self.allowed_networks)

    def blocks_domain(self, domain: str) -> bool:
        return in_domains(domain, self.blocked_domains)


NONE = Controls()


def _key(campaign_id: int) -> str:
    return f"safety-controls:{campaign_id}"


def _parsed(row: CampaignControls | None) -> Controls:
    if row is None:
        return NONE
    return Controls(
        ip_limit=Limit.parse(row.ip_limit) if row.ip_limit else None,
        domain_limit=Limit.parse(row.domain_limit) if row.domain_limit else None,
        allowed_networks=parse_networks(row.allowed_networks),
        blocked_networks=parse_networks(row.blocked_networks),
        blocked_domains=parse_domains(row.blocked_domains),
        blocked_hashes=hashed_networks(row.blocked_networks),
    )


def controls_for(campaign_id: int) -> Controls:
    """The campaign's rules as this process read them at most OUTCRY_CONTROLS_SECONDS ago."""
    return shared_cache.remembered(
        _key(campaign_id), settings.OUTCRY_CONTROLS_SECONDS,
        lambda: _parsed(CampaignControls.objects.filter(campaign_id=campaign_id).first()),
    )


def _shown(field: str, value: str) -> str:
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    return ", ".join(lines) if lines else "(default)" if field.endswith("_limit") else "(none)"


def describe_changes(before: dict[str, str], after: dict[str, str]) -> str:
    return "\n".join(
        f"{CampaignControls._meta.get_field(f).verbose_name}: {_shown(f, before[f])} → {_shown(f, after[f])}"
        for f in FIELDS if before[f].strip() != after[f].strip()
    )


def save_controls(*, campaign: Campaign, user: User | None, values: dict[str, str], reason: str = "") -> CampaignControls:
    """Store the campaign's controls (values already validated, e.g. by a ModelForm) and audit the change.
    Saving the same values again changes and audits nothing."""
    with transaction.atomic():
        row, _created = CampaignControls.objects.select_for_update().get_or_create(campaign=campaign)
        before = {f: getattr(row, f) for f in FIELDS}
        after = before | {f: str(values[f]).strip() for f in FIELDS if f in values}
        details = describe_changes(before, after)
        if not details:
            return row
        for field, value in after.items():
            setattr(row, field, value)
        row.updated_by = user
        row.full_clean()
        row.save()
        AuditEntry.objects.create(kind=AuditEntry.Kind.CONTROLS, campaign=campaign, actor=user, reason=reason, details=details)
    transaction.on_commit(lambda: shared_cache.forget(_key(campaign.pk)))
    return row


def block_hashed_network(*, campaign: Campaign, ip_hash: str, user: User | None, reason: str = "") -> CampaignControls:
    """Block, for this campaign, the network a velocity wave came from, by its hash (audited like any change)."""
    row = CampaignControls.objects.filter(campaign=campaign).first()
    current = row.blocked_networks if row else ""
    line = HASHED + ip_hash
    if line in current.splitlines():
        return row or save_controls(campaign=campaign, user=user, values={}, reason=reason)
    return save_controls(campaign=campaign, user=user, values={"blocked_networks": (current.rstrip() + "\n" + line).strip()}, reason=reason)
