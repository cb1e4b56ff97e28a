"""The velocity check runs on a schedule and emails a campaign's staff once per new wave, through the
outbox, with a link to review it; a referral-code or country wave is described as a possible real share."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from outcry.actions.models import Action
from outcry.actions.services import ActionData, take_action
from outcry.campaigns.models import Campaign, Organisation
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due
from outcry.jobs.scheduling import schedules
from outcry.safety.models import Wave, WaveAlert
from outcry.safety.services import alert_new_waves
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db
BOT_IP = "203.0.113.200"


@pytest.fixture(autouse=True)
def _small_waves(settings):
    settings.OUTCRY_VELOCITY_MIN_ACTIONS = 10
    settings.OUTCRY_VELOCITY_WINDOW_MINUTES = 60


@pytest.fixture
def staffed(campaign) -> Campaign:
    for name in ("ana", "ben"):
        user = make_staff(campaign.organisation, name)
        user.email = f"{name}@rights.example"
        user.save()
    return campaign


def act(campaign, n: int, tag: str, **fields) -> None:
    base = ActionData(first_name="P", last_name="Q", email="", country="GB")
    for i in range(n):
        take_action(campaign=campaign, data=replace(base, email=f"{tag}{i}@{tag}.example", **fields))


def wave_mail() -> list:
    """The worker's claim-and-send, until nothing is left to send now; then the wave emails it sent.
    Until send_due says it is finished, not a fixed number of runs: each run has a time budget, and on a
    busy machine the receipts and letters of 60 actions can take more than three budgets."""
    for _ in range(50):
        if not send_due().unfinished:
            break
    return [m for m in mail.outbox if "wave" in m.subject]


def test_a_new_wave_emails_the_campaigns_staff_once_with_a_link_to_review(staffed):
    act(staffed, 30, "bot", ip=BOT_IP)
    alerts = alert_new_waves()
    assert {a.dimension for a in alerts} >= {Wave.Dimension.IP_HASH, Wave.Dimension.EMAIL_DOMAIN}
    assert Message.objects.filter(kind=Message.Kind.WAVE, campaign=staffed).count() == 1  # one email for the run's waves
    [email] = wave_mail()
    assert sorted(email.to) == ["ana@rights.example", "ben@rights.example"]
    assert "Free them now" in email.subject and f"/studio/c/{staffed.pk}/waves/" in email.body
    assert "bot.example — 30 actions" in email.body
    assert BOT_IP not in email.body  # only a piece of the keyed hash names the network

    # Five minutes later the job runs again: the same waves, still going (and growing), are not mailed again.
    act(staffed, 5, "bot2", ip=BOT_IP)
    assert alert_new_waves(timezone.now() + timedelta(minutes=5)) == []
    assert wave_mail() == [email]
    assert WaveAlert.objects.get(dimension=Wave.Dimension.IP_HASH).actions == 35


def test_a_wave_that_ended_and_came_back_is_a_new_wave(staffed):
    act(staffed, 30, "bot", ip=BOT_IP)
    assert alert_new_waves()
    later = timezone.now() + timedelta(hours=3)  # quiet in between: the last sighting is more than a window ago
    act(staffed, 30, "back", ip=BOT_IP)
    Action.objects.filter(email__startswith="back").update(created_at=later - timedelta(minutes=5))
    again = alert_new_waves(later)
    assert Wave.Dimension.IP_HASH in {a.dimension for a in again}
    assert Message.objects.filter(kind=Message.Kind.WAVE).count() == 2
    sent = wave_mail()
    assert len(sent) == 2


def test_a_referral_wave_is_described_as_a_possible_real_share(staffed):
    for i in range(25):
        take_action(campaign=staffed, data=ActionData(
            first_name="P", last_name="Q", email=f"fan{i}@mail{i}.example", country=["GB", "FR", "DE"][i % 3],
            ip=f"198.51.100.{i}", ref="CELEB123",
        ))
    alerts = alert_new_waves()
    assert [(a.dimension, a.value) for a in alerts] == [(Wave.Dimension.REFERRAL, "CELEB123")]
    [email] = wave_mail()
    assert "CELEB123 — 25 actions" in email.body
    assert "real share going viral" in email.body and "Nothing has been invalidated" in email.body


def test_each_campaign_mails_its_own_staff_only(staffed):
    elsewhere = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    theirs = Campaign.objects.create(organisation=elsewhere, slug="theirs", status="live", title="Theirs", summary="s")
    outsider = make_staff(elsewhere, "outsider")
    outsider.email = "outsider@elsewhere.example"
    outsider.save()
    act(staffed, 30, "bot", ip=BOT_IP)
    alert_new_waves()
    assert all("outsider@elsewhere.example" not in m.to for m in wave_mail())
    assert not Message.objects.filter(campaign=theirs).exists()


def test_the_check_runs_every_five_minutes():
    schedule = schedules()["outcry.safety.tasks.check_velocity"]
    assert schedule.interval == timedelta(minutes=5)
