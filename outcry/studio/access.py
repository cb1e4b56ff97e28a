"""Who may do what in the studio. Every studio view, export and link-making goes through studio_view;
nothing else in the studio decides access.

A person sees an organisation's things only as its member (superusers count as owners everywhere).
Another organisation's campaign is "not found" (404), never "forbidden", so its existence does not
leak; a member whose role is too low gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from outcry.campaigns.models import Campaign, Membership, Organisation
from outcry.studio.two_factor import has_device

Role = Membership.Role
SESSION_KEY = "studio_organisation"


@dataclass(frozen=True)
class Access:
    organisation: Organisation
    role: str
    campaign: Campaign | None = None

    def allows(self, role: str) -> bool:
        return Membership.RANK[Role(self.role)] >= Membership.RANK[Role(role)]

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)

    @property
    def can_edit(self) -> bool:
        return self.allows(Role.EDITOR)

    @property
    def is_owner(self) -> bool:
        return self.allows(Role.OWNER)


def memberships(user) -> list[Access]:
    """The organisations this person works for, for the switcher."""
    if user.is_superuser:
        return [Access(organisation, Role.OWNER) for organisation in Organisation.objects.all()]
    rows = Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")
    return [Access(row.organisation, row.role) for row in rows]


def access_to(user, organisation: Organisation, need: str, campaign: Campaign | None = None) -> Access:
    if user.is_superuser:
        return Access(organisation, Role.OWNER, campaign)
    role = Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True).first()
    if role is None:
        raise Http404
    access = Access(organisation, role, campaign)
    if not access.allows(need):
        raise PermissionDenied
    return access


def resolve(user, need: str, *, organisation_slug: str | None = None, campaign_pk: int | None = None) -> Access:
    if campaign_pk is not None:
        campaign = Campaign.objects.select_related("organisation").filter(pk=campaign_pk).first()
        if campaign is None:
            raise Http404
        return access_to(user, campaign.organisation, need, campaign)
    organisation = Organisation.objects.filter(slug=organisation_slug).first()
    if organisation is None:
        raise Http404
    return access_to(user, organisation, need)


def signed_in(request: HttpRequest) -> bool:
    """Signed in, and through two-factor where the site requires it (as the admin does)."""
    if not request.user.is_authenticated:
        return False
    return not settings.OUTCRY_STAFF_2FA or request.user.is_verified()


def not_signed_in(request: HttpRequest) -> HttpResponse:
    """Where to go instead: enrol two-factor if the site requires it and the person has none, else sign in."""
    if request.user.is_authenticated and not has_device(request.user):  # type: ignore[arg-type]
        return redirect_to_login(request.get_full_path(), reverse("studio:two_factor"))
    return redirect_to_login(request.get_full_path(), reverse("studio:login"))


def studio_view(need: str) -> Callable:
    """Decorates a view taking (request, access, ...): the URL's `organisation` (a slug) or `pk` (a
    campaign's id) is resolved to an Access the person holds with at least the `need` role."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, organisation: str | None = None, pk: int | None = None, **kwargs) -> HttpResponse:
            if not signed_in(request):
                return not_signed_in(request)
            access = resolve(request.user, need, organisation_slug=organisation, campaign_pk=pk)
            request.session[SESSION_KEY] = access.organisation.slug
            request.studio = access  # type: ignore[attr-defined]
            return view(request, access, *args, **kwargs)

        # Read by the role tests, which walk every studio URL (tests/studio/test_role_matrix.py).
        wrapper.studio_role = need  # type: ignore[attr-defined]
        return wrapper

    return decorate
