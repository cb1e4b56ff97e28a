"""Writing and sending campaign updates, until the studio has its own pages for them."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outcry.campaigns.admin import OrganisationScopedAdmin
from outcry.campaigns.models import CampaignUpdate, UpdateTranslation
from outcry.updates import services


class UpdateTranslationInline(admin.StackedInline):
    model = UpdateTranslation
    extra = 0
    fields = ["language", "title", "body"]


@admin.register(CampaignUpdate)
class CampaignUpdateAdmin(OrganisationScopedAdmin):
    organisation_path = "campaign__organisation"
    list_display = ["title", "campaign", "created_at", "published", "sending"]
    list_filter = ["campaign"]
    fields = ["campaign", "title", "body", "published", "sending"]
    readonly_fields = ["sending"]
    inlines = [UpdateTranslationInline]
    actions = ["send_test", "send_to_supporters"]

    @admin.display(description=_("sent to supporters"))
    def sending(self, update: CampaignUpdate) -> str:
        if update.pk is None or update.send_requested_at is None:
            return _("Not sent. Use “Send to supporters” in the list when it is ready.")
        done = services.progress(update)
        queued = _("every email queued") if update.send_finished_at else _("still queuing")
        return format_html(
            "{}: {} sent, {} waiting, {} failed, {} cancelled ({})",
            update.send_requested_at.strftime("%Y-%m-%d %H:%M"), done["sent"],
            done["pending"] + done["deferred"] + done["sending"], done["failed"], done["cancelled"], queued,
        )

    @admin.action(description=_("Send me a test copy"))
    def send_test(self, request: HttpRequest, queryset: QuerySet[CampaignUpdate]) -> None:
        if not request.user.email:
            self.message_user(request, _("Your account has no email address to send the test to."), messages.ERROR)
            return
        for update in queryset:
            services.send_test(update, request.user.email)
        self.message_user(request, _("A test copy of each is on its way to %(email)s.") % {"email": request.user.email})

    @admin.action(description=_("Send to supporters who asked for updates"))
    def send_to_supporters(self, request: HttpRequest, queryset: QuerySet[CampaignUpdate]) -> None:
        started = sum(services.request_send(update) for update in queryset)
        self.message_user(request, ngettext(
            "%(n)d update is being sent. Its progress shows on its page.",
            "%(n)d updates are being sent. Their progress shows on their pages.", started,
        ) % {"n": started})
