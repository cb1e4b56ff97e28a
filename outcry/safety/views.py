from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from outcry.lib.client import client_ip, limit_network
from outcry.lib.hashing import hash_ip
from outcry.safety import privacy, ratelimit
from outcry.safety.challenge import new_challenge


class DataRequestForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


@require_GET
@never_cache
def challenge(request: HttpRequest) -> JsonResponse:
    return JsonResponse(new_challenge())


@require_http_methods(["GET", "POST"])
def data_request(request: HttpRequest) -> HttpResponse:
    form = DataRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if ratelimit.hit("data-request-ip", hash_ip(limit_network(client_ip(request))), ratelimit.Limit(count=10, seconds=3600)):
            return render(request, "safety/data_request.html", {"form": form, "limited": True}, status=429)
        privacy.request_data_link(form.cleaned_data["email"])
        return render(request, "safety/data_request.html", {"sent": True})
    return render(request, "safety/data_request.html", {"form": form}, status=400 if form.errors else 200)


def _email_hash(token: str) -> str:
    email_hash = privacy.email_hash_from_token(token)
    if email_hash is None:
        raise Http404
    return email_hash


@never_cache
@require_http_methods(["GET", "POST"])
def data(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the data (safe for mail scanners that open links); only the POST button erases."""
    email_hash = _email_hash(token)
    if request.method == "POST":
        erased = privacy.erase_supporter(email_hash)
        return render(request, "safety/data.html", {"erased": erased, "token": token})
    return render(request, "safety/data.html", {"data": privacy.export_data(email_hash), "token": token})


@never_cache
@require_GET
def data_json(request: HttpRequest, token: str) -> JsonResponse:
    response = JsonResponse(privacy.export_data(_email_hash(token)), json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="my-outcry-data.json"'
    return response
