"""Scheduled opening and closing: a job publishes a draft at opens_at if its checklist passes then (else it
stays a draft and its staff get one email), closes a campaign at closes_at, through the same services as a
person, audited, and once however many workers run it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from outcry.campaigns import services
from outcry.campaigns.models import Campaign, Membership
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due
from outcry.jobs import scheduling
from outcry.safety.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(organisation):
    user = get_user_model().objects.create_user(username="ed", email="ed@rights.example.org", password="pw-for-tests-only")
    Membership.objects.create(organisation=organisation, user=user, role=Membership.Role.EDITOR)
    return user


@pytest.fixture
def draft(campaign, staff) -> Campaign:
    campaign.status = Campaign.Status.DRAFT
    campaign.opens_at = timezone.now() + timedelta(hours=1)
    campaign.save()
    campaign.organisation.privacy_url = "https://rights.example.org/privacy"
    campaign.organisation.save()
    return campaign


def test_a_draft_goes_live_once_its_opening_time_has_passed(draft):
    assert services.open_and_close_due() == {"opened": [], "blocked": [], "closed": []}
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT
    later = timezone.now() + timedelta(hours=2)
    assert services.open_and_close_due(later)["opened"] == [draft.pk]
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.LIVE and draft.published_at is not None and draft.opens_at is None
    entry = AuditEntry.objects.get(campaign=draft, kind=AuditEntry.Kind.PUBLISH)
    assert entry.actor is None and entry.actor_label == "schedule" and "Scheduled opening" in entry.reason
    assert services.open_and_close_due(later) == {"opened": [], "blocked": [], "closed": []}


def test_a_blocked_opening_stays_a_draft_and_emails_the_staff_once(draft, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    draft.organisation.privacy_url = ""
    draft.organisation.save()
    later = timezone.now() + timedelta(hours=2)
    assert services.open_and_close_due(later)["blocked"] == [draft.pk]
    assert services.open_and_close_due(later)["blocked"] == []  # the second run finds nothing to do
    draft.refresh_from_db()
    assert draft.status == Campaign.Status.DRAFT and draft.published_at is None
    assert Message.objects.filter(kind=Message.Kind.OPENING_BLOCKED).count() == 1
    send_due()
    (email,) = [m for m in mail.outbox if m.to == ["ed@rights.example.org"]]
    assert "did not go live" in email.subject
    assert "privacy notice" in email.body and "UTC" in email.body
    assert f"/studio/c/{draft.pk}/" in email.body
    assert AuditEntry.objects.filter(campaign=draft, kind=AuditEntry.Kind.OPENING_BLOCKED).count() == 1
    assert not AuditEntry.objects.filter(campaign=draft, kind=AuditEntry.Kind.PUBLISH).exists()


def test_two_workers_that_read_the_same_due_campaign_open_it_once(draft):
    # Both read the due list before either acted; only the claim that matched goes on.
    due = list(Campaign.objects.filter(pk=draft.pk).values_list("pk", "opens_at"))
    assert [services._open_scheduled(pk, at) for pk, at in due] == ["opened"]
    assert [services._open_scheduled(pk, at) for pk, at in due] == [""]
    assert AuditEntry.objects.filter(campaign=draft, kind=AuditEntry.Kind.PUBLISH).count() == 1


def test_a_live_campaign_closes_at_its_closing_time(campaign):
    campaign.closes_at = timezone.now() + timedelta(minutes=5)
    campaign.save()
    due = list(Campaign.objects.filter(pk=campaign.pk).values_list("pk", "closes_at"))
    assert services.open_and_close_due()["closed"] == []
    assert services.open_and_close_due(timezone.now() + timedelta(minutes=6))["closed"] == [campaign.pk]
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED and campaign.closed_at is not None
    assert [services._close_scheduled(pk, at) for pk, at in due] == [False]  # a second worker, late
    assert AuditEntry.objects.filter(campaign=campaign, kind=AuditEntry.Kind.CLOSE).count() == 1


def test_a_draft_whose_closing_date_passed_cannot_open(draft):
    # No worker ran during its whole window: opening it now would open a campaign meant to be over.
    draft.opens_at, draft.closes_at = timezone.now() - timedelta(hours=2), timezone.now() - timedelta(hours=1)
    draft.save()
    assert services.open_and_close_due()["blocked"] == [draft.pk]
    assert "closing date has passed" in AuditEntry.objects.get(kind=AuditEntry.Kind.OPENING_BLOCKED).reason


def test_the_job_runs_every_minute():
    schedule = scheduling.schedules()["outcry.campaigns.tasks.open_and_close_campaigns"]
    assert schedule.interval == timedelta(minutes=1)


def test_the_public_page_says_when_it_closes(client, campaign):
    campaign.closes_at = datetime(2031, 3, 14, 12, 0, tzinfo=UTC)
    campaign.save()
    assert "Closes on March 14, 2031, noon (UTC)" in client.get("/c/free-them/").content.decode()


def test_the_studio_schedules_an_opening_and_shows_it(client, draft, staff):
    client.force_login(staff)
    draft.opens_at = None
    draft.save()
    url = reverse("studio:schedule", kwargs={"pk": draft.pk})
    refused = client.post(url, {"opens_at": "2020-01-01T10:00", "closes_at": ""})
    assert refused.status_code == 400 and "Choose a time in the future" in refused.content.decode()
    response = client.post(url, {"opens_at": "2031-03-14T09:30", "closes_at": "2031-04-01T18:00"})
    assert response.status_code == 303
    draft.refresh_from_db()
    assert draft.opens_at == datetime(2031, 3, 14, 9, 30, tzinfo=UTC)
    html = client.get(reverse("studio:campaign", kwargs={"pk": draft.pk})).content.decode()
    assert "Opens on March 14, 2031, 9:30 a.m. (UTC)" in html and "Closes on April 1, 2031, 6 p.m. (UTC)" in html
    backwards = client.post(url, {"opens_at": "2031-03-14T09:30", "closes_at": "2031-03-01T18:00"})
    assert "must close after it opens" in backwards.content.decode()


def test_publishing_and_closing_in_the_studio_are_audited_with_who(client, draft, staff):
    client.force_login(staff)
    client.post(reverse("studio:publish", kwargs={"pk": draft.pk}))
    client.post(reverse("studio:close", kwargs={"pk": draft.pk}))
    entries = AuditEntry.objects.filter(campaign=draft).order_by("created_at", "pk")
    assert [(e.kind, e.actor) for e in entries] == [(AuditEntry.Kind.PUBLISH, staff), (AuditEntry.Kind.CLOSE, staff)]


@pytest.mark.django_db(transaction=True)
def test_workers_running_the_job_at_the_same_moment_open_and_email_once(campaign, staff):
    """Real threads, each with its own connection, released together: one opening, one audit entry, one email."""
    import threading

    from django.db import connection

    campaign.status = Campaign.Status.DRAFT
    campaign.opens_at = timezone.now() - timedelta(minutes=1)
    campaign.save()  # no privacy notice address: blocked, so the staff are owed an email
    closing = Campaign.objects.create(
        organisation=campaign.organisation, slug="closing", title="C", summary="s", status=Campaign.Status.LIVE,
        closes_at=timezone.now() - timedelta(minutes=1),
    )
    start = threading.Barrier(4)
    results, errors = [], []

    def worker() -> None:
        try:
            start.wait()
            results.append(services.open_and_close_due())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(pk for r in results for pk in r["blocked"]) == [campaign.pk]
    assert sorted(pk for r in results for pk in r["closed"]) == [closing.pk]
    assert Message.objects.filter(kind=Message.Kind.OPENING_BLOCKED).count() == 1
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.OPENING_BLOCKED).count() == 1
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.CLOSE, campaign=closing).count() == 1
