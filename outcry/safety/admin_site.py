"""The admin site, with TOTP two-factor for staff (django-otp) when OUTCRY_STAFF_2FA is on."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
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
