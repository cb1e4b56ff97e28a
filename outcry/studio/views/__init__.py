from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.forms import OTPAuthenticationForm
from django_otp.models import Device

from outcry.actions import counting
from outcry.actions.exports import CSV_COLUMNS
from outcry.actions.forms import ActionForm, default_country
from outcry.actions.models import Action
from outcry.campaigns.checklist import Checklist, missing_translations, publish_checklist
from outcry.campaigns.models import Campaign, StoryImage, story_pictures
from outcry.campaigns.progress import progress
from outcry.campaigns.services import close as close_campaign
from outcry.campaigns.services import create_draft, duplicate_campaign, publish, save_campaign
from outcry.campaigns.views import page_context, thanks_context
from outcry.lib import rich_text
from outcry.lib.client import see_other
from outcry.lib.csv_export import stream_csv
from outcry.reports.dashboard import build_dashboard
from outcry.reports.embedding import embed_snippet, invalid_origins
from outcry.reports.handin import hand_in_download, stream_signers_csv
from outcry.reports.models import HandIn
from outcry.reports.services import request_hand_in
from outcry.safety.controls import save_controls
from outcry.safety.forms import ControlsForm
from outcry.safety.models import AuditEntry, CampaignControls
from outcry.safety.services import reject_held, release_held
from outcry.studio import services as studio_services
from outcry.studio import two_factor as two_factor_service
from outcry.studio.access import SESSION_KEY, Access, Role, memberships, not_signed_in, signed_in, studio_view
from outcry.studio.forms import (
    CampaignForm,
    InviteForm,
    MemberRoleForm,
    NewCampaignForm,
    OrganisationForm,
    ScheduleForm,
    TargetFormSet,
    TokenForm,
    UpdateForm,
)
from outcry.studio.models import Invitation
from outcry.studio.previews import as_if_live, preview_url, previewed_campaign
from outcry.studio.two_factor import has_device
from outcry.updates import services as update_services


class TwoFactorLoginForm(OTPAuthenticationForm):
    """The admin's TOTP form, except that a person with no device yet gets in with the password and is
    sent to enrol one (studio.access.not_signed_in) before any other studio page."""

    def clean_otp(self, user: User | None) -> None:
        if user is not None and not has_device(user):
            return
        super().clean_otp(user)

    def _chosen_device(self, user: User) -> Device | None:
        # No device list to pick from: the code itself says which device it is for.
        return two_factor_service.device_for_code(user, (self.cleaned_data.get("otp_token") or "").strip())


class LoginView(auth_views.LoginView):
    """Django's login, counted by django-axes (its backend sees every attempt); with the site's
    two-factor setting on, a TOTP or recovery code too."""

    template_name = "studio/login.html"
    redirect_authenticated_user = False
    next_page = reverse_lazy("studio:home")

    def get_form_class(self) -> type[AuthenticationForm]:
        return TwoFactorLoginForm if settings.OUTCRY_STAFF_2FA else AuthenticationForm


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("studio:login")


def home(request: HttpRequest) -> HttpResponse:
    """The organisation worked on last, else the first; a page saying so when there is none."""
    if not signed_in(request):
        return not_signed_in(request)
    mine = memberships(request.user)
    if not mine:
        return render(request, "studio/no_organisation.html", {"mine": mine}, status=403)
    last = request.session.get(SESSION_KEY)
    chosen = next((m for m in mine if m.organisation.slug == last), mine[0])
    return redirect("studio:organisation", organisation=chosen.organisation.slug)


@studio_view(Role.VIEWER)
def organisation(request: HttpRequest, access: Access) -> HttpResponse:
    status = request.GET.get("status", "")
    campaigns = access.organisation.campaigns.order_by("status", "-updated_at")
    if status in Campaign.Status.values:
        campaigns = campaigns.filter(status=status)
    shown = Paginator(campaigns, 25).get_page(request.GET.get("page"))
    counts = counting.get_counts(c.pk for c in shown)
    rows = [(c, counts[c.pk], progress(counts[c.pk], c.goal)) for c in shown]
    return _page(request, "organisation", access, rows=rows, shown=shown, chosen=status, statuses=Campaign.Status.choices)


def _page(request: HttpRequest, template: str, access: Access, status: int = 200, **context: object) -> HttpResponse:
    context |= {"access": access, "campaign": access.campaign, "mine": memberships(request.user)}
    return render(request, f"studio/{template}.html", context, status=status)


@studio_view(Role.VIEWER)
def campaign(request: HttpRequest, access: Access) -> HttpResponse:
    return overview(request, access, publish_checklist(access.campaign))


@studio_view(Role.EDITOR)
@require_POST
def go_live(request: HttpRequest, access: Access) -> HttpResponse:
    checklist = publish(access.campaign, actor=request.user)  # type: ignore[arg-type]
    if not checklist.can_go_live:
        return overview(request, access, checklist, status=400)
    messages.success(request, _("The campaign is live."))
    return see_other(reverse("studio:campaign", kwargs={"pk": access.campaign.pk}))


@studio_view(Role.EDITOR)
@require_POST
def close(request: HttpRequest, access: Access) -> HttpResponse:
    """Stop new actions; the page and the count stay."""
    close_campaign(access.campaign, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The campaign is closed: its page stays, new actions are refused."))
    return see_other(reverse("studio:campaign", kwargs={"pk": access.campaign.pk}))


def overview(
    request: HttpRequest, access: Access, checklist: Checklist, status: int = 200, schedule_form: ScheduleForm | None = None,
) -> HttpResponse:
    """The campaign's overview: status, checklist, schedule, preview link and translations."""
    if schedule_form is None and access.can_edit and access.campaign.status != Campaign.Status.CLOSED:
        schedule_form = ScheduleForm(instance=access.campaign)
    return _page(
        request, "campaign", access, status=status, checklist=checklist, languages=_language_rows(access.campaign),
        preview_url=preview_url(access.campaign), preview_days=settings.OUTCRY_PREVIEW_LINK_DAYS,
        schedule_form=schedule_form, blocked_opening=AuditEntry.objects.filter(campaign=access.campaign, kind=AuditEntry.Kind.OPENING_BLOCKED).first()
        if access.campaign.status == Campaign.Status.DRAFT else None,
    )


@studio_view(Role.EDITOR)
def targets(request: HttpRequest, access: Access) -> HttpResponse:
    """Who the letters go to; the checklist reads these before the campaign may go live."""
    formset = TargetFormSet(request.POST or None, instance=access.campaign)
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            formset.save()
        messages.success(request, _("Targets saved."))
        return see_other(request.path)
    return _page(request, "targets", access, status=400 if formset.errors and request.method == "POST" else 200, formset=formset)


@studio_view(Role.EDITOR)
@require_POST
def duplicate(request: HttpRequest, access: Access) -> HttpResponse:
    created = duplicate_campaign(access.campaign)
    messages.success(request, _("This is a new draft, copied from “%(title)s”.") % {"title": access.campaign.title})
    return see_other(reverse("studio:edit", kwargs={"pk": created.pk}))


@studio_view(Role.EDITOR)
def new_campaign(request: HttpRequest, access: Access) -> HttpResponse:
    form = NewCampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = create_draft(organisation=access.organisation, **form.cleaned_data)
        return see_other(reverse("studio:edit", kwargs={"pk": created.pk}))
    return _page(request, "new_campaign", access, status=400 if form.errors else 200, form=form)


@studio_view(Role.EDITOR)
def edit(request: HttpRequest, access: Access) -> HttpResponse:
    """The campaign's default-language text. "Show the story" renders it without saving."""
    form = CampaignForm(request.POST or None, request.FILES or None, instance=access.campaign)
    if request.method == "POST" and form.is_valid() and "show" not in request.POST:
        save_campaign(form.instance, form.changed_data)
        messages.success(request, _("Saved."))
        return see_other(reverse("studio:edit", kwargs={"pk": access.campaign.pk}))
    shown = rich_text.render_text(
        form["story"].value() or "", form["text_format"].value() or rich_text.MARKDOWN, story_pictures(access.organisation.pk),
    )
    return _page(request, "edit", access, status=400 if form.errors else 200, form=form, shown_story=shown)


@studio_view(Role.EDITOR)
@require_POST
def render_story(request: HttpRequest, access: Access) -> HttpResponse:
    """The editor's live preview (studio/js/editor.js): the same rendering as the page, nothing saved.
    X-Images-Pending tells the script to ask again while an uploaded image is still being prepared."""
    html = rich_text.render_text(
        request.POST.get("story", "")[:100_000], request.POST.get("text_format", rich_text.MARKDOWN),
        story_pictures(access.organisation.pk),
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["X-Images-Pending"] = str(int(access.campaign.story_images.filter(state=StoryImage.State.PENDING).exists()))
    return response


def _language_rows(campaign: Campaign) -> list[tuple[str, str, int]]:
    translations = {t.language: t for t in campaign.translations.all()}
    return [
        (code, name, len(missing_translations(campaign, translations.get(code))))
        for code, name in settings.LANGUAGES if code != campaign.language
    ]


def _previewed(token: str, language: str) -> tuple[Campaign, dict[str, str]]:
    campaign = previewed_campaign(token)
    if campaign is None:
        raise Http404
    links = {
        "page": reverse("studio:preview", kwargs={"token": token}),
        "thanks": reverse("studio:preview_thanks", kwargs={"token": token}),
    }
    return as_if_live(campaign, language), links


def _private(response: HttpResponse) -> HttpResponse:
    # The address is the key: never cached by anyone, never sent to another site as a referrer. Not
    # "no-referrer": with it the browser posts the preview's form with Origin: null, which CSRF refuses.
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def preview(request: HttpRequest, token: str) -> HttpResponse:
    """The page, its form and the letter signed with a sample name; the form leads to the thank-you preview."""
    campaign, links = _previewed(token, get_language())
    sample = {"first_name": _("Alex"), "last_name": _("Example"), "email": "alex@example.org", "country": default_country(request.headers.get("Accept-Language", ""))}
    context = page_context(campaign, sample["country"]) | {
        "form": ActionForm(initial=sample, campaign=campaign), "form_action": links["thanks"], "preview_links": links,
    }
    return _private(render(request, "campaigns/page.html", context))


@require_http_methods(["GET", "POST"])
def preview_thanks(request: HttpRequest, token: str) -> HttpResponse:
    """The thank-you page as a supporter sees it; whatever was posted is dropped unread."""
    campaign, links = _previewed(token, get_language())
    return _private(render(request, "campaigns/thanks.html", thanks_context(campaign, None, "", state="counted") | {"preview_links": links}))


@studio_view(Role.VIEWER)
def dashboard(request: HttpRequest, access: Access) -> HttpResponse:
    campaign = access.campaign
    held = campaign.actions.filter(status=Action.Status.HELD).order_by("created_at")
    return _page(
        request, "dashboard", access, dash=build_dashboard(campaign),
        held=Paginator(held, 50).get_page(request.GET.get("page")),
        hand_ins=list(HandIn.objects.filter(campaign=campaign)[:5]),
        embed_snippet=embed_snippet(campaign), embed_invalid=invalid_origins(campaign.embed_allowed_origins),
    )


@studio_view(Role.EDITOR)
@require_POST
def build_hand_in(request: HttpRequest, access: Access) -> HttpResponse:
    request_hand_in(access.campaign, request.user)
    messages.success(request, _("The hand-in document is being built; its progress shows below."))
    return see_other(reverse("studio:dashboard", kwargs={"pk": access.campaign.pk}))


@studio_view(Role.VIEWER)
def download_hand_in(request: HttpRequest, access: Access, hand_in: str) -> FileResponse:
    return hand_in_download(get_object_or_404(HandIn, pk=hand_in, campaign=access.campaign, status=HandIn.Status.DONE))


def _csv(rows: Iterator[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@studio_view(Role.VIEWER)
def signers_csv(request: HttpRequest, access: Access) -> StreamingHttpResponse:
    """The hand-in's list (names as targets may see them, countries, dates)."""
    return _csv(stream_signers_csv(access.campaign), f"{access.campaign.slug}-signers.csv")


@studio_view(Role.EDITOR)
def actions_csv(request: HttpRequest, access: Access) -> StreamingHttpResponse:
    """Every action with its email address and consent: personal data, so editors and owners only."""
    return _csv(stream_csv(access.campaign.actions.order_by("pk"), CSV_COLUMNS), f"{access.campaign.slug}-actions.csv")


@studio_view(Role.EDITOR)
@require_POST
def review_held(request: HttpRequest, access: Access) -> HttpResponse:
    chosen = access.campaign.actions.filter(status=Action.Status.HELD, pk__in=request.POST.getlist("action"))
    if request.POST.get("decision") == "release":
        n = release_held(actions=chosen, user=request.user, reason="studio review")
        messages.success(request, ngettext("%d action released: it counts now.", "%d actions released: they count now.", n) % n)
    else:
        n = reject_held(actions=chosen, user=request.user, reason="studio review")
        messages.success(request, ngettext("%d action rejected.", "%d actions rejected.", n) % n)
    return see_other(reverse("studio:dashboard", kwargs={"pk": access.campaign.pk}))


@studio_view(Role.EDITOR)
def controls(request: HttpRequest, access: Access) -> HttpResponse:
    """Spike controls: the same form, service and audit as the admin's."""
    row = CampaignControls.objects.filter(campaign=access.campaign).first() or CampaignControls(campaign=access.campaign)
    form = ControlsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        save_controls(campaign=access.campaign, user=request.user, values=form.cleaned_data, reason=form.cleaned_data["reason"])
        messages.success(request, _("Saved. The new rules apply to the next actions, within a few seconds."))
        return see_other(reverse("studio:controls", kwargs={"pk": access.campaign.pk}))
    changes = AuditEntry.objects.filter(campaign=access.campaign, kind=AuditEntry.Kind.CONTROLS).select_related("actor")[:10]
    return _page(request, "controls", access, status=400 if form.errors else 200, form=form, changes=changes)


@studio_view(Role.VIEWER)
def updates(request: HttpRequest, access: Access) -> HttpResponse:
    form = UpdateForm(request.POST or None)
    if request.method == "POST":
        if not access.can_edit:
            raise PermissionDenied
        if form.is_valid():
            form.instance.campaign = access.campaign
            written = form.save()
            return see_other(reverse("studio:update", kwargs={"pk": access.campaign.pk, "update": written.pk}))
    rows = [(u, update_services.progress(u)) for u in access.campaign.updates.all()]
    return _page(request, "updates", access, status=400 if form.errors else 200, form=form, rows=rows)


@studio_view(Role.VIEWER)
def update(request: HttpRequest, access: Access, update: int) -> HttpResponse:
    """One update: edit it until it is sent, see it as supporters will, send a test, send it, follow its sending."""
    item = get_object_or_404(access.campaign.updates, pk=update)
    form = UpdateForm(request.POST or None, instance=item)
    if request.method == "POST":
        if not access.can_edit:
            raise PermissionDenied
        if "send_test" in request.POST:
            if request.user.email:
                update_services.send_test(item, request.user.email)
                messages.success(request, _("A test copy is on its way to %(email)s.") % {"email": request.user.email})
            else:
                messages.error(request, _("Your account has no email address to send the test to."))
            return see_other(request.path)
        if "send" in request.POST:
            if update_services.request_send(item):
                messages.success(request, _("The update is being sent; its progress shows below."))
            return see_other(request.path)
        if item.send_requested_at is None and form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return see_other(request.path)
    return _page(
        request, "update", access, status=400 if form.errors else 200, form=form, item=item,
        recipients=update_services.recipients(item).count(), progress=update_services.progress(item),
    )


@studio_view(Role.OWNER)
def organisation_settings(request: HttpRequest, access: Access) -> HttpResponse:
    """The organisation's privacy notice, its branding on public pages and the name its emails come from."""
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=access.organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return see_other(request.path)
    return _page(request, "settings", access, status=400 if form.errors else 200, form=form)


@studio_view(Role.OWNER)
def team(request: HttpRequest, access: Access) -> HttpResponse:
    """Members and their roles, open invitations, and the form that invites someone by email."""
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        studio_services.invite(organisation=access.organisation, invited_by=request.user, **form.cleaned_data)
        messages.success(request, _("The invitation is on its way to %(email)s.") % {"email": form.cleaned_data["email"]})
        return see_other(request.path)
    members = access.organisation.memberships.select_related("user").order_by("user__username")
    rows = [(m, MemberRoleForm(initial={"member": m.pk, "role": m.role}, prefix=f"m{m.pk}")) for m in members]
    invitations = access.organisation.invitations.filter(accepted_at__isnull=True)
    return _page(request, "team", access, status=400 if form.errors else 200, form=form, rows=rows, invitations=invitations)


@studio_view(Role.OWNER)
@require_POST
def member(request: HttpRequest, access: Access, membership: int) -> HttpResponse:
    """Change a member's role, or remove them; an organisation always keeps an owner."""
    chosen = get_object_or_404(access.organisation.memberships, pk=membership)
    try:
        if "remove" in request.POST:
            studio_services.remove_member(chosen)
        elif request.POST.get("role") in Role.values:
            studio_services.change_role(chosen, request.POST["role"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return see_other(reverse("studio:team", kwargs={"organisation": access.organisation.slug}))


@studio_view(Role.VIEWER)
@require_POST
def leave(request: HttpRequest, access: Access) -> HttpResponse:
    mine = get_object_or_404(access.organisation.memberships, user=request.user)
    try:
        studio_services.remove_member(mine)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return see_other(reverse("studio:organisation", kwargs={"organisation": access.organisation.slug}))
    request.session.pop(SESSION_KEY, None)
    return see_other(reverse("studio:home"))


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An emailed invitation: join with the account one is signed in to, or create one here."""
    invitation = studio_services.invitation_from_token(token)
    if invitation is None:
        return render(request, "studio/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        if request.method == "POST":
            return _join(invitation, request.user)  # type: ignore[arg-type]
        return render(request, "studio/accept.html", {"invitation": invitation, "form": None})
    form: UserCreationForm[User] = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.email = invitation.email
        user.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return _join(invitation, user)
    return render(request, "studio/accept.html", {"invitation": invitation, "form": form}, status=400 if form.errors else 200)


def _join(invitation: Invitation, user: User) -> HttpResponse:
    studio_services.accept(invitation, user)
    return see_other(reverse("studio:organisation", kwargs={"organisation": invitation.organisation.slug}))


@login_required(login_url=reverse_lazy("studio:login"))
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the key), confirm one code, keep the recovery codes."""
    if has_device(request.user):  # type: ignore[arg-type]
        return render(request, "studio/two_factor.html", {"enrolled": True, "mine": memberships(request.user)})
    device = two_factor_service.pending_device(request.user)  # type: ignore[arg-type]
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor_service.confirm_device(device, form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            return render(request, "studio/two_factor.html", {"codes": codes, "next": _next_or_home(request), "mine": memberships(request.user)})
        form.add_error("code", _("That code does not match. Check the time on your phone and try the newest code."))
    context = {
        "form": form, "qr": two_factor_service.qr_svg(device), "secret": two_factor_service.secret_text(device),
        "next": _next_or_home(request), "mine": memberships(request.user),
    }
    return render(request, "studio/two_factor.html", context, status=400 if form.errors else 200)


def _next_or_home(request: HttpRequest) -> str:
    wanted = request.GET.get("next") or request.POST.get("next") or ""
    return wanted if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}) else reverse("studio:home")
