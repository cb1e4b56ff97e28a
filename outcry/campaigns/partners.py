"""Partnerships (coalitions) between organisations: the one rule for when a supporter of one organisation
may be offered, in one click, a campaign of another.

A one-click return link carries a supporter from an email of one organisation to a form filled in with
their name, address and country. Within one organisation that is the organisation's own data; across two
it is allowed only while both have agreed to a partnership, each through an owner (Partnership, one row
per side). Even then the partner receives nothing until the supporter acts on its campaign: the
pre-filled page is rendered for the supporter alone, and only the action they submit is the partner's.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from outcry.campaigns.models import Membership, Organisation, Partnership


def partner_ids(organisation_id: int) -> set[int]:
    """The organisations in a partnership with this one that both sides agreed to and neither ended."""
    current = Partnership.objects.filter(ended_at__isnull=True)
    ours = set(current.filter(organisation_id=organisation_id).values_list("partner_id", flat=True))
    theirs = set(current.filter(partner_id=organisation_id, organisation_id__in=ours).values_list("organisation_id", flat=True))
    return theirs


def may_link(from_organisation_id: int, to_organisation_id: int) -> bool:
    """May an email of `from_organisation` carry a supporter, details filled in, to `to_organisation`'s campaign?"""
    return from_organisation_id == to_organisation_id or to_organisation_id in partner_ids(from_organisation_id)


def _check_owner(organisation: Organisation, user) -> None:
    # user None: the system itself (the demo loader, a management command run by the operator).
    if user is None or user.is_superuser:
        return
    if not Membership.objects.filter(organisation=organisation, user=user, role=Membership.Role.OWNER).exists():
        raise PermissionDenied("Only an owner of the organisation may agree to or end a partnership.")


def agree(*, organisation: Organisation, partner: Organisation, user=None) -> Partnership:
    """`organisation`'s side of a partnership with `partner`, agreed by `user` (an owner). Idempotent: an
    existing current side is returned as it is. The partnership holds once the partner agrees too."""
    _check_owner(organisation, user)
    if organisation.pk == partner.pk:
        raise ValueError("An organisation cannot partner with itself.")
    with transaction.atomic():
        current = Partnership.objects.select_for_update().filter(organisation=organisation, partner=partner, ended_at__isnull=True).first()
        return current or Partnership.objects.create(organisation=organisation, partner=partner, agreed_by=user)


def end(*, organisation: Organisation, partner: Organisation, user=None) -> bool:
    """End `organisation`'s side (either side may end it alone). Links already mailed stop pre-filling at once."""
    _check_owner(organisation, user)
    return bool(
        Partnership.objects.filter(organisation=organisation, partner=partner, ended_at__isnull=True)
        .update(ended_at=timezone.now(), ended_by=user)
    )


def status(side: Partnership) -> str:
    """For the admin: both agreed, waiting for the other side, or ended."""
    if side.ended_at:
        return "ended"
    other = Partnership.objects.filter(
        organisation_id=side.partner_id, partner_id=side.organisation_id, ended_at__isnull=True
    ).exists()
    return "agreed" if other else "waiting"


def visible_to(user) -> Q:
    """Rows a member of an organisation may see: its own sides and the sides naming it as partner."""
    return Q(organisation__staff=user) | Q(partner__staff=user)
