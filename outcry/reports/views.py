from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from outcry.actions import counting
from outcry.campaigns.models import Campaign
from outcry.campaigns.progress import progress
from outcry.campaigns.share import campaign_share_url
from outcry.reports.embedding import embed_csp
from outcry.reports.integrity import integrity_report, public_integrity_report

EMBED_FIELDS = (
    "pk", "slug", "title", "goal", "status", "embed_allowed_origins",
    # The organisation's branding, in the same query (campaigns/_brand.html, _brand_logo.html).
    "organisation__slug", "organisation__name", "organisation__brand_colour", "organisation__logo",
)


@require_GET
@xframe_options_exempt
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    # The same two cheap reads as the stats endpoint: the campaign row and the cached count.
    campaign = get_object_or_404(Campaign.objects.public().select_related("organisation").only(*EMBED_FIELDS), slug=slug)
    count = counting.get_count(campaign.pk)
    context = {
        "campaign": campaign,
        "count": count,
        "progress": progress(count, campaign.goal),
        "campaign_url": campaign_share_url(campaign, via="embed"),
    }
    response = render(request, "reports/embed.html", context)
    # X-Frame-Options cannot list origins, so it is dropped here and CSP frame-ancestors decides.
    response._csp_config = embed_csp(campaign)
    response["Cache-Control"] = f"public, max-age={settings.OUTCRY_COUNT_CACHE_SECONDS}"
    return response


@require_GET
def integrity(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.public().select_related("organisation"), slug=slug)
    # The organisation's staff see the exact counts; anyone else the hourly, rounded ones (PublicIntegrity).
    staff = request.user.is_authenticated and Campaign.objects.for_staff(request.user).filter(pk=campaign.pk).exists()
    report = integrity_report(campaign) if staff else public_integrity_report(campaign)
    return render(request, "reports/integrity.html", {"campaign": campaign, "report": report, "exact": staff})
