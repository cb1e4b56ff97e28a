"""The organisation's outbox in the studio: its campaigns' letters and digests with their delivery state,
filtered and paginated; viewers see the states but never a supporter or a letter's text; the CSV streams
without supporters; another organisation's members reach none of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from outcry.campaigns.models import Campaign, Target
from outcry.delivery.models import Attempt, Message
from tests.delivery.conftest import act
from tests.studio.conftest import member

pytestmark = pytest.mark.django_db


def outbox(organisation, rest: str = "") -> str:
    return f"/studio/o/{organisation.slug}/outbox/{rest}"


@pytest.fixture
def letters(campaign) -> list[Message]:
    act(campaign, "Amal", "Haddad", email="amal.secret@example.com")
    rows = list(Message.objects.filter(kind=Message.Kind.LETTER).order_by("pk"))
    assert len(rows) == 2
    minister, president = rows
    Message.objects.filter(pk=minister.pk).update(status=Message.Status.SENT, sent_at=timezone.now(), attempts=1)
    Message.objects.filter(pk=president.pk).update(
        status=Message.Status.DEFERRED, attempts=2, next_try_at=timezone.now() + timedelta(minutes=7), last_error="451 try later",
    )
    Attempt.objects.create(message=president, outcome=Attempt.Outcome.DEFERRED, smtp_code=451, detail="451 try later")
    return rows


def test_every_member_sees_the_letters_and_their_state_filtered(as_role, organisation, campaign, letters):
    client = as_role("viewer")
    page = client.get(outbox(organisation))
    html = page.content.decode()
    assert page.status_code == 200 and "2 messages" in html
    assert "A Minister" in html and "A President" in html and "Sent" in html and "Deferred (will retry)" in html
    assert "451 try later" in html
    deferred = client.get(outbox(organisation) + "?status=deferred").content.decode()
    assert "1 message" in deferred and "A President" in deferred.split("<tbody>")[1] and "A Minister" not in deferred.split("<tbody>")[1]
    minister = Target.objects.get(name="A Minister")
    by_target = client.get(outbox(organisation) + f"?target={minister.pk}&campaign={campaign.pk}").content.decode()
    assert "1 message" in by_target and "Sent" in by_target.split("<tbody>")[1]
    # A filter value from elsewhere is ignored, not obeyed.
    assert "2 messages" in client.get(outbox(organisation) + "?target=999999&status=nonsense").content.decode()


def test_viewers_never_see_a_supporter_or_a_letters_text_editors_do(as_role, organisation, letters):
    president = letters[1]
    viewer = as_role("viewer")
    for path in ["", f"{president.pk}/"]:
        html = viewer.get(outbox(organisation, path)).content.decode()
        assert "amal.secret@example.com" not in html and "Haddad" not in html and "Please free them" not in html
    detail = viewer.get(outbox(organisation, f"{president.pk}/")).content.decode()
    assert "451" in detail and "Temporary failure" in detail

    editor = as_role("editor")
    detail = editor.get(outbox(organisation, f"{president.pk}/")).content.decode()
    assert "amal.secret@example.com" in detail and "Please free them." in detail and "Dear Minister," in detail


def test_the_csv_streams_the_filtered_outbox_without_supporters(as_role, organisation, letters):
    response = as_role("viewer").get(f"/studio/o/{organisation.slug}/outbox.csv?status=sent")
    assert isinstance(response, StreamingHttpResponse) and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("created_at,campaign__slug,kind,target__name,status")
    assert len(lines) == 2 and "A Minister" in lines[1] and ",sent," in lines[1]
    assert "amal" not in body.lower()


def test_the_list_is_paginated_keeping_its_filters(as_role, organisation, campaign):
    target = campaign.targets.first()
    Message.objects.bulk_create([Message(campaign=campaign, target=target, kind=Message.Kind.DIGEST, status=Message.Status.FAILED) for _ in range(60)])
    html = as_role("viewer").get(outbox(organisation) + "?kind=digest").content.decode()
    assert "60 messages" in html and "Page 1 of 2" in html and 'href="?kind=digest&amp;page=2"' in html
    second = as_role("editor").get(outbox(organisation) + "?kind=digest&page=2").content.decode()
    assert second.split("<tbody>")[1].count("<tr>") == 10


def test_supporter_mail_and_other_organisations_letters_are_not_here(client, organisation, campaign, letters, other_organisation):
    receipt = Message.objects.create(campaign=campaign, kind=Message.Kind.RECEIPT, action=letters[0].action)
    theirs = Campaign.objects.create(organisation=other_organisation, slug="theirs", title="Theirs", summary="x")
    their_letter = Message.objects.create(campaign=theirs, kind=Message.Kind.LETTER)
    client.force_login(member(organisation, "editor"))
    assert client.get(outbox(organisation, f"{receipt.pk}/")).status_code == 404
    assert client.get(outbox(organisation, f"{their_letter.pk}/")).status_code == 404
    assert client.get(outbox(other_organisation)).status_code == 404
    assert client.get(f"/studio/o/{other_organisation.slug}/outbox.csv").status_code == 404
    assert client.get(outbox(other_organisation, f"{their_letter.pk}/")).status_code == 404
