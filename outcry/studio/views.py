from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django_otp.forms import OTPAuthenticationForm

from outcry.actions import counting
from outcry.campaigns.progress import progress
from outcry.studio.access import SESSION_KEY, Access, Role, memberships, signed_in, studio_view


class LoginView(auth_views.LoginView):
    """Django's login, counted by django-axes (its backend sees every attempt); with the site's
    two-factor setting on, the same TOTP form as the admin."""

    template_name = "studio/login.html"
    redirect_authenticated_user = False
    next_page = reverse_lazy("studio:home")

    def get_form_class(self) -> type[AuthenticationForm]:
        return OTPAuthenticationForm if settings.OUTCRY_STAFF_2FA else AuthenticationForm


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("studio:login")


def home(request: HttpRequest) -> HttpResponse:
    """The organisation worked on last, else the first; a page saying so when there is none."""
    if not signed_in(request):
        return redirect("studio:login")
    mine = memberships(request.user)
    if not mine:
        return render(request, "studio/no_organisation.html", {"mine": mine}, status=403)
    last = request.session.get(SESSION_KEY)
    chosen = next((m for m in mine if m.organisation.slug == last), mine[0])
    return redirect("studio:organisation", organisation=chosen.organisation.slug)


@studio_view(Role.VIEWER)
def organisation(request: HttpRequest, access: Access) -> HttpResponse:
    campaigns = list(access.organisation.campaigns.order_by("status", "-updated_at"))
    counts = counting.get_counts(c.pk for c in campaigns)
    rows = [(c, counts[c.pk], progress(counts[c.pk], c.goal)) for c in campaigns]
    return render(request, "studio/organisation.html", {"access": access, "rows": rows, "mine": memberships(request.user)})


@studio_view(Role.VIEWER)
def campaign(request: HttpRequest, access: Access) -> HttpResponse:
    return render(request, "studio/campaign.html", {"access": access, "campaign": access.campaign, "mine": memberships(request.user)})
