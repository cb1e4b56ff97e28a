"""Bots that fill the honeypot, skip or forge the proof of work, or rush the form do not count."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.delivery.models import Message
from outcry.safety.challenge import ChallengeResult, check_solution, new_challenge, solve
from outcry.safety.models import AuditEntry, Flag
from tests.safety.conftest import human, started_long_ago

pytestmark = pytest.mark.django_db
IP = {"REMOTE_ADDR": "198.51.100.20"}


def post(client, data: dict):
    return client.post("/c/free-them/", data, **IP)


def test_a_person_with_javascript_counts(client, campaign, supporter):
    response = post(client, human(supporter))
    assert response.status_code == 303
    action = Action.objects.get()
    assert action.status == Action.Status.COUNTED and action.passed_challenge
    assert not action.flags.exists()
    assert counting.get_count(campaign.pk) == 1


def test_honeypot_filled_is_thanked_like_anyone_and_stores_nothing(client, campaign, supporter):
    response = post(client, human(supporter) | {"homepage_url": "http://spam.example"})
    assert response.status_code == 303 and response["Location"] == "/c/free-them/thanks/"
    assert not Action.objects.exists()
    assert counting.get_count(campaign.pk) == 0


def test_skipping_the_challenge_is_held_not_counted(client, campaign, supporter):
    response = post(client, supporter | {"started": started_long_ago()})
    assert response.status_code == 303 and response["Location"] == "/c/free-them/thanks/"
    action = Action.objects.get()
    assert action.status == Action.Status.HELD and not action.passed_challenge
    assert list(action.flags.values_list("reason", flat=True)) == [Flag.Reason.NO_CHALLENGE]
    assert counting.get_count(campaign.pk) == 0
    assert not Message.objects.exists()  # no letter, no receipt until someone reviews it


@pytest.mark.parametrize("payload", [
    "not base64 at all!",
    base64.b64encode(b"[1, 2, 3]").decode(),
    base64.b64encode(b'{"algorithm": "SHA-256"}').decode(),
])
def test_garbage_challenge_answers_are_held(client, campaign, supporter, payload):
    post(client, supporter | {"started": started_long_ago(), "altcha": payload})
    action = Action.objects.get()
    assert action.status == Action.Status.HELD
    assert list(action.flags.values_list("reason", flat=True)) == [Flag.Reason.BAD_CHALLENGE]
    assert counting.get_count(campaign.pk) == 0


def test_a_wrong_number_or_a_self_made_challenge_fails():
    challenge = new_challenge()
    payload = json.loads(base64.b64decode(solve(challenge)))
    wrong = base64.b64encode(json.dumps(payload | {"number": payload["number"] + 1}).encode()).decode()
    assert check_solution(wrong) == ChallengeResult.FAILED
    # A bot that makes its own easy challenge cannot sign it.
    forged = payload | {"challenge": "0" * 64, "signature": "f" * 64}
    assert check_solution(base64.b64encode(json.dumps(forged).encode()).decode()) == ChallengeResult.FAILED


def test_a_solved_challenge_is_good_for_one_action_only(client, campaign, supporter):
    answer = solve(new_challenge())
    post(client, supporter | {"started": started_long_ago(), "altcha": answer})
    post(client, supporter | {"email": "second@example.com", "started": started_long_ago(), "altcha": answer})
    first, second = Action.objects.order_by("pk")
    assert first.status == Action.Status.COUNTED
    assert second.status == Action.Status.HELD
    assert counting.get_count(campaign.pk) == 1


def test_expired_challenge_is_held(client, campaign, supporter, settings):
    settings.OUTCRY_POW_EXPIRES_SECONDS = -10
    post(client, supporter | {"started": started_long_ago(), "altcha": solve(new_challenge())})
    assert Action.objects.get().status == Action.Status.HELD


@pytest.mark.parametrize("started", ["", "forged-token", "fresh"])
def test_filled_faster_than_a_person_is_held(client, campaign, supporter, started):
    from outcry.actions.anti_abuse import started_token

    token = started_token() if started == "fresh" else started
    post(client, supporter | {"altcha": solve(new_challenge()), "started": token})
    action = Action.objects.get()
    assert action.status == Action.Status.HELD
    assert list(action.flags.values_list("reason", flat=True)) == [Flag.Reason.TOO_FAST]


def test_disposable_address_is_flagged_and_held(client, campaign, supporter):
    post(client, human(supporter | {"email": "someone@mailinator.com"}))
    post(client, human(supporter | {"email": "someone@x.mailinator.com"}))
    assert set(Action.objects.values_list("status", flat=True)) == {Action.Status.HELD}
    assert Flag.objects.filter(reason=Flag.Reason.DISPOSABLE).count() == 2


def test_without_javascript_on_a_double_opt_in_campaign_waits_for_email_confirmation(client, campaign, supporter):
    campaign.double_opt_in = True
    campaign.save()
    post(client, supporter | {"started": started_long_ago()})
    action = Action.objects.get()
    assert action.status == Action.Status.UNCONFIRMED
    assert counting.get_count(campaign.pk) == 0


def test_the_page_carries_the_anti_abuse_fields_and_our_own_script(client, campaign):
    html = client.get("/c/free-them/").content.decode()
    assert 'name="homepage_url"' in html and 'name="started"' in html
    assert 'name="altcha"' in html and 'data-challenge-url="/altcha/challenge"' in html
    assert 'src="/static/safety/js/altcha.js"' in html
    assert "hidden" in html.split('name="homepage_url"')[0].rsplit("<div", 1)[1]


def test_challenge_endpoint_gives_a_fresh_uncached_challenge(client, db):
    first, second = client.get("/altcha/challenge"), client.get("/altcha/challenge")
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    assert {"algorithm", "challenge", "maxNumber", "salt", "signature"} <= set(first.json())
    assert first.json()["challenge"] != second.json()["challenge"]


def test_staff_count_reviewed_held_actions(client, staff_client, campaign, supporter):
    post(client, supporter | {"started": started_long_ago()})
    held = Action.objects.get()
    response = staff_client.post("/admin/safety/heldaction/", {"action": "release", "_selected_action": [held.pk]})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == Action.Status.COUNTED
    assert counting.get_count(campaign.pk) == 1
    assert Message.objects.filter(action=held, kind=Message.Kind.LETTER).count() == 2
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.RELEASE)
    assert entry.actor.username == "staffer" and entry.count_change == 1


def test_staff_reject_held_actions(client, staff_client, campaign, supporter):
    post(client, supporter | {"started": started_long_ago()})
    held = Action.objects.get()
    staff_client.post("/admin/safety/heldaction/", {"action": "reject", "_selected_action": [held.pk]})
    held.refresh_from_db()
    assert held.status == Action.Status.INVALID
    assert counting.get_count(campaign.pk) == 0
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.REJECT, actions_affected=1).exists()


def test_old_unsolved_challenge_timestamps_do_not_matter_for_people(client, campaign, supporter):
    # A person who left the tab open for hours still counts: only too fast is suspicious.
    from django.core import signing

    from outcry.actions.anti_abuse import STARTED_SALT

    old = signing.dumps((timezone.now() - timedelta(hours=5)).timestamp(), salt=STARTED_SALT)
    post(client, supporter | {"altcha": solve(new_challenge()), "started": old})
    assert Action.objects.get().status == Action.Status.COUNTED


def test_a_lookalike_gmail_domain_is_held_not_counted(client, campaign, supporter):
    # gmаil.com with a Cyrillic а: a different domain (not folded into gmail.com), flagged for review.
    post(client, human(supporter | {"email": "a.b@gmаil.com"}))
    action = Action.objects.get()
    assert action.status == Action.Status.HELD
    assert list(action.flags.values_list("reason", flat=True)) == [Flag.Reason.LOOKALIKE]
    assert counting.get_count(campaign.pk) == 0
