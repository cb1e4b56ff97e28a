"""What the outside review of issue 13 attacked and found holding, kept so: Host and X-Forwarded-* headers never
reach a shared page or an emailed link, drafts are 404 to anonymous visitors everywhere they could show, and
bodies of 30 MB are refused before any work. (Also held and tested elsewhere: cross-organisation admin scoping
in test_cross_organisation.py, CSV formula quoting in tests/actions/test_export.py, API bounds in
tests/api/test_organisation_api.py, private webhook targets in tests/integrations/test_webhook_ssrf.py and
cross-site forms in a real browser in tests/browser/test_cross_site_forms.py.)"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db

FORGED = {
    "HTTP_X_FORWARDED_HOST": "evil.example", "HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_PORT": "6666",
    "HTTP_X_FORWARDED_FOR": "203.0.113.9", "HTTP_FORWARDED": "host=evil.example;proto=https", "HTTP_X_HOST": "evil.example",
    "HTTP_X_ORIGINAL_URL": "/evil", "HTTP_X_REWRITE_URL": "/evil",
}


def test_a_host_header_naming_another_site_is_refused(client, campaign):
    for path in ["/c/free-them/", "/c/free-them/thanks/", "/api/v1/campaigns/free-them/stats", "/privacy/my-data/"]:
        assert Client().get(path, HTTP_HOST="evil.example").status_code == 400, path


@pytest.mark.parametrize("path", ["/c/free-them/", "/fr/c/free-them/", "/c/free-them/thanks/", "/", "/api/v1/campaigns/free-them/stats"])
def test_forwarded_headers_never_reach_a_shared_page(campaign, path, offer):
    offer(campaign, "fr")
    forged = Client().get(path, **FORGED)
    assert forged.status_code == 200 and b"evil.example" not in forged.content and b"6666" not in forged.content
    assert "evil.example" not in str(forged.headers)
    # The copy a cache now holds, served to the next visitor, is clean too.
    assert b"evil.example" not in Client().get(path).content


def test_forwarded_headers_never_reach_an_emailed_link(client, campaign, supporter, django_capture_on_commit_callbacks):
    act(campaign, email=supporter["email"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/privacy/my-data/", {"email": supporter["email"]}, **FORGED)
    for pk in Message.objects.filter(kind=Message.Kind.DATA_LINK).values_list("pk", flat=True):
        send_due(message_id=pk)
    assert mail.outbox and all("evil.example" not in m.body for m in mail.outbox if m.to == [supporter["email"]])
    assert re.search(r"http://127\.0\.0\.1:8000/privacy/my-data/\S+/", mail.outbox[0].body)


@pytest.mark.parametrize("status", [Campaign.Status.DRAFT])
def test_a_draft_is_404_to_anonymous_visitors_everywhere(client, campaign, supporter, status):
    campaign.status = status
    campaign.save()
    for path in ["/c/free-them/", "/fr/c/free-them/", "/c/free-them/thanks/", "/c/free-them/share.png", "/en/c/free-them/share.png",
                 "/c/free-them/next/", "/api/v1/campaigns/free-them/stats", "/api/v1/campaigns/free-them/integrity"]:
        assert client.get(path).status_code == 404, path
    assert client.post("/c/free-them/", supporter).status_code == 404
    assert b"free-them" not in client.get("/").content
    assert not Action.objects.exists()


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz"])
def test_a_30_mb_body_is_refused(client, campaign, supporter, content_type):
    if content_type.startswith("multipart"):
        body = (b"--xyz\r\nContent-Disposition: form-data; name=\"letter_text\"\r\n\r\n" + b"x" * 30_000_000 + b"\r\n--xyz--\r\n")
    else:
        body = b"first_name=Amal&email=a%40example.com&letter_text=" + b"x" * 30_000_000
    response = client.generic("POST", "/c/free-them/", body, content_type=content_type)
    assert response.status_code in (400, 413)
    assert not Action.objects.exists()
