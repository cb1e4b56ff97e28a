from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from outcry.campaigns.admin import OrganisationScopedAdmin
from outcry.delivery.models import Message, OutboxEmail


@admin.register(Message)
class MessageAdmin(OrganisationScopedAdmin):
    organisation_path = "campaign__organisation"
    list_display = ["created_at", "kind", "campaign", "target", "status", "attempts", "next_try_at", "last_error"]
    list_filter = ["status", "kind", "campaign"]
    list_select_related = ["campaign", "target"]
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "to"]
    search_fields = ["subject", "to"]
    readonly_fields = ["created_at", "subject", "from_email", "to", "raw"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        # The outbox holds every organisation's mail: only superusers read it whole.
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser
