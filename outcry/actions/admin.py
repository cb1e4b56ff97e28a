from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from outcry.actions.models import Action
from outcry.campaigns.admin import OrganisationScopedAdmin

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


def stream_actions_csv(queryset: QuerySet[Action]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield writer.writerow(CSV_COLUMNS)
    for row in queryset.order_by("pk").values_list(*CSV_COLUMNS).iterator(chunk_size=2000):
        yield writer.writerow([csv_safe(value) for value in row])


@admin.register(Action)
class ActionAdmin(OrganisationScopedAdmin):
    organisation_path = "campaign__organisation"
    list_display = ["created_at", "full_name_display", "country", "campaign", "status", "source"]
    list_filter = ["campaign", "status", "source", "country", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["first_name", "last_name", "email", "postcode", "referral_code"]
    date_hierarchy = "created_at"
    list_select_related = ["campaign"]
    actions = ["export_csv"]
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
