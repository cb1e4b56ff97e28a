from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outcry.actions.models import Action
from outcry.campaigns.admin import OrganisationScopedAdmin
from outcry.campaigns.models import Campaign
from outcry.safety import services
from outcry.safety.controls import FIELDS as CONTROL_FIELDS
from outcry.safety.controls import block_hashed_network, save_controls
from outcry.safety.forms import BlockForm, ControlsForm, InvalidateForm, UndoForm
from outcry.safety.models import AuditEntry, CampaignControls, HeldAction, Wave
from outcry.safety.velocity import SHARE_DIMENSIONS, conversion_pattern, find_bursts


class ReadOnlyAdmin(OrganisationScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        # Changing whether actions count is what campaigners may do to actions in the first place.
        return request.user.has_perm("actions.change_action")


@admin.register(HeldAction)
class HeldActionAdmin(ReadOnlyAdmin):
    organisation_path = "campaign__organisation"
    list_display = ["created_at", "campaign", "country", "email_domain", "reasons"]
    list_filter = ["campaign", "flags__reason"]
    list_select_related = ["campaign"]
    actions = ["release", "reject"]
    fields = ["campaign", "created_at", "first_name", "last_name", "email", "country", "postcode", "source", "passed_challenge"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(status=Action.Status.HELD).prefetch_related("flags")

    @admin.display(description=_("why held"))
    def reasons(self, obj: HeldAction) -> str:
        return "; ".join(str(flag) for flag in obj.flags.all())

    @admin.action(description=_("Count the selected actions (reviewed, real people)"), permissions=["review"])
    def release(self, request: HttpRequest, queryset: QuerySet) -> None:
        n = services.release_held(actions=queryset, user=request.user, reason="admin review")
        self.message_user(request, ngettext("%d action counted.", "%d actions counted.", n) % n, messages.SUCCESS)

    @admin.action(description=_("Reject the selected actions (not real)"), permissions=["review"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        n = services.reject_held(actions=queryset, user=request.user, reason="admin review")
        self.message_user(request, ngettext("%d action rejected.", "%d actions rejected.", n) % n, messages.SUCCESS)


@admin.register(Wave)
class WaveAdmin(ReadOnlyAdmin):
    organisation_path = "campaign__organisation"
    list_display = ["created_at", "campaign", "dimension", "short_value", "actions_invalidated", "counted_removed", "created_by", "reason", "undone_at"]
    list_filter = ["campaign", "dimension"]
    list_select_related = ["campaign", "created_by"]
    exclude = ["previous_statuses"]
    change_list_template = "safety/admin/wave_change_list.html"
    change_form_template = "safety/admin/wave_change_form.html"

    @admin.display(description=_("value"))
    def short_value(self, obj: Wave) -> str:
        return obj.value[:16] + ("…" if len(obj.value) > 16 else "")

    def get_urls(self) -> list:
        return [
            path("alerts/", self.admin_site.admin_view(self.alerts_view), name="safety_wave_alerts"),
            path("alerts/review/", self.admin_site.admin_view(self.review_view), name="safety_wave_review"),
            path("alerts/block/", self.admin_site.admin_view(self.block_view), name="safety_wave_block"),
            path("<int:wave_id>/undo/", self.admin_site.admin_view(self.undo_view), name="safety_wave_undo"),
        ] + super().get_urls()

    def _campaigns(self, request: HttpRequest) -> QuerySet[Campaign]:
        return Campaign.objects.for_staff(request.user)

    def alerts_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_review_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = InvalidateForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                # The campaign id comes from the page; only the user's own organisations' campaigns are found.
                campaign = get_object_or_404(self._campaigns(request), pk=data["campaign"])
                try:
                    wave = services.invalidate_wave(
                        campaign=campaign, dimension=data["dimension"], value=data["value"], since=data["since"],
                        until=data["until"], user=request.user, reason=data["reason"], reviewed=data["reviewed"],
                    )
                except services.NeedsReview:
                    return HttpResponseRedirect(self._review_url(form))
                self.message_user(request, _("%(n)d actions invalidated; the count dropped by %(c)d.") % {"n": wave.actions_invalidated, "c": wave.counted_removed}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:safety_wave_changelist"))
            self.message_user(request, _("Please say why this wave is invalid."), messages.ERROR)
        campaigns = list(self._campaigns(request).filter(status=Campaign.Status.LIVE))
        bursts = find_bursts(campaigns)
        rows = []
        for b in bursts:
            form = InvalidateForm(initial={"campaign": b.campaign.pk, "dimension": b.dimension, "value": b.value, "since": b.since, "until": b.until})
            block = BlockForm(initial={"campaign": b.campaign.pk, "ip_hash": b.value}) if b.dimension == Wave.Dimension.IP_HASH else None
            rows.append((b, form, self._review_url(form) if b.dimension in SHARE_DIMENSIONS else "", block))
        context = self.admin_site.each_context(request) | {"title": _("Velocity alerts"), "rows": rows, "opts": self.model._meta}
        return TemplateResponse(request, "safety/admin/alerts.html", context)

    def _review_url(self, form: InvalidateForm) -> str:
        keys = ["campaign", "dimension", "value", "since", "until"]
        values = form.cleaned_data if form.is_bound else form.initial
        return reverse("admin:safety_wave_review") + "?" + urlencode({k: str(values[k]) for k in keys})

    def review_view(self, request: HttpRequest) -> HttpResponse:
        """A wave's conversion pattern (time spread, networks, providers, who shared), and only then the
        button that invalidates it."""
        if not self.has_review_permission(request):
            raise PermissionDenied
        form = InvalidateForm(request.GET.dict() | {"reason": "-"})  # the reason is asked for below
        if not form.is_valid():
            raise Http404
        data = form.cleaned_data
        campaign = get_object_or_404(self._campaigns(request), pk=data["campaign"])
        pattern = conversion_pattern(campaign, data["dimension"], data["value"], data["since"], data["until"])
        confirm = InvalidateForm(initial={k: data[k] for k in ["campaign", "dimension", "value", "since", "until"]} | {"reviewed": True})
        context = self.admin_site.each_context(request) | {
            "title": _("Review a wave before invalidating it"), "opts": self.model._meta, "campaign": campaign,
            "dimension": Wave.Dimension(data["dimension"]).label, "value": data["value"], "since": data["since"],
            "until": data["until"], "pattern": pattern, "form": confirm, "is_share": data["dimension"] in SHARE_DIMENSIONS,
        }
        return TemplateResponse(request, "safety/admin/wave_review.html", context)

    def block_view(self, request: HttpRequest) -> HttpResponse:
        """Refuse further actions from a wave's network on its campaign, knowing the network only by its hash."""
        if request.method != "POST" or not request.user.has_perm("safety.change_campaigncontrols"):
            raise PermissionDenied
        form = BlockForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _("Please say why you block this network."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:safety_wave_alerts"))
        campaign = get_object_or_404(self._campaigns(request), pk=form.cleaned_data["campaign"])
        block_hashed_network(campaign=campaign, ip_hash=form.cleaned_data["ip_hash"], user=request.user, reason=form.cleaned_data["reason"])
        self.message_user(request, _("This network's next actions on %(campaign)s are refused (Spike controls).") % {"campaign": campaign}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:safety_wave_alerts"))

    def undo_view(self, request: HttpRequest, wave_id: int) -> HttpResponse:
        wave = get_object_or_404(self.get_queryset(request), pk=wave_id)
        if not self.has_review_permission(request) or request.method != "POST":
            raise PermissionDenied
        form = UndoForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _("Please say why you undo this invalidation."), messages.ERROR)
        else:
            n = services.undo_wave(wave=wave, user=request.user, reason=form.cleaned_data["reason"])
            self.message_user(request, _("%(n)d actions restored.") % {"n": n}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:safety_wave_change", args=[wave.pk]))

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        extra_context = (extra_context or {}) | {"undo_form": UndoForm()}
        return super().changeform_view(request, object_id, form_url, extra_context)


class AdminControlsForm(ControlsForm):
    class Meta(ControlsForm.Meta):
        fields = ["campaign", *CONTROL_FIELDS]


@admin.register(CampaignControls)
class CampaignControlsAdmin(OrganisationScopedAdmin):
    """Per-campaign limits, allowed and blocked networks and domains; in force within
    OUTCRY_CONTROLS_SECONDS of saving, each change audited (outcry/safety/controls.py)."""

    organisation_path = "campaign__organisation"
    form = AdminControlsForm
    list_display = ["campaign", "ip_limit", "domain_limit", "updated_at", "updated_by"]
    list_select_related = ["campaign", "updated_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: CampaignControls | None = None) -> list[str]:
        return ["campaign"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Emptying the fields is the audited way back to the defaults.
        return False

    def save_model(self, request: HttpRequest, obj: CampaignControls, form: forms.ModelForm, change: bool) -> None:
        values = {field: form.cleaned_data[field] for field in CONTROL_FIELDS}
        saved = save_controls(campaign=obj.campaign, user=request.user, values=values, reason=form.cleaned_data["reason"])
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list, change: bool) -> None:
        pass  # no relations of its own; save_model stored everything through the service


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "campaign", "actor", "actor_label", "actions_affected", "count_change", "reason", "details"]
    list_filter = ["kind", "campaign"]
    list_select_related = ["campaign", "actor"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(campaign__organisation__staff=request.user).distinct()

