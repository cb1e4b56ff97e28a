from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outcry.campaigns.admin import OrganisationScopedAdmin
from outcry.integrations.models import ApiToken, Webhook, WebhookAttempt, WebhookDelivery
from outcry.integrations.services import SIGNATURE_HEADER, create_api_token, hash_token, new_webhook_secret, revoke_api_tokens


def show_secret_once(request: HttpRequest, admin_: admin.ModelAdmin, *, title: str, secret: str, explanation: str) -> HttpResponse:
    # Rendered straight into this response: the secret never goes through the session or a message cookie.
    context = admin_.admin_site.each_context(request) | {
        "title": title, "secret": secret, "explanation": explanation, "opts": admin_.model._meta,
    }
    response = TemplateResponse(request, "integrations/secret_once.html", context)
    response["Cache-Control"] = "no-store"
    return response


@admin.register(ApiToken)
class ApiTokenAdmin(OrganisationScopedAdmin):
    list_display = ["name", "organisation", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["organisation", "name"]
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:
        row, token = create_api_token(organisation=obj.organisation, name=obj.name, user=request.user)
        obj.pk, obj.prefix, obj.token_hash = row.pk, row.prefix, hash_token(token)
        request._outcry_secret = token

    def response_add(self, request: HttpRequest, obj: ApiToken, post_url_continue=None) -> HttpResponse:
        return show_secret_once(
            request, self, title=_("Your new API token"), secret=request._outcry_secret,
            explanation=_("Send it as \"Authorization: Bearer <token>\". It is shown only now: Outcry keeps a hash, not the token."),
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoke_api_tokens(queryset)


@admin.register(Webhook)
class WebhookAdmin(OrganisationScopedAdmin):
    list_display = ["name", "organisation", "url", "active", "secret_prefix", "created_at"]
    fields = ["organisation", "name", "url", "active", "secret_prefix"]
    readonly_fields = ["secret_prefix"]
    actions = ["rotate_secret"]

    def save_model(self, request: HttpRequest, obj: Webhook, form, change: bool) -> None:
        if not change:
            request._outcry_secret = new_webhook_secret(obj)
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj: Webhook, post_url_continue=None) -> HttpResponse:
        return self._secret_page(request, request._outcry_secret)

    def _secret_page(self, request: HttpRequest, secret: str) -> HttpResponse:
        return show_secret_once(
            request, self, title=_("Your webhook's signing secret"), secret=secret,
            explanation=_("Each POST carries a %(header)s header: t=<unix time>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with this secret>. It is shown only now.") % {"header": SIGNATURE_HEADER},
        )

    @admin.action(description=_("Rotate the signing secret (one webhook)"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one webhook to rotate its secret."), level="error")
            return None
        webhook = queryset.get()
        secret = new_webhook_secret(webhook)
        webhook.save(update_fields=["secret_salt", "secret_prefix"])
        return self._secret_page(request, secret)


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["at", "status_code", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OrganisationScopedAdmin):
    organisation_path = "webhook__organisation"
    list_display = ["created_at", "webhook", "action_id", "status", "attempts", "next_try_at", "delivered_at"]
    list_filter = ["status", "webhook"]
    list_select_related = ["webhook"]
    readonly_fields = ["webhook", "action", "status", "attempts", "next_try_at", "delivered_at", "created_at"]
    fields = readonly_fields
    inlines = [AttemptInline]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Retry the selected deliveries now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        from outcry.integrations.tasks import deliver_webhooks

        queryset.exclude(status=WebhookDelivery.Status.DELIVERED).update(
            status=WebhookDelivery.Status.RETRYING, next_try_at=timezone.now()
        )
        deliver_webhooks.enqueue()
