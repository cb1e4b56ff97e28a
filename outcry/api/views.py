from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from outcry.actions import counting
from outcry.campaigns.models import Campaign
from outcry.shared_cache import Shared, answer, etag_of, shared


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _stats(slug: str) -> Shared:
    campaign = Campaign.objects.public().only("pk", "slug", "goal").filter(slug=slug).first()
    if campaign is None:
        raise Http404
    # Straight from the shards: this answer is cached as a whole, and a second cache layer would
    # only add its age to the count's.
    counts = (
        counting.get_count(campaign.pk, cached=False),
        counting.get_count(campaign.pk, counting.Metric.MESSAGES_SENT, cached=False),
    )
    payload = {
        "slug": campaign.slug,
        "count": counts[0],
        "goal": campaign.goal,
        "messages_sent": counts[1],
        "updated_at": timezone.now().isoformat(),
    }
    # Weak: updated_at differs between two copies, but a poller holding either has the same count.
    etag = "W/" + etag_of(json.dumps([campaign.slug, campaign.goal, *counts]).encode())
    return Shared(body=json.dumps(payload).encode(), etag=etag)


@require_GET
def campaign_stats(request: HttpRequest, slug: str) -> HttpResponse:
    seconds = settings.OUTCRY_COUNT_CACHE_SECONDS
    try:
        item = shared("stats", slug, (), seconds, lambda: _stats(slug))
    except Http404:
        return json_error("No public campaign has this slug.", 404)
    return answer(request, item, content_type="application/json", seconds=seconds)
