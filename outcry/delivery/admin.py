from __future__ import annotations

import email
import email.policy

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import formats, timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from outcry.campaigns.admin import OrganisationScopedAdmin
from outcry.delivery import services
from outcry.delivery.models import Attempt, Message, OutboxEmail, Response, ResponseAttachment
from outcry.delivery.sending import unreachable_since


class MailServerWarning:
    """Outbox pages say when the mail server stopped answering, so nobody wonders why letters wait."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        since = unreachable_since()
        if since is not None:
            when = formats.time_format(timezone.localtime(since), "H:i")
            messages.warning(request, gettext(
                "Mail server unreachable since %(time)s. Messages wait and go out once it answers; nothing is lost."
            ) % {"time": when})
        return super().changelist_view(request, extra_context)  # type: ignore[misc]


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ["started_at", "finished_at", "outcome", "smtp_code", "detail", "worker"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(MailServerWarning, OrganisationScopedAdmin):
    organisation_path = "campaign__organisation"
    list_display = ["created_at", "kind", "campaign", "target", "status", "attempts", "next_try_at", "sent_at", "last_error"]
    list_filter = ["status", "kind", "campaign"]
    list_select_related = ["campaign", "target"]
    readonly_fields = [f.name for f in Message._meta.fields if f.name not in ("claim_token", "lease_expires_at")]
    exclude = ["claim_token", "lease_expires_at"]
    inlines = [AttemptInline]
    actions = ["retry_now"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Retry the selected failed or deferred messages now"), permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = services.retry_now(list(queryset))
        self.message_user(request, ngettext("%d message will be retried.", "%d messages will be retried.", count) % count, messages.SUCCESS)


@admin.register(OutboxEmail)
class OutboxEmailAdmin(MailServerWarning, OrganisationScopedAdmin):
    """What would have been sent with EMAIL_URL unset. Staff see their organisations' campaigns' mail;
    mail that belongs to no campaign (e.g. the server's own) only superusers see."""

    organisation_path = "campaign__organisation"
    list_display = ["created_at", "subject", "to", "campaign"]
    list_filter = ["campaign"]
    list_select_related = ["campaign"]
    search_fields = ["subject", "to"]
    fields = ["created_at", "campaign", "message", "subject", "from_email", "to", "text", "raw"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxEmail | None = None) -> bool:
        return False

    @admin.display(description=_("text"))
    def text(self, obj: OutboxEmail) -> str:
        parsed = email.message_from_string(obj.raw, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        return body.get_content() if body is not None else ""


class AttachmentInline(admin.TabularInline):
    model = ResponseAttachment
    extra = 0
    can_delete = False
    fields = ["filename", "content_type", "size"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Response | None = None) -> bool:
        return False


@admin.register(Response)
class ResponseAdmin(OrganisationScopedAdmin):
    """Replies from targets. Campaigners read them here and choose which to show on the campaign page."""

    organisation_path = "campaign__organisation"
    list_display = ["received_at", "target", "campaign", "subject", "from_target", "automatic", "forwarded", "published"]
    list_filter = ["published", "automatic", "campaign", "target"]
    list_select_related = ["campaign", "target"]
    search_fields = ["subject", "text"]
    inlines = [AttachmentInline]
    fieldsets = [
        (None, {"fields": ["campaign", "target", "letter", "received_at", "from_address", "from_target", "automatic", "subject", "text", "html_shown"]}),
        (_("Checks"), {"fields": ["authentication", "authentication_results", "size", "dropped_list", "forward"]}),
        (_("On the campaign page"), {"fields": ["published", "public_text", "published_at"]}),
    ]
    readonly_fields = [
        "campaign", "target", "letter", "received_at", "from_address", "from_target", "automatic", "subject", "text",
        "html_shown", "authentication", "authentication_results", "size", "dropped_list", "forward", "published_at",
    ]
    actions = ["publish", "unpublish"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("forwarded"), boolean=True)
    def forwarded(self, obj: Response) -> bool:
        return obj.forward_id is not None

    @admin.display(description=_("HTML part (sanitised)"))
    def html_shown(self, obj: Response) -> str:
        # Sanitised by nh3 when received (outcry.delivery.inbound); shown as text all the same, never rendered.
        return obj.html

    @admin.display(description=_("SPF, DKIM, DMARC"))
    def authentication(self, obj: Response) -> str:
        return ", ".join(f"{method}={result}" for method, result in obj.auth.items()) or "—"

    @admin.display(description=_("attachments not kept"))
    def dropped_list(self, obj: Response) -> str:
        return format_html_join(
            "", "<div>{} ({}, {} bytes): {}</div>",
            ((d.get("filename"), d.get("content_type"), d.get("size"), d.get("why")) for d in obj.dropped_attachments),
        ) or "—"

    def save_model(self, request: HttpRequest, obj: Response, form, change: bool) -> None:
        services.publish_response(obj, published=obj.published, public_text=obj.public_text)

    @admin.action(description=_("Show the selected replies on their campaign pages"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Response]) -> None:
        for response in queryset:
            services.publish_response(response, published=True, public_text=response.public_text)

    @admin.action(description=_("Take the selected replies off their campaign pages"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Response]) -> None:
        for response in queryset:
            services.publish_response(response, published=False, public_text=response.public_text)
