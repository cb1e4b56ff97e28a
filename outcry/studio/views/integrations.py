"""The organisation's API tokens and webhooks, for its owners: create (the token or signing secret shown
once, on the answer to the POST, never stored in the clear), list, revoke a token, test-send and delete a
webhook. The same services as the admin's; each change is logged in the admin's history too."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from outcry.integrations import services
from outcry.integrations.forms import ApiTokenForm, WebhookForm
from outcry.lib import safe_http
from outcry.lib.client import see_other
from outcry.studio.access import Access, Role, studio_view
from outcry.studio.listing import chosen, paginate
from outcry.studio.services import record_in_history
from outcry.studio.views import _page

SHOWN = ("tokens", "webhooks")
STATES = ("active", "inactive")


def _here(access: Access, show: str = "tokens") -> str:
    return reverse("studio:integrations", kwargs={"organisation": access.organisation.slug}) + f"?show={show}"


def _list(request: HttpRequest, access: Access, token_form: ApiTokenForm, webhook_form: WebhookForm, status: int = 200) -> HttpResponse:
    show = chosen(request, "show", SHOWN) or ("webhooks" if webhook_form.is_bound else "tokens")
    state = chosen(request, "state", STATES)
    if show == "tokens":
        rows = access.organisation.api_tokens.select_related("created_by")
        if state:
            rows = rows.filter(revoked_at__isnull=state == "active")
    else:
        rows = access.organisation.webhooks.all()
        if state:
            rows = rows.filter(active=state == "active")
    shown, query = paginate(request, rows, {"show": show, "state": state})
    return _page(
        request, "integrations", access, status=status, show=show, state=state, shown=shown, query=query,
        token_form=token_form, webhook_form=webhook_form,
        states=[("active", _("Active")), ("inactive", _("Revoked") if show == "tokens" else _("Switched off"))],
        signature_header=services.SIGNATURE_HEADER,
    )


def _secret_once(request: HttpRequest, access: Access, *, title: str, secret: str, explanation: str) -> HttpResponse:
    # Rendered straight into this answer: the secret never goes through the session or a message cookie.
    response = _page(request, "secret_once", access, title=title, secret=secret, explanation=explanation)
    response["Cache-Control"] = "no-store"
    return response


@studio_view(Role.OWNER)
def integrations(request: HttpRequest, access: Access) -> HttpResponse:
    return _list(request, access, ApiTokenForm(), WebhookForm())


@studio_view(Role.OWNER)
@require_POST
def create_token(request: HttpRequest, access: Access) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _list(request, access, form, WebhookForm(), status=400)
    row, token = services.create_api_token(organisation=access.organisation, name=form.cleaned_data["name"], user=request.user)
    record_in_history(request.user, row, ADDITION, "Created in the studio.")
    return _secret_once(
        request, access, title=_("Your new API token"), secret=token,
        explanation=_("Send it as \"Authorization: Bearer <token>\". It is shown only now: Outcry keeps a hash, not the token."),
    )


@studio_view(Role.OWNER)
@require_POST
def revoke_token(request: HttpRequest, access: Access, token: int) -> HttpResponse:
    row = get_object_or_404(access.organisation.api_tokens, pk=token)
    if services.revoke_api_tokens(access.organisation.api_tokens.filter(pk=row.pk)):
        record_in_history(request.user, row, CHANGE, "Revoked in the studio.")
        messages.success(request, _("The token “%(name)s” is revoked: the API refuses it from now on.") % {"name": row.name})
    return see_other(_here(access))


@studio_view(Role.OWNER)
@require_POST
def create_webhook(request: HttpRequest, access: Access) -> HttpResponse:
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            webhook, secret = services.create_webhook(organisation=access.organisation, **form.cleaned_data)
        except safe_http.Refused as error:
            form.add_error("url", _("This address cannot receive webhooks: %(why)s.") % {"why": error})
        else:
            record_in_history(request.user, webhook, ADDITION, "Created in the studio.")
            return _secret_once(
                request, access, title=_("Your webhook's signing secret"), secret=secret,
                explanation=_("Each POST carries a %(header)s header: t=<unix time>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with this secret>. It is shown only now.") % {"header": services.SIGNATURE_HEADER},
            )
    return _list(request, access, ApiTokenForm(), form, status=400)


@studio_view(Role.OWNER)
@require_POST
def test_webhook(request: HttpRequest, access: Access, webhook: int) -> HttpResponse:
    hook = get_object_or_404(access.organisation.webhooks, pk=webhook)
    answer = services.send_test_webhook(hook)
    record_in_history(request.user, hook, CHANGE, "Test sent from the studio.")
    if answer.status is not None and 200 <= answer.status < 300:
        messages.success(request, _("The test was received: HTTP %(status)d.") % {"status": answer.status})
    elif answer.status is not None:
        messages.error(request, _("The receiver answered HTTP %(status)d: deliveries would be retried.") % {"status": answer.status})
    else:
        messages.error(request, _("The test was not delivered: %(why)s") % {"why": answer.error})
    return see_other(_here(access, "webhooks"))


@studio_view(Role.OWNER)
@require_POST
def delete_webhook(request: HttpRequest, access: Access, webhook: int) -> HttpResponse:
    hook = get_object_or_404(access.organisation.webhooks, pk=webhook)
    record_in_history(request.user, hook, DELETION, "Deleted in the studio.")
    hook.delete()
    messages.success(request, _("The webhook “%(name)s” is deleted; nothing more is sent to it.") % {"name": hook.name})
    return see_other(_here(access, "webhooks"))
