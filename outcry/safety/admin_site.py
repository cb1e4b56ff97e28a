"""The admin site, with TOTP two-factor for staff (django-otp) when OUTCRY_STAFF_2FA is on."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class OutcryAdminSite(admin.AdminSite):
    site_header = "Outcry"
    site_title = "Outcry admin"

    def has_permission(self, request: HttpRequest) -> bool:
        # Without a verified device a staff member is treated as not staff: the admin asks them to log in.
        if not super().has_permission(request):
            return False
        return not settings.OUTCRY_STAFF_2FA or request.user.is_verified()

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if settings.OUTCRY_STAFF_2FA:
            self.login_form = OTPAdminAuthenticationForm
            self.login_template = OTPAdminSite.login_template
        else:
            self.login_form = None
            self.login_template = None
        return super().login(request, extra_context)

    def get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super().get_urls()
        return [
            path("r/<path:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site")
            if getattr(url, "name", None) == "view_on_site" else url
            for url in urls
        ]

    def view_on_site(self, request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
        """Django's "View on site" shortcut redirects to any object's page, so it told a staff member another
        organisation's draft slugs. Here it goes only to objects the model's admin shows this user."""
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, ContentType.DoesNotExist):
            raise Http404 from None
        model_admin = self._registry.get(model) if model is not None else None
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        try:
            visible = model_admin.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise Http404
        return contenttype_views.shortcut(request, content_type_id, object_id)
