from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from outcry.actions import counting
from outcry.campaigns.models import Campaign


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_GET
def campaign_stats(request: HttpRequest, slug: str) -> JsonResponse:
    campaign = get_object_or_404(Campaign.objects.public().only("pk", "slug", "goal"), slug=slug)
    payload = {
        "slug": campaign.slug,
        "count": counting.get_count(campaign.pk),
        "goal": campaign.goal,
        "messages_sent": counting.get_count(campaign.pk, counting.Metric.MESSAGES_SENT),
        "updated_at": timezone.now().isoformat(),
    }
    response = JsonResponse(payload)
    response["Cache-Control"] = f"public, max-age={settings.OUTCRY_COUNT_CACHE_SECONDS}"
    return response
