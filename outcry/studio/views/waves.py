"""Velocity waves in the studio, for editors: what the velocity check found on the campaign, its
conversion pattern, invalidating and undoing a wave and blocking a wave's network. Every step goes
through the same safety services as the admin's (outcry.safety.services.invalidate_wave refuses a share
wave that was not reviewed on the page showing its pattern), and is audited there."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outcry.campaigns.models import Campaign
from outcry.lib.client import see_other
from outcry.safety import services
from outcry.safety.controls import block_hashed_network
from outcry.safety.forms import BlockForm, InvalidateForm, UndoForm
from outcry.safety.models import Wave
from outcry.safety.velocity import SHARE_DIMENSIONS, conversion_pattern, find_bursts
from outcry.studio.access import Access, Role, studio_view
from outcry.studio.listing import chosen, paginate
from outcry.studio.views import _page

WINDOW_KEYS = ("dimension", "value", "since", "until")
SHOWN = ("found", "invalidated")
STATES = ("standing", "undone")


def _review_url(campaign: Campaign, dimension: str, value: str, since: datetime, until: datetime) -> str:
    query = urlencode({"dimension": dimension, "value": value, "since": since.isoformat(), "until": until.isoformat()})
    return reverse("studio:wave_review", kwargs={"pk": campaign.pk}) + "?" + query


def _invalidate_form(campaign: Campaign, dimension: str, value: str, since: datetime, until: datetime, reviewed: bool = False) -> InvalidateForm:
    return InvalidateForm(initial={
        "campaign": campaign.pk, "dimension": dimension, "value": value, "since": since, "until": until, "reviewed": reviewed,
    })


def _with_campaign(request: HttpRequest, access: Access) -> QueryDict:
    # The campaign is the URL's, which studio_view checked; the posted one is not read.
    data = request.POST.copy()
    data["campaign"] = str(access.campaign.pk)
    return data


@studio_view(Role.EDITOR)
def waves(request: HttpRequest, access: Access) -> HttpResponse:
    """Bursts now (as the velocity check sees them), the waves it found before, and the invalidated ones."""
    campaign = access.campaign
    assert campaign is not None  # a campaign's URL (pk): studio_view resolved it
    now = []
    for burst in find_bursts([campaign]) if campaign.status == Campaign.Status.LIVE else []:
        share = burst.dimension in SHARE_DIMENSIONS
        block = BlockForm(initial={"campaign": campaign.pk, "ip_hash": burst.value}) if burst.dimension == Wave.Dimension.IP_HASH else None
        now.append((
            burst, None if share else _invalidate_form(campaign, burst.dimension, burst.value, burst.since, burst.until),
            _review_url(campaign, burst.dimension, burst.value, burst.since, burst.until), block,
        ))
    show = chosen(request, "show", SHOWN) or "found"
    dimension = chosen(request, "dimension", Wave.Dimension.values)
    state = chosen(request, "state", STATES)
    if show == "found":
        rows = campaign.wave_alerts.all()
        window = timedelta(minutes=settings.OUTCRY_VELOCITY_WINDOW_MINUTES)
    else:
        rows = campaign.waves.select_related("created_by", "undone_by")
        if state:
            rows = rows.filter(undone_at__isnull=state == "standing")
    if dimension:
        rows = rows.filter(dimension=dimension)
    shown, query = paginate(request, rows, {"show": show, "dimension": dimension, "state": state})
    if show == "found":
        listed = [(alert, _review_url(campaign, alert.dimension, alert.value, alert.first_seen_at - window, alert.last_seen_at + timedelta(seconds=1))) for alert in shown]
    else:
        listed = [(wave, UndoForm() if wave.undone_at is None else None) for wave in shown]
    return _page(
        request, "waves", access, now=now, show=show, listed=listed, shown=shown, query=query,
        dimension=dimension, dimensions=Wave.Dimension.choices, state=state,
        states=[("standing", _("Still invalid")), ("undone", _("Undone"))],
        window=settings.OUTCRY_VELOCITY_WINDOW_MINUTES,
    )


@studio_view(Role.EDITOR)
def review(request: HttpRequest, access: Access) -> HttpResponse:
    """A wave's conversion pattern (time spread, networks, providers, who shared), and only then the
    button that invalidates it."""
    form = InvalidateForm({k: request.GET.get(k, "") for k in WINDOW_KEYS} | {"campaign": access.campaign.pk, "reason": "-"})
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    pattern = conversion_pattern(access.campaign, data["dimension"], data["value"], data["since"], data["until"])
    return _page(
        request, "wave_review", access, pattern=pattern, dimension=Wave.Dimension(data["dimension"]).label,
        value=data["value"], since=data["since"], until=data["until"], is_share=data["dimension"] in SHARE_DIMENSIONS,
        form=_invalidate_form(access.campaign, data["dimension"], data["value"], data["since"], data["until"], reviewed=True),
    )


@studio_view(Role.EDITOR)
@require_POST
def invalidate(request: HttpRequest, access: Access) -> HttpResponse:
    form = InvalidateForm(_with_campaign(request, access))
    if not form.is_valid():
        messages.error(request, _("Please say why this wave is invalid."))
        return see_other(reverse("studio:waves", kwargs={"pk": access.campaign.pk}))
    data = form.cleaned_data
    try:
        wave = services.invalidate_wave(
            campaign=access.campaign, dimension=data["dimension"], value=data["value"], since=data["since"],
            until=data["until"], user=request.user, reason=data["reason"], reviewed=data["reviewed"],
        )
    except services.NeedsReview:
        return see_other(_review_url(access.campaign, data["dimension"], data["value"], data["since"], data["until"]))
    messages.success(request, _("%(n)d actions invalidated; the count dropped by %(c)d.") % {"n": wave.actions_invalidated, "c": wave.counted_removed})
    return see_other(reverse("studio:waves", kwargs={"pk": access.campaign.pk}) + "?show=invalidated")


@studio_view(Role.EDITOR)
@require_POST
def undo(request: HttpRequest, access: Access, wave: int) -> HttpResponse:
    chosen_wave = get_object_or_404(access.campaign.waves, pk=wave)
    form = UndoForm(request.POST)
    if form.is_valid():
        n = services.undo_wave(wave=chosen_wave, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("%(n)d actions restored.") % {"n": n})
    else:
        messages.error(request, _("Please say why you undo this invalidation."))
    return see_other(reverse("studio:waves", kwargs={"pk": access.campaign.pk}) + "?show=invalidated")


@studio_view(Role.EDITOR)
@require_POST
def block(request: HttpRequest, access: Access) -> HttpResponse:
    """Refuse further actions from a wave's network on this campaign, knowing the network only by its hash."""
    form = BlockForm(_with_campaign(request, access))
    if form.is_valid():
        block_hashed_network(campaign=access.campaign, ip_hash=form.cleaned_data["ip_hash"], user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("This network's next actions on %(campaign)s are refused (Spike controls).") % {"campaign": access.campaign})
    else:
        messages.error(request, _("Please say why you block this network."))
    return see_other(reverse("studio:waves", kwargs={"pk": access.campaign.pk}))
