from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from outcry.actions import counting
from outcry.campaigns.admin import OrganisationScopedAdmin
from outcry.reports.dashboard import build_dashboard
from outcry.reports.embedding import embed_snippet, invalid_origins
from outcry.reports.handin import hand_in_download, stream_signers_csv
from outcry.reports.models import CampaignReport, HandIn
from outcry.reports.services import request_hand_in
from outcry.reports.tasks import rebuild_campaign_rollups


@admin.register(CampaignReport)
class CampaignReportAdmin(OrganisationScopedAdmin):
    list_display = ["title", "organisation", "status", "count_display", "dashboard_link"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    list_select_related = ["organisation"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_list_display_links(self, request: HttpRequest, list_display):
        return None

    @admin.display(description=_("count"))
    def count_display(self, obj: CampaignReport) -> int:
        return counting.get_count(obj.pk)

    @admin.display(description=_("momentum"))
    def dashboard_link(self, obj: CampaignReport) -> str:
        return format_html('<a href="{}">{}</a>', reverse("admin:reports_campaignreport_dashboard", args=[obj.pk]), _("Open the dashboard"))

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/dashboard/", wrap(self.dashboard_view), name="reports_campaignreport_dashboard"),
            path("<int:pk>/signers.csv", wrap(self.signers_csv_view), name="reports_campaignreport_signers"),
            path("<int:pk>/hand-in/", wrap(self.hand_in_view), name="reports_campaignreport_handin"),
            path("<int:pk>/refresh/", wrap(self.refresh_view), name="reports_campaignreport_refresh"),
        ] + super().get_urls()

    def _campaign(self, request: HttpRequest, pk: int) -> CampaignReport:
        if not self.has_view_permission(request):
            raise PermissionDenied
        # Scoped to the user's organisations: another organisation's campaign is simply not found.
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:reports_campaignreport_dashboard", args=[object_id]))

    def dashboard_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self._campaign(request, pk)
        context = self.admin_site.each_context(request) | {
            "title": _("Momentum: %(title)s") % {"title": campaign.title},
            "opts": self.model._meta,
            "dash": build_dashboard(campaign),
            "embed_snippet": embed_snippet(campaign),
            "embed_invalid": invalid_origins(campaign.embed_allowed_origins),
            "hand_ins": list(HandIn.objects.filter(campaign=campaign)[:5]),
            "can_hand_in": request.user.has_perm("reports.add_handin"),
        }
        return TemplateResponse(request, "reports/dashboard.html", context)

    def signers_csv_view(self, request: HttpRequest, pk: int) -> StreamingHttpResponse:
        campaign = self._campaign(request, pk)
        response = StreamingHttpResponse(stream_signers_csv(campaign), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-signers.csv"'
        return response

    @staticmethod
    def _back(pk: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:reports_campaignreport_dashboard", args=[pk]))

    def hand_in_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self._campaign(request, pk)
        if request.method != "POST" or not request.user.has_perm("reports.add_handin"):
            raise PermissionDenied
        request_hand_in(campaign, request.user)
        messages.success(request, _("The hand-in document is being built; its progress shows below."))
        return self._back(campaign.pk)

    def refresh_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self._campaign(request, pk)
        if request.method != "POST":
            raise PermissionDenied
        rebuild_campaign_rollups.enqueue(campaign.pk)
        messages.success(request, _("The figures are being recounted; reload in a minute."))
        return self._back(campaign.pk)


@admin.register(HandIn)
class HandInAdmin(OrganisationScopedAdmin):
    organisation_path = "campaign__organisation"
    list_display = ["created_at", "campaign", "status", "progress_display", "pages", "download_link"]
    list_filter = ["status"]
    list_select_related = ["campaign"]
    readonly_fields = ["campaign", "status", "total", "done", "pages", "error", "requested_by", "created_at", "finished_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Made from the campaign's dashboard, which knows which campaign.
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("progress"))
    def progress_display(self, obj: HandIn) -> str:
        return format_html('<progress max="100" value="{}">{}%</progress> {}%', obj.percent, obj.percent, obj.percent)

    @admin.display(description=_("download"))
    def download_link(self, obj: HandIn) -> str:
        if obj.status != HandIn.Status.DONE:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:reports_handin_download", args=[obj.pk]), _("Download PDF"))

    def get_urls(self) -> list:
        return [
            path("<uuid:pk>/download/", self.admin_site.admin_view(self.download_view), name="reports_handin_download"),
        ] + super().get_urls()

    def download_view(self, request: HttpRequest, pk: str) -> FileResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return hand_in_download(get_object_or_404(self.get_queryset(request), pk=pk, status=HandIn.Status.DONE))
