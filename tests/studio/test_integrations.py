"""API tokens and webhooks in the studio, for owners: the token and the signing secret are shown once and
only hashes or salts are kept; a webhook to a private address is refused when created and when it
connects; every change is in the admin's history; viewers and editors, and other organisations, cannot."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

from outcry.integrations.models import ApiToken, Webhook
from outcry.integrations.services import hash_token, new_webhook_secret, organisation_for_token, verify, webhook_secret
from tests.integrations.test_webhook_ssrf import internal, production  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def url(organisation, rest: str = "") -> str:
    return f"/studio/o/{organisation.slug}/integrations/{rest}"


def posted(client, path: str) -> str:
    """POST, then the page the 303 leads to (see_other's answer has no .url for follow=True)."""
    response = client.post(path)
    assert response.status_code == 303
    return client.get(response["Location"]).content.decode()


def shown_secret(response) -> str:
    return re.search(r'value="([^"]+)" data-secret', response.content.decode()).group(1)


def test_an_owner_creates_a_token_shown_once_and_stored_hashed_then_revokes_it(as_role, organisation):
    client = as_role("owner")
    response = client.post(url(organisation, "tokens/"), {"token-name": "Nightly export"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    token = shown_secret(response)
    row = ApiToken.objects.get()
    assert token.startswith("outcry_") and row.token_hash == hash_token(token) and token not in row.token_hash
    assert organisation_for_token(token) == organisation
    listing = client.get(url(organisation)).content.decode()
    assert "Nightly export" in listing and row.prefix in listing and token not in listing
    assert LogEntry.objects.get(object_id=str(row.pk), action_flag=ADDITION).user.username == "owner"

    assert client.post(url(organisation, f"tokens/{row.pk}/revoke/")).status_code == 303
    assert organisation_for_token(token) is None
    assert LogEntry.objects.filter(object_id=str(row.pk), action_flag=CHANGE, change_message="Revoked in the studio.").exists()
    revoked = client.get(url(organisation) + "?show=tokens&state=inactive").content.decode()
    active = client.get(url(organisation) + "?show=tokens&state=active").content.decode()
    assert "Nightly export" in revoked and "Nightly export" not in active


def test_an_owner_creates_tests_and_deletes_a_webhook(as_role, organisation, internal):  # noqa: F811
    client = as_role("owner")
    hook_url = f"http://127.0.0.1:{internal.port}/hook"
    response = client.post(url(organisation, "webhooks/"), {"webhook-name": "CRM", "webhook-url": hook_url})
    assert response.status_code == 200
    secret = shown_secret(response)
    hook = Webhook.objects.get()
    assert secret == webhook_secret(hook) and secret not in (hook.secret_salt, hook.secret_prefix)

    assert "The test was received: HTTP 200." in posted(client, url(organisation, f"webhooks/{hook.pk}/test/"))
    method, path, headers = internal.requests[0]
    assert (method, path, headers["Outcry-Event"]) == ("POST", "/hook", "ping")
    assert headers["Outcry-Signature"].startswith("t=")

    assert client.post(url(organisation, f"webhooks/{hook.pk}/delete/")).status_code == 303
    assert not Webhook.objects.exists()
    flags = set(LogEntry.objects.filter(object_id=str(hook.pk)).values_list("action_flag", flat=True))
    assert flags == {ADDITION, CHANGE, DELETION}


def test_the_signature_of_a_test_send_verifies(as_role, organisation, internal, monkeypatch):  # noqa: F811
    bodies = []
    from outcry.lib import safe_http

    real = safe_http.post

    def keep(target, body, headers, **kwargs):
        bodies.append((body, headers))
        return real(target, body, headers, **kwargs)

    monkeypatch.setattr(safe_http, "post", keep)
    hook = Webhook(organisation=organisation, name="CRM", url=f"http://127.0.0.1:{internal.port}/hook")
    secret = new_webhook_secret(hook)
    hook.save()
    as_role("owner").post(url(organisation, f"webhooks/{hook.pk}/test/"))
    body, headers = bodies[0]
    assert verify(secret, headers["Outcry-Signature"], body)


def test_a_webhook_to_a_private_address_is_refused_when_created_and_when_sent(as_role, organisation, internal, production):  # noqa: F811
    client = as_role("owner")
    private = f"http://127.0.0.1:{internal.port}/internal"
    response = client.post(url(organisation, "webhooks/"), {"webhook-name": "Inside", "webhook-url": private})
    assert response.status_code == 400 and "the URL resolves to a private address" in response.content.decode()
    assert not Webhook.objects.exists()

    # One saved before (or whose name resolves elsewhere now) is checked again when it connects.
    hook = Webhook(organisation=organisation, name="Inside", url=private)
    new_webhook_secret(hook)
    hook.save()
    tested = posted(client, url(organisation, f"webhooks/{hook.pk}/test/"))
    assert "The test was not delivered: refused: the URL resolves to a private address" in tested
    assert internal.requests == []


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_viewers_and_editors_cannot_see_create_or_revoke(as_role, organisation, role):
    row = ApiToken.objects.create(organisation=organisation, name="Theirs", prefix="outcry_abc", token_hash="0" * 64)
    hook = Webhook.objects.create(organisation=organisation, name="CRM", url="https://crm.example.org/hook", secret_salt="s")
    client = as_role(role)
    assert client.get(url(organisation)).status_code == 403
    assert client.post(url(organisation, "tokens/"), {"token-name": "mine"}).status_code == 403
    assert client.post(url(organisation, f"tokens/{row.pk}/revoke/")).status_code == 403
    assert client.post(url(organisation, "webhooks/"), {"webhook-name": "x", "webhook-url": "https://x.example/"}).status_code == 403
    assert client.post(url(organisation, f"webhooks/{hook.pk}/delete/")).status_code == 403
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().revoked_at is None and Webhook.objects.count() == 1
    assert "API tokens and webhooks" not in client.get(f"/studio/o/{organisation.slug}/").content.decode()


def test_an_owner_of_another_organisation_reaches_nothing_here_by_url(client, organisation, other_organisation):
    from tests.studio.conftest import member

    row = ApiToken.objects.create(organisation=organisation, name="Ours", prefix="outcry_abc", token_hash="0" * 64)
    hook = Webhook.objects.create(organisation=organisation, name="CRM", url="https://crm.example.org/hook", secret_salt="s")
    client.force_login(member(other_organisation, "their-owner", "owner"))
    assert client.get(url(organisation)).status_code == 404
    # Their own pages do not find our rows either.
    assert client.post(url(other_organisation, f"tokens/{row.pk}/revoke/")).status_code == 404
    assert client.post(url(other_organisation, f"webhooks/{hook.pk}/test/")).status_code == 404
    assert client.post(url(other_organisation, f"webhooks/{hook.pk}/delete/")).status_code == 404
    assert "Ours" not in client.get(url(other_organisation)).content.decode()
    assert ApiToken.objects.get().revoked_at is None and Webhook.objects.exists()
