"""Unsubscribing from updates. A GET only shows the choice (mail scanners open every link); a POST
unsubscribes. The signed token in the address is the only authority, so the POST needs no session and no
CSRF token: that is what lets a mail client's one-click unsubscribe (RFC 8058) work."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from outcry.actions.links import action_for_unsubscribe
from outcry.updates import services
from outcry.updates.forms import UnsubscribeForm

ONE_CLICK = "List-Unsubscribe=One-Click"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    action = action_for_unsubscribe(token)
    if action is None:
        return render(request, "updates/unsubscribe_invalid.html", status=404)
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
        services.unsubscribe(action, services.Scope.CAMPAIGN)
        return HttpResponse("Unsubscribed.\n", content_type="text/plain; charset=utf-8")
    form = UnsubscribeForm(request.POST or None)
    context = {"campaign": action.campaign, "organisation": action.campaign.organisation, "form": form}
    if request.method == "POST" and form.is_valid():
        services.unsubscribe(action, form.cleaned_data["scope"])
        return render(request, "updates/unsubscribed.html", context | {"scope": form.cleaned_data["scope"]})
    context["already"] = services.is_unsubscribed(action)
    return render(request, "updates/unsubscribe.html", context, status=400 if request.method == "POST" else 200)
