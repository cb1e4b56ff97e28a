from __future__ import annotations

import copy
import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms.models import construct_instance
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from outcry.campaigns import partners
from outcry.campaigns.checklist import publish_checklist
from outcry.campaigns.models import Campaign, CampaignTranslation, LearnMoreLink, Membership, Organisation, Partnership, Target


def _is_relation(model: type, path: str) -> bool:
    return get_fields_from_path(model, path)[-1].is_relation


class OrganisationScopedAdmin(admin.ModelAdmin):
    """Staff see and change only what belongs to their own organisations; superusers see everything.

    organisation_path is the lookup from the model to its Organisation.
    """

    organisation_path = "organisation"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.organisation_path}__staff": request.user}).distinct()

    def get_list_filter(self, request: HttpRequest) -> list:
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser:
            return filters
        # A plain filter on a relation lists every row of the related table: other organisations'
        # campaign titles and names. Offer only the values found in this user's own rows.
        return [(f, admin.RelatedOnlyFieldListFilter) if isinstance(f, str) and _is_relation(self.model, f) else f for f in filters]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if not request.user.is_superuser:
            if db_field.related_model is Organisation:
                kwargs["queryset"] = Organisation.objects.filter(staff=request.user)
            elif db_field.related_model is Campaign:
                kwargs["queryset"] = Campaign.objects.for_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]
    verbose_name_plural = _("Members (they work in the studio at /studio/)")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "website"]
    prepopulated_fields = {"slug": ["name"]}
    exclude = ["staff"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(staff=request.user)

    def get_inlines(self, request: HttpRequest, obj=None) -> list:
        # Here only superusers decide who is staff of an organisation; owners do it in the studio.
        return [MembershipInline] if request.user.is_superuser else []

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


class TargetImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns: name, title, email, country, language. The first row names them."))
    group = forms.CharField(
        label=_("Put them in the group"), max_length=100, required=False,
        help_text=_("e.g. \"The Libyan embassy in your country\". Empty: every supporter writes to each of them."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1_000_000:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return upload


class TranslationsWidget(forms.Widget):
    """A row's words per language (TranslatedFields.translations) as one small input per language and field,
    instead of raw JSON. An empty input shows the default language's words."""

    def __init__(self, fields: tuple[str, ...], attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.fields = fields

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = {}
        words = value if isinstance(value, dict) else {}
        rows = []
        for code, language in settings.LANGUAGES:
            given = words.get(code) if isinstance(words.get(code), dict) else {}
            inputs = format_html_join(" ", '<input type="text" name="{}" value="{}" lang="{}" dir="auto" placeholder="{}" aria-label="{}" size="16">', (
                (f"{name}_{code}_{field}", given.get(field, ""), code, field, f"{field} ({language})") for field in self.fields
            ))
            rows.append(format_html('<div><span title="{}">{}</span> {}</div>', language, code, inputs))
        # Each row went through format_html.
        return format_html('<div class="translations">{}</div>', mark_safe("".join(rows)))

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, dict[str, str]]:
        words: dict[str, dict[str, str]] = {}
        for code, _language in settings.LANGUAGES:
            given = {field: str(data.get(f"{name}_{code}_{field}", "")).strip() for field in self.fields}
            if any(given.values()):
                words[code] = {field: value for field, value in given.items() if value}
        return words

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(key.startswith(f"{name}_") for key in data)


class TranslationsField(forms.Field):
    def __init__(self, fields: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(widget=TranslationsWidget(fields), required=False, **kwargs)

    def to_python(self, value: Any) -> dict:
        return value if isinstance(value, dict) else {}

    def validate(self, value: dict) -> None:
        if any(len(text) > 300 for words in value.values() for text in words.values()):
            raise forms.ValidationError(_("Keep each translation under 300 characters."))

    def has_changed(self, initial: Any, data: Any) -> bool:
        return (initial or {}) != (data or {})


def translations_form(model: type[Target] | type[LearnMoreLink]) -> type[forms.ModelForm]:
    """The inline's form, with the row's translations as fields per language (LearnMoreLink.clean still checks
    a translated address is http(s))."""
    return type(f"{model.__name__}TranslationsForm", (forms.ModelForm,), {
        "translations": TranslationsField(model.TRANSLATABLE, label=_("translations"), help_text=_("Per language: an empty field shows the text above.")),
    })


class TargetInline(admin.TabularInline):
    model = Target
    form = translations_form(Target)
    extra = 1
    fields = ["name", "title", "email", "group", "country", "language", "position", "email_failing_since", "translations"]


class LinkInline(admin.TabularInline):
    model = LearnMoreLink
    form = translations_form(LearnMoreLink)
    extra = 1
    fields = ["title", "url", "date", "position", "translations"]


class TranslationInline(admin.StackedInline):
    model = CampaignTranslation
    extra = 0
    fields = ["language", *CampaignTranslation.TRANSLATED_FIELDS]
    verbose_name_plural = _("Translations (each empty field shows the default language's text)")


class CampaignAdminForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = "__all__"

    def clean(self) -> dict:
        cleaned = super().clean()
        going_live = cleaned.get("status") == Campaign.Status.LIVE and self.initial.get("status") != Campaign.Status.LIVE
        if going_live and not self.errors:
            # The edits as they will be saved; targets and translations are the saved ones (save them first).
            checklist = publish_checklist(construct_instance(self, copy.copy(self.instance)))
            if checklist.problems:
                raise forms.ValidationError(checklist.problems)
        follow_up, organisation = cleaned.get("follow_up_campaign"), cleaned.get("organisation")
        if follow_up and organisation and not partners.may_link(organisation.pk, follow_up.organisation_id):
            self.add_error("follow_up_campaign", _(
                "The follow-up must be a campaign of this organisation or of a partner both organisations agreed to (Partnerships)."
            ))
        return cleaned


@admin.register(Campaign)
class CampaignAdmin(OrganisationScopedAdmin):
    form = CampaignAdminForm
    list_display = ["title", "organisation", "status", "action_kind", "goal", "published_at"]
    list_filter = ["status", "action_kind", "organisation"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TargetInline, LinkInline, TranslationInline]
    change_form_template = "campaigns/admin/campaign_change_form.html"
    fieldsets = [
        (None, {"fields": ["organisation", "title", "slug", "status", "language", "offered_languages", "opens_at", "closes_at"]}),
        (_("Page"), {"fields": ["summary", "hero_image", "hero_alt", "hero_caption", "media_embed_url", "headline", "story", "text_format", "call_to_action"]}),
        (_("Action and goal"), {"fields": ["action_kind", "goal", "message_before_goal", "message_near_goal", "message_after_action", "thank_you_text", "message_after_acting", "consent_wording"]}),
        (_("Sharing"), {"fields": ["share_message", "share_x_text", "share_email_subject", "share_email_body"]}),
        (_("Letter"), {"fields": ["letter_subject", "letter_salutation", "letter_body", "letter_signoff", "allow_personalise", "supporters_choose_targets"]}),
        (_("Delivery"), {"fields": ["delivery_mode", "digest_period", "target_hourly_limit", "double_opt_in", "hold_flagged"]}),
        (_("Emails to supporters"), {
            "fields": ["receipt_subject", "receipt_intro", "confirm_subject", "confirm_intro"],
            "description": _("Leave empty for Outcry's own wording, translated. Your text replaces the greeting and the opening paragraph; the links follow it."),
        }),
        (_("Privacy and embedding"), {"fields": ["withhold_names_from", "retention_days", "embed_allowed_origins"]}),
        (_("Outcome and next step"), {
            "fields": ["outcome_kind", "outcome_text", "outcome_date", "follow_up_campaign", "follow_up_url", "follow_up_label"],
            "description": _("What came of the campaign (a banner on its page), and what supporters may do next (on the thank-you page)."),
        }),
    ]
    readonly_fields = ["published_at", "closed_at"]

    def get_urls(self) -> list:
        urls = [path("<int:pk>/import-targets/", self.admin_site.admin_view(self.import_targets_view), name="campaigns_campaign_import_targets")]
        return urls + super().get_urls()

    def import_targets_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Targets from a CSV file (name, title, email, country, language), with a report of rejected rows."""
        from outcry.campaigns.services import import_targets

        campaign = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, campaign):
            raise PermissionDenied
        form = TargetImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = import_targets(campaign, form.cleaned_data["file"].read(), form.cleaned_data["group"])
        context = self.admin_site.each_context(request) | {
            "opts": self.opts, "campaign": campaign, "form": form, "report": report, "title": _("Import targets"),
        }
        return TemplateResponse(request, "campaigns/admin/import_targets.html", context, status=400 if form.errors else 200)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "follow_up_campaign" and not request.user.is_superuser:
            # The user's own campaigns, and the public ones of their organisations' partners.
            mine = Organisation.objects.filter(staff=request.user).values_list("pk", flat=True)
            theirs = {pk for organisation_id in mine for pk in partners.partner_ids(organisation_id)}
            kwargs["queryset"] = Campaign.objects.for_staff(request.user) | Campaign.objects.public().filter(organisation_id__in=theirs)
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Campaign, form, change: bool) -> None:
        from outcry.campaigns import services

        # Going live and closing take the same path as in the studio and the schedule (audited there).
        if "status" in form.changed_data and obj.status == Campaign.Status.LIVE:
            checklist = services.publish(obj, actor=request.user, changed=form.changed_data)  # type: ignore[arg-type]
            if not checklist.can_go_live:
                # The form checked the saved targets and translations; this save changed them (inlines).
                obj.status = form.initial.get("status") or Campaign.Status.DRAFT
                services.save_campaign(obj, form.changed_data)
                messages.warning(request, " ".join(str(p) for p in checklist.problems))
        elif "status" in form.changed_data and obj.status == Campaign.Status.CLOSED:
            services.close(obj, actor=request.user, changed=form.changed_data)  # type: ignore[arg-type]
        else:
            services.save_campaign(obj, form.changed_data)


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = ["organisation", "partner"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("organisation") and cleaned.get("organisation") == cleaned.get("partner"):
            raise forms.ValidationError(_("An organisation cannot partner with itself."))
        return cleaned


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    """Each side of a coalition, agreed by an owner of that organisation; it holds once both sides agreed.
    Rows are never deleted or edited: "End our side" stamps them, so the list is the audit trail."""

    form = PartnershipForm
    list_display = ["organisation", "partner", "state", "agreed_by", "agreed_at", "ended_by", "ended_at"]
    list_filter = ["ended_at"]
    actions = ["end_sides"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request).select_related("organisation", "partner", "agreed_by", "ended_by")
        return queryset if request.user.is_superuser else queryset.filter(partners.visible_to(request.user)).distinct()

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list:
        return ["organisation", "partner", "agreed_by", "agreed_at", "ended_by", "ended_at"] if obj else []

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "organisation" and not request.user.is_superuser:
            kwargs["queryset"] = Organisation.objects.filter(memberships__user=request.user, memberships__role=Membership.Role.OWNER)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("state"))
    def state(self, obj: Partnership) -> str:
        return {"agreed": _("Both agreed"), "waiting": _("Waiting for the partner to agree"), "ended": _("Ended")}[partners.status(obj)]

    def save_model(self, request: HttpRequest, obj: Partnership, form, change: bool) -> None:
        side = partners.agree(organisation=obj.organisation, partner=obj.partner, user=request.user)
        obj.pk, obj.agreed_by, obj.agreed_at = side.pk, side.agreed_by, side.agreed_at

    @admin.action(description=_("End our side of the selected partnerships"))
    def end_sides(self, request: HttpRequest, queryset: QuerySet) -> None:
        ended = 0
        for side in queryset.filter(ended_at__isnull=True):
            try:
                ended += partners.end(organisation=side.organisation, partner=side.partner, user=request.user)
            except PermissionDenied:
                continue
        self.message_user(request, _("Sides ended: %(n)d.") % {"n": ended})
