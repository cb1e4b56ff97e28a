"""Every way an action starts or stops counting goes through one path (actions/services.py count_actions,
uncount_actions): after each, the public count, the letters that go out and what the CRM's webhook heard agree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.actions.services import ActionData, confirm_action, take_action
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due
from outcry.integrations.models import Webhook, WebhookDelivery
from outcry.integrations.services import new_webhook_secret, payload
from outcry.safety.models import Wave
from outcry.safety.services import erase_actions, invalidate_wave, reject_held, release_held, undo_wave
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db
TARGETS = 2  # the campaign fixture writes to two targets


@pytest.fixture
def crm(campaign) -> Webhook:
    # Never reached: these tests read what was owed to the webhook, not what a receiver got.
    hook = Webhook(organisation=campaign.organisation, name="CRM", url="http://127.0.0.1:9/hook")
    new_webhook_secret(hook)
    hook.save()
    return hook


@pytest.fixture
def reviewer(organisation):
    return make_staff(organisation, "reviewer")


def act(campaign, n: int = 1, *, hold: bool = False, country: str = "GB") -> list[Action]:
    return [
        take_action(campaign=campaign, data=ActionData(
            first_name="P", last_name=str(i), email=f"p{i}-{country}-{hold}@example.com", country=country, hold=hold,
        ))
        for i in range(n)
    ]


def heard(action: Action) -> list[tuple[str, str]]:
    """What the CRM was told about this action, in order: (event, reason)."""
    return list(WebhookDelivery.objects.filter(action=action).order_by("pk").values_list("event", "reason"))


def assert_agree(campaign, counted: int) -> None:
    """The count, the letters the worker sends and the CRM's last word on each action say the same."""
    send_due()
    assert Action.objects.filter(campaign=campaign, status=Action.Status.COUNTED).count() == counted
    counting.forget_cached_count(campaign.pk)
    assert counting.get_count(campaign.pk) == counted
    sent = Message.objects.filter(campaign=campaign, kind=Message.Kind.LETTER, status=Message.Status.SENT)
    assert sent.count() == counted * TARGETS
    assert set(sent.values_list("action__status", flat=True)) <= {Action.Status.COUNTED}
    for action in Action.objects.filter(campaign=campaign, erased_at__isnull=True):
        events = heard(action)
        last = events[-1][0] if events else None
        assert (last == "action.counted") == (action.status == Action.Status.COUNTED), (action.status, events)


def test_taking_counts_owes_letters_and_tells_the_crm(campaign, crm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [action] = act(campaign)
        act(campaign)  # the same email again: a duplicate, which counts nothing and tells nobody
    assert heard(action) == [("action.counted", "")]
    assert WebhookDelivery.objects.count() == 1
    assert_agree(campaign, counted=1)


def test_confirming_counts_and_tells_the_crm_only_then(campaign, crm, django_capture_on_commit_callbacks):
    campaign.double_opt_in = True
    campaign.save()
    with django_capture_on_commit_callbacks(execute=True):
        [action] = act(campaign)
    assert heard(action) == []
    assert_agree(campaign, counted=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm_action(action) is True
        assert confirm_action(action) is False  # a second click changes nothing
    assert heard(action) == [("action.counted", "")]
    assert_agree(campaign, counted=1)


def test_releasing_held_actions_tells_the_crm_like_any_other_count(campaign, crm, reviewer, django_capture_on_commit_callbacks):
    # Before the one counting path, release_held counted and sent letters but no webhook went out.
    with django_capture_on_commit_callbacks(execute=True):
        held = act(campaign, 2, hold=True)
    assert_agree(campaign, counted=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert release_held(actions=Action.objects.filter(pk__in=[a.pk for a in held]), user=reviewer, reason="real") == 2
    assert [heard(action) for action in held] == [[("action.counted", "")]] * 2
    assert_agree(campaign, counted=2)


def test_rejecting_held_actions_tells_the_crm_why(campaign, crm, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [held] = act(campaign, hold=True)
        reject_held(actions=Action.objects.filter(pk=held.pk), user=reviewer, reason="bots")
    assert heard(held) == [("action.uncounted", "rejected")]
    assert_agree(campaign, counted=0)


def test_invalidating_a_wave_uncounts_it_and_undoing_counts_it_again(campaign, crm, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        kept = act(campaign, 1, country="GB")
        wave_actions = act(campaign, 3, country="FR")
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        wave = invalidate_wave(
            campaign=campaign, dimension=Wave.Dimension.COUNTRY, value="FR",
            since=now - timedelta(hours=1), until=now + timedelta(minutes=1), user=reviewer, reason="a bot farm",
            reviewed=True,
        )
    assert [heard(action) for action in wave_actions] == [[("action.counted", ""), ("action.uncounted", "invalidated")]] * 3
    assert heard(kept[0]) == [("action.counted", "")]
    assert_agree(campaign, counted=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert undo_wave(wave=wave, user=reviewer, reason="they were real") == 3
    assert [heard(action)[-1] for action in wave_actions] == [("action.counted", "")] * 3
    # Their letters were cancelled by the worker while they did not count; undo does not owe them twice.
    counting.forget_cached_count(campaign.pk)
    assert counting.get_count(campaign.pk) == 4


def test_erasing_keeps_the_count_and_tells_the_crm_to_forget_the_person(campaign, crm, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [action] = act(campaign)
        erase_actions(actions=Action.objects.filter(pk=action.pk), user=reviewer, reason="asked to be forgotten")
    assert heard(action) == [("action.counted", ""), ("action.uncounted", "erased")]
    counting.forget_cached_count(campaign.pk)
    assert counting.get_count(campaign.pk) == 1
    # Its letters were not sent yet: they never go out in the name of someone who asked to be forgotten.
    send_due()
    assert not Message.objects.filter(action=action, kind=Message.Kind.LETTER, status=Message.Status.SENT).exists()


def test_the_uncounted_payload_names_the_event_and_the_reason_and_no_person(campaign, crm, reviewer, django_capture_on_commit_callbacks):
    import json

    with django_capture_on_commit_callbacks(execute=True):
        [action] = act(campaign)
        erase_actions(actions=Action.objects.filter(pk=action.pk), user=reviewer, reason="asked")
    delivery = WebhookDelivery.objects.get(action=action, event="action.uncounted")
    body = json.loads(payload(delivery))
    assert body["event"] == "action.uncounted" and body["reason"] == "erased"
    assert "p0-GB-False@example.com" not in json.dumps(body)
