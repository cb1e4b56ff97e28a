"""Double opt-in. Mail scanners open every link in a message, so a GET only shows a page with a Confirm
button; only its POST confirms (and confirming twice is harmless)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from outcry.actions import confirmation, referral
from outcry.actions.forms import ResendForm
from outcry.actions.links import action_for_confirm
from outcry.campaigns.models import Campaign
from outcry.lib.client import client_ip, limit_network, see_other
from outcry.lib.hashing import hash_ip
from outcry.safety import ratelimit


def _campaign(slug: str) -> Campaign:
    return get_object_or_404(Campaign.objects.public().select_related("organisation"), slug=slug)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    campaign = _campaign(slug)
    if request.method == "POST":
        action = confirmation.confirm_from_token(token, campaign)
        if action is not None:
            response = see_other(campaign.get_absolute_url() + "thanks/")
            # The thank-you page now says what became of it (counted), not "check your inbox" any more.
            referral.remember(response, request, campaign, action)
            return response
        return render(request, "actions/confirm_invalid.html", {"campaign": campaign, "form": ResendForm()}, status=400)
    if action_for_confirm(token, campaign) is None:
        return render(request, "actions/confirm_invalid.html", {"campaign": campaign, "form": ResendForm()}, status=400)
    return render(request, "actions/confirm.html", {"campaign": campaign})


@require_http_methods(["GET", "POST"])
def resend(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    form = ResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Per client network: the worker's own limits are per address, and a flood of addresses would fill its queue.
        limit = ratelimit.Limit.parse(settings.OUTCRY_RATE_RESEND)
        exceeded = ratelimit.hit("resend-ip", hash_ip(limit_network(client_ip(request))), limit)
        if exceeded:
            return ratelimit.too_many_requests(request, exceeded.retry_after, back_url=campaign.get_absolute_url())
        confirmation.ask_for_resend(campaign, form.cleaned_data["email"])
        # The same answer, after the same work, whether or not the address has an action waiting.
        return render(request, "actions/confirm_resent.html", {"campaign": campaign})
    status = 400 if request.method == "POST" else 200
    return render(request, "actions/confirm_invalid.html", {"campaign": campaign, "form": form, "asked": True}, status=status)
