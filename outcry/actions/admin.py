from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outcry.actions.exports import CSV_COLUMNS, MAILING_LIST_COLUMNS
from outcry.actions.models import Action
from outcry.campaigns.admin import OrganisationScopedAdmin
from outcry.lib.csv_export import stream_csv
from outcry.safety.services import erase_actions


@admin.register(Action)
class ActionAdmin(OrganisationScopedAdmin):
    organisation_path = "campaign__organisation"
    list_display = ["created_at", "full_name_display", "country", "campaign", "status", "source"]
    list_filter = ["campaign", "status", "source", "country", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["first_name", "last_name", "email", "postcode", "referral_code"]
    date_hierarchy = "created_at"
    list_select_related = ["campaign"]
    actions = ["export_csv", "export_mailing_list", "erase_selected"]
    show_full_result_count = False
    readonly_fields = [f.name for f in Action._meta.fields]

    @admin.display(description=_("name"))
    def full_name_display(self, obj: Action) -> str:
        return obj.full_name

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Export selected actions as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Action]) -> StreamingHttpResponse:
        response = StreamingHttpResponse(stream_csv(queryset, CSV_COLUMNS), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="actions.csv"'
        return response

    @admin.action(description=_("Export the mailing list (only those who opted in)"))
    def export_mailing_list(self, request: HttpRequest, queryset: QuerySet[Action]) -> StreamingHttpResponse:
        opted_in = queryset.filter(consent_updates=True, erased_at__isnull=True, status=Action.Status.COUNTED)
        response = StreamingHttpResponse(stream_csv(opted_in, MAILING_LIST_COLUMNS), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="mailing-list.csv"'
        return response

    @admin.action(description=_("Erase the personal data of the selected actions (they stay counted)"), permissions=["change"])
    def erase_selected(self, request: HttpRequest, queryset: QuerySet[Action]) -> None:
        n = erase_actions(actions=queryset, user=request.user, reason="erasure request (admin)")
        self.message_user(request, ngettext("%d action erased.", "%d actions erased.", n) % n, messages.SUCCESS)
