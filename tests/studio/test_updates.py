"""Updates from the studio: written by editors, tested, sent once through the outbox, progress shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outcry.actions.services import ActionData, take_action
from outcry.campaigns.models import CampaignUpdate, Membership
from outcry.delivery.models import Message

pytestmark = pytest.mark.django_db


def test_editor_writes_tests_and_sends_an_update(as_role, campaign, django_capture_on_commit_callbacks):
    take_action(campaign=campaign, data=ActionData(first_name="A", last_name="B", email="a@example.com", country="GB", consent_updates=True))
    take_action(campaign=campaign, data=ActionData(first_name="C", last_name="D", email="c@example.com", country="GB"))
    editor = as_role(Membership.Role.EDITOR)
    editor_user = Membership.objects.get(role="editor").user
    editor_user.email = "editor@rights.example.org"
    editor_user.save()
    written = editor.post(reverse("studio:updates", kwargs={"pk": campaign.pk}), {"title": "Handed in", "body": "We did it.\n\nThank you.", "published": "on"})
    item = CampaignUpdate.objects.get()
    url = reverse("studio:update", kwargs={"pk": campaign.pk, "update": item.pk})
    assert written["Location"] == url
    page = editor.get(url).content.decode()
    assert "<p>We did it.</p>" in page and "1 supporter asked for updates" in page
    editor.post(url, {"send_test": "1"})
    assert Message.objects.filter(update=item, recipient="editor@rights.example.org", action__isnull=True).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert editor.post(url, {"send": "1"}).status_code == 303
    item.refresh_from_db()
    assert item.send_requested_at is not None
    assert "Sending since" in editor.get(url).content.decode()


def test_viewer_reads_updates_but_cannot_write_or_send(as_role, campaign):
    item = CampaignUpdate.objects.create(campaign=campaign, title="News", body="Text")
    viewer = as_role(Membership.Role.VIEWER)
    assert viewer.get(reverse("studio:updates", kwargs={"pk": campaign.pk})).status_code == 200
    assert viewer.post(reverse("studio:updates", kwargs={"pk": campaign.pk}), {"title": "x", "body": "y"}).status_code == 403
    assert viewer.post(reverse("studio:update", kwargs={"pk": campaign.pk, "update": item.pk}), {"send": "1"}).status_code == 403
    item.refresh_from_db()
    assert item.send_requested_at is None


def test_update_of_another_campaign_is_not_found_through_this_one(as_role, campaign, other_campaign):
    theirs = CampaignUpdate.objects.create(campaign=other_campaign, title="Theirs", body="Secret")
    editor = as_role(Membership.Role.EDITOR)
    assert editor.get(reverse("studio:update", kwargs={"pk": campaign.pk, "update": theirs.pk})).status_code == 404


def test_update_markdown_is_rendered_alike_on_its_page_and_in_its_email(client, campaign):
    from outcry.delivery.emails import build_email
    from outcry.updates.services import send_test

    item = CampaignUpdate.objects.create(campaign=campaign, title="News", body="We won **big**.\n\nSee <https://example.org/x>.")
    page = client.get(item.get_absolute_url()).content.decode()
    email = build_email(send_test(item, "me@example.org"))
    html = email.alternatives[0][0]
    for shown in (page, html):
        assert "<strong>big</strong>" in shown and '<a href="https://example.org/x"' in shown
    assert "**big**" in email.body  # the text part keeps what was typed, readable as it is
