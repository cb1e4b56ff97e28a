from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.api.auth import api_get, organisation_token_required
from outcry.api.forms import PageForm, SignatureFilterForm
from outcry.api.schema import openapi_schema
from outcry.campaigns.models import Campaign
from outcry.integrations.osdi import petition_dict, signature_dict
from outcry.lib.shared_cache import Shared, answer, etag_of, shared
from outcry.reports.integrity import public_integrity_report


def json_error(message: str, status: int, **extra: object) -> JsonResponse:
    return JsonResponse({"error": message} | extra, status=status)


def _public_campaign(slug: str) -> Campaign | None:
    return Campaign.objects.public().filter(slug=slug).first()


def _stats(slug: str) -> Shared:
    campaign = (
        Campaign.objects.public().only("pk", "slug", "goal", "outcome_kind", "outcome_text", "outcome_date")
        .filter(slug=slug).first()
    )
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
        "outcome": campaign.outcome,
        "updates": campaign.updates_summary(),
    }
    # Weak: updated_at differs between two copies, but a poller holding either has the same count.
    etag = "W/" + etag_of(json.dumps([campaign.slug, campaign.goal, *counts, payload["outcome"], payload["updates"]]).encode())
    return Shared(body=json.dumps(payload).encode(), etag=etag)


@api_get
def campaign_stats(request: HttpRequest, slug: str) -> HttpResponse:
    seconds = settings.OUTCRY_COUNT_CACHE_SECONDS
    try:
        item = shared("stats", slug, (), seconds, lambda: _stats(slug))
    except Http404:
        return json_error("No public campaign has this slug.", 404)
    return answer(request, item, content_type="application/json", seconds=seconds)


@api_get
def campaign_integrity(request: HttpRequest, slug: str) -> JsonResponse:
    campaign = _public_campaign(slug)
    if campaign is None:
        return json_error(_("No public campaign has this address."), 404)
    response = JsonResponse({"slug": campaign.slug, **public_integrity_report(campaign).as_dict()})
    response["Cache-Control"] = f"public, max-age={settings.OUTCRY_INTEGRITY_CACHE_SECONDS}"
    return response


@api_get
def schema(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_schema())


def _collection(request: HttpRequest, queryset: QuerySet, form: PageForm, key: str, to_dict: Callable) -> dict:
    """OSDI-style collection envelope: totals, links to the neighbouring pages, the items under _embedded."""
    per_page, number = form.cleaned_data["per_page"], form.cleaned_data["page"]
    paginator = Paginator(queryset, per_page, allow_empty_first_page=True)
    items = queryset[(number - 1) * per_page:number * per_page] if number <= paginator.num_pages else []
    query = request.GET.copy()

    def link(page: int) -> dict:
        query["page"] = str(page)
        return {"href": request.build_absolute_uri(f"{request.path}?{query.urlencode()}")}

    links = {"self": link(number)}
    if number < paginator.num_pages:
        links["next"] = link(number + 1)
    if 1 < number <= paginator.num_pages + 1:
        links["prev"] = link(number - 1)
    return {
        "total_records": paginator.count,
        "total_pages": paginator.num_pages,
        "page": number,
        "per_page": per_page,
        "_links": links,
        "_embedded": {key: [to_dict(item) for item in items]},
    }


def _invalid(form: PageForm) -> JsonResponse:
    return json_error(_("Some query parameters are not valid."), 400, fields={k: [str(m) for m in v] for k, v in form.errors.items()})


@api_get
@organisation_token_required
def petitions(request: HttpRequest) -> JsonResponse:
    form = PageForm(request.GET)
    if not form.is_valid():
        return _invalid(form)
    campaigns = Campaign.objects.filter(organisation=request.organisation).prefetch_related("updates").order_by("pk")
    page = _collection(request, campaigns, form, "osdi:petitions", lambda c: c)
    counts = counting.get_counts(c.pk for c in page["_embedded"]["osdi:petitions"])
    page["_embedded"]["osdi:petitions"] = [petition_dict(c, counts[c.pk]) for c in page["_embedded"]["osdi:petitions"]]
    return JsonResponse(page)


@api_get
@organisation_token_required
def signatures(request: HttpRequest, slug: str) -> JsonResponse:
    # Another organisation's campaign answers exactly like a missing one.
    campaign = Campaign.objects.filter(organisation=request.organisation, slug=slug).first()
    if campaign is None:
        return json_error(_("Your organisation has no campaign with this address."), 404)
    form = SignatureFilterForm(request.GET)
    if not form.is_valid():
        return _invalid(form)
    data = form.cleaned_data
    actions = Action.objects.filter(campaign=campaign).order_by("created_at", "pk")
    if data["status"]:
        actions = actions.filter(status=data["status"])
    if data["modified_since"]:
        actions = actions.filter(modified_at__gte=data["modified_since"]).order_by("modified_at", "pk")
    if data["created_after"]:
        actions = actions.filter(created_at__gte=data["created_after"])
    if data["created_before"]:
        actions = actions.filter(created_at__lt=data["created_before"])
    return JsonResponse(_collection(request, actions, form, "osdi:signatures", lambda a: signature_dict(a, campaign.slug)))


@api_get
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    return json_error(_("There is no such API endpoint or campaign."), 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an API client gets JSON even when something breaks on our side; pages get Django's page."""
    if request.path.startswith("/api/"):
        return json_error(_("Something went wrong on our side. Please try again later."), 500)
    return defaults.server_error(request)
