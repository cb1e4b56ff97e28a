from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from outcry.actions.models import Action
from outcry.campaigns.admin import OrganisationScopedAdmin
from outcry.safety.admin import erase_selected

# The organisation's mailing list: only people who ticked the box, with the wording they agreed to.
MAILING_LIST_COLUMNS = ["email", "first_name", "last_name", "country", "language", "created_at", "consent_wording"]
CSV_COLUMNS = [
    "id", "created_at", "status", "first_name", "last_name", "email", "country", "postcode", "language",
    "consent_updates", "consent_wording", "source", "referred_by", "utm_source", "utm_medium", "utm_campaign",
]


class Echo:
    def write(self, value: str) -> str:
        return value


def csv_safe(value: object) -> str:
    # Spreadsheets run cells that start with these as formulas (CSV injection).
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def stream_actions_csv(queryset: QuerySet[Action], batch: int = 2000, columns: list[str] = CSV_COLUMNS) -> Iterator[str]:
    """The CSV in pieces of `batch` rows, read by primary key ranges.

    Memory stays flat at any size. Key ranges rather than one server-side cursor: in autocommit
    PostgreSQL materialises a WITH HOLD cursor's whole result before the first row, and a cursor
    inside a transaction would hold a snapshot open for the whole download. One string per batch,
    not per row, because the server makes one socket write per piece.
    """
    writer = csv.writer(Echo())
    yield writer.writerow(columns)
    rows = queryset.order_by("pk").values_list("pk", *columns)
    last = 0
    while chunk := list(rows.filter(pk__gt=last)[:batch]):
        last = chunk[-1][0]
        yield "".join(writer.writerow([csv_safe(value) for value in row[1:]]) for row in chunk)


@admin.register(Action)
class ActionAdmin(OrganisationScopedAdmin):
    organisation_path = "campaign__organisation"
    list_display = ["created_at", "full_name_display", "country", "campaign", "status", "source"]
    list_filter = ["campaign", "status", "source", "country", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["first_name", "last_name", "email", "postcode", "referral_code"]
    date_hierarchy = "created_at"
    list_select_related = ["campaign"]
    actions = ["export_csv", "export_mailing_list", erase_selected]
    show_full_result_count = False
    readonly_fields = [f.name for f in Action._meta.fields]

    @admin.display(description=_("name"))
    def full_name_display(self, obj: Action) -> str:
        return obj.full_name

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Export selected actions as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Action]) -> StreamingHttpResponse:
        response = StreamingHttpResponse(stream_actions_csv(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="actions.csv"'
        return response

    @admin.action(description=_("Export the mailing list (only those who opted in)"))
    def export_mailing_list(self, request: HttpRequest, queryset: QuerySet[Action]) -> StreamingHttpResponse:
        opted_in = queryset.filter(consent_updates=True, erased_at__isnull=True, status=Action.Status.COUNTED)
        response = StreamingHttpResponse(stream_actions_csv(opted_in, columns=MAILING_LIST_COLUMNS), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="mailing-list.csv"'
        return response
