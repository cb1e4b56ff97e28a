"""The organisation's outbox: the letters and digests its campaigns owe their targets, with where each
one stands (queued, sent, bounced, failed; attempts and the next try).

Who sees what: every member sees the list, each message's attempts and the CSV, which name the campaign,
the target and the delivery state but no supporter. Editors and owners also see, on a message's page,
the supporter who wrote it (name and email address, as in the actions CSV they may download) and the
letter's text as it goes out. Viewers never see a supporter's email address or a letter's text.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404

from outcry.campaigns.models import Target
from outcry.delivery.emails import email_text
from outcry.delivery.models import OUTBOX_CSV_COLUMNS, TARGET_KINDS, Message, organisation_letters
from outcry.delivery.sending import unreachable_since
from outcry.lib.csv_export import stream_csv
from outcry.studio.access import Access, Role, studio_view
from outcry.studio.listing import chosen, paginate
from outcry.studio.views import _csv, _page

FILTERS = ("campaign", "status", "target", "kind")


def _filtered(request: HttpRequest, access: Access) -> tuple[QuerySet[Message], dict[str, str]]:
    organisation = access.organisation
    campaigns = [str(pk) for pk in organisation.campaigns.values_list("pk", flat=True)]
    targets = [str(pk) for pk in Target.objects.filter(campaign__organisation=organisation).values_list("pk", flat=True)]
    filters = {
        "campaign": chosen(request, "campaign", campaigns),
        "status": chosen(request, "status", Message.Status.values),
        "target": chosen(request, "target", targets),
        "kind": chosen(request, "kind", [str(k) for k in TARGET_KINDS]),
    }
    rows = organisation_letters(organisation.pk)
    for name, value in filters.items():
        if value:
            rows = rows.filter(**{f"{name}_id" if name in ("campaign", "target") else name: value})
    return rows, filters


@studio_view(Role.VIEWER)
def outbox(request: HttpRequest, access: Access) -> HttpResponse:
    rows, filters = _filtered(request, access)
    shown, query = paginate(request, rows, filters, per_page=50)
    organisation = access.organisation
    return _page(
        request, "outbox", access, shown=shown, query=query, filters=filters, csv_query=query.rstrip("&"),
        campaigns=organisation.campaigns.order_by("title").values_list("pk", "title"),
        targets=Target.objects.filter(campaign__organisation=organisation).select_related("campaign").order_by("campaign__title", "position", "pk"),
        statuses=Message.Status.choices, kinds=[(k.value, k.label) for k in TARGET_KINDS],
        unreachable_since=unreachable_since(),
    )


@studio_view(Role.VIEWER)
def outbox_message(request: HttpRequest, access: Access, message: int) -> HttpResponse:
    item = get_object_or_404(organisation_letters(access.organisation.pk).select_related("action"), pk=message)
    context: dict[str, object] = {"item": item, "attempts": item.attempt_log.all()}
    if access.can_edit:
        context |= {"supporter": item.action, "text": email_text(item)}
    return _page(request, "outbox_message", access, **context)


@studio_view(Role.VIEWER)
def outbox_csv(request: HttpRequest, access: Access) -> StreamingHttpResponse:
    """The filtered outbox, streamed; no supporter in it, so every member may download it."""
    rows, _filters = _filtered(request, access)
    return _csv(stream_csv(rows, OUTBOX_CSV_COLUMNS), f"{access.organisation.slug}-outbox.csv")
