from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from outcry.lib.metrics import CONTENT_TYPE, bearer_matches, exposition
from outcry.ops import health


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 503 only when this process cannot reach the database (README: Running at scale)."""
    report = health.check()
    return JsonResponse(report.as_dict(), status=503 if report.status == "down" else 200)


@require_safe
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_TOKEN:
        raise Http404
    if not bearer_matches(request, settings.METRICS_TOKEN):
        response = HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition([health.QueueCollector()]), content_type=CONTENT_TYPE)
