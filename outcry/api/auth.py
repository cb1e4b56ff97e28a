from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from outcry.integrations.services import organisation_for_token


def api_get(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET and HEAD only, answered in JSON either way; no CSRF check, since nothing here writes."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"error": _("Only GET is allowed here.")}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        return view(request, *args, **kwargs)

    return wrapped


def token_from(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    # OSDI clients send their key in this header.
    return request.headers.get("OSDI-API-Token", "").strip()


def organisation_token_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view gets request.organisation from the request's API token, or the client gets a JSON 401."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        token = token_from(request)
        if not token:
            return unauthorised(_("This endpoint needs an API token: send \"Authorization: Bearer <token>\"."))
        organisation = organisation_for_token(token)
        if organisation is None:
            return unauthorised(_("This API token is not valid (unknown or revoked)."))
        request.organisation = organisation
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["Vary"] = "Authorization, OSDI-API-Token"
        return response

    return wrapped


def unauthorised(message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="outcry"'
    return response
