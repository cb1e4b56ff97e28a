from __future__ import annotations

import re
from datetime import timedelta

import pytest

from outcry.actions import counting
from outcry.actions.confirmation import expire_unconfirmed
from outcry.actions.models import Action
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def opt_in_campaign(campaign):
    campaign.double_opt_in = True
    campaign.save()
    return campaign


def count(campaign) -> int:
    counting.forget_cached_count(campaign.pk)
    return counting.get_count(campaign.pk)


def confirm_link(smtp, address: str) -> str:
    mail = smtp.handler.to(address)[-1].message
    assert mail["Subject"] == "Please confirm your action: Free them now"
    text = mail.get_body(("plain",)).get_content()
    (url,) = re.findall(r"http://\S+/confirm/\S+/", text)
    assert url in mail.get_body(("html",)).get_content()
    return url.removeprefix("http://127.0.0.1:8000")


def act_by_form(client, supporter, django_capture_on_commit_callbacks) -> Action:
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/c/free-them/", supporter).status_code == 303
    return Action.objects.get()


def test_double_opt_in_counts_only_after_the_confirm_button(smtp, opt_in_campaign, client, supporter, django_capture_on_commit_callbacks, offer):
    offer(opt_in_campaign, "fr")
    action = act_by_form(client, supporter, django_capture_on_commit_callbacks)
    assert action.status == Action.Status.UNCONFIRMED and count(opt_in_campaign) == 0
    assert b"Your action counts once you open it and press Confirm" in client.get("/c/free-them/thanks/").content
    assert "appuyez sur « Confirmer »" in client.get("/fr/c/free-them/thanks/").content.decode()
    assert not Message.objects.filter(kind=Message.Kind.LETTER).exists()
    send_due()
    link = confirm_link(smtp, supporter["email"])

    # A mail scanner opens the link: it sees a page with a button, and nothing is confirmed.
    page = client.get(link)
    assert page.status_code == 200
    assert re.search(rb'<form method="post">.*<button type="submit"[^>]*>Confirm</button>', page.content, re.S)
    action.refresh_from_db()
    assert action.status == Action.Status.UNCONFIRMED and count(opt_in_campaign) == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    assert response.status_code == 303 and response["Location"] == "/c/free-them/thanks/"
    action.refresh_from_db()
    assert action.status == Action.Status.COUNTED and action.confirmed_at is not None
    assert count(opt_in_campaign) == 1

    # Confirming twice is harmless.
    assert client.post(link).status_code == 303
    assert count(opt_in_campaign) == 1
    assert Message.objects.filter(kind=Message.Kind.LETTER).count() == 2
    send_due()
    assert len(smtp.handler.to("minister@example.org")) == 1
    assert len(smtp.handler.to(supporter["email"])) == 2  # the confirmation request, then the receipt


def test_a_tampered_or_foreign_link_confirms_nothing(smtp, opt_in_campaign, client, supporter, django_capture_on_commit_callbacks):
    action = act_by_form(client, supporter, django_capture_on_commit_callbacks)
    send_due()
    link = confirm_link(smtp, supporter["email"])
    token = link.split("/")[-2]
    forged = link.replace(token, f"{action.pk + 1}:{token.split(':', 1)[1]}")
    for bad in (forged, "/c/free-them/confirm/not-a-token/"):
        assert client.get(bad).status_code == 400
        response = client.post(bad)
        assert response.status_code == 400
        assert b"Send me a new link" in response.content
    action.refresh_from_db()
    assert action.status == Action.Status.UNCONFIRMED


def test_an_expired_link_offers_a_new_one(smtp, opt_in_campaign, client, supporter, settings, django_capture_on_commit_callbacks):
    action = act_by_form(client, supporter, django_capture_on_commit_callbacks)
    send_due()
    link = confirm_link(smtp, supporter["email"])
    settings.OUTCRY_CONFIRM_DAYS = 0
    response = client.post(link)
    assert response.status_code == 400 and b"has expired" in response.content
    action.refresh_from_db()
    assert action.status == Action.Status.UNCONFIRMED


def run_resend_tasks() -> None:
    from django_tasks_db.models import DBTaskResult

    from outcry.actions.tasks import resend_confirmation_task

    for row in DBTaskResult.objects.filter(task_path=resend_confirmation_task.module_path).order_by("enqueued_at"):
        resend_confirmation_task.call(*row.args_kwargs["args"])


def test_resend_sends_a_fresh_link_within_limits_and_answers_the_same_for_anyone(
    smtp, opt_in_campaign, client, supporter, django_capture_on_commit_callbacks
):
    act_by_form(client, supporter, django_capture_on_commit_callbacks)
    Message.objects.filter(kind=Message.Kind.CONFIRM).update(created_at=Message.objects.get().created_at - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/c/free-them/confirm/resend/", {"email": supporter["email"].upper()})
        again = client.post("/c/free-them/confirm/resend/", {"email": supporter["email"]})
        stranger = client.post("/c/free-them/confirm/resend/", {"email": "nobody@example.com"})
    assert first.status_code == again.status_code == stranger.status_code == 200
    assert first.content == stranger.content
    run_resend_tasks()  # what the worker does (test_resend_oracle.py: the request itself decides nothing)
    assert Message.objects.filter(kind=Message.Kind.CONFIRM).count() == 2  # the second ask came too soon
    send_due()
    assert len(smtp.handler.to(supporter["email"])) == 2
    assert not smtp.handler.to("nobody@example.com")
    bad = client.post("/c/free-them/confirm/resend/", {"email": "not an email"})
    assert bad.status_code == 400 and b'value="not an email"' in bad.content


def test_unconfirmed_actions_expire_and_the_email_may_act_again(opt_in_campaign):
    old = act(opt_in_campaign, email="late@example.com")
    fresh = act(opt_in_campaign, email="fresh@example.com")
    Action.objects.filter(pk=old.pk).update(created_at=old.created_at - timedelta(days=8))

    assert expire_unconfirmed() == 1

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (Action.Status.EXPIRED, Action.Status.UNCONFIRMED)
    assert act(opt_in_campaign, email="late@example.com").status == Action.Status.UNCONFIRMED


def test_a_repeat_sees_the_same_thank_you_page_as_a_first_action(opt_in_campaign, client, supporter, django_capture_on_commit_callbacks):
    act_by_form(client, supporter, django_capture_on_commit_callbacks)
    first = client.get("/c/free-them/thanks/").content
    client.cookies.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/c/free-them/", supporter)
    assert Action.objects.filter(status=Action.Status.DUPLICATE).exists()
    repeat = client.get("/c/free-them/thanks/").content
    assert b"press Confirm" in repeat and b"press Confirm" in first
    assert Message.objects.filter(kind=Message.Kind.CONFIRM).count() == 1


def test_erasing_an_unconfirmed_action_stops_its_confirmation(smtp, opt_in_campaign, client, supporter, django_capture_on_commit_callbacks):
    # Issue 13.11: pressing Confirm on the old link counted an action whose supporter had asked to be forgotten.
    from outcry.safety.services import erase_actions

    action = act_by_form(client, supporter, django_capture_on_commit_callbacks)
    send_due()
    link = confirm_link(smtp, supporter["email"])
    erase_actions(actions=Action.objects.filter(pk=action.pk), actor_label="test")
    assert client.get(link).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 400
    action.refresh_from_db()
    assert action.status == Action.Status.UNCONFIRMED and action.confirmed_at is None
    assert count(opt_in_campaign) == 0
    assert not Message.objects.filter(kind=Message.Kind.LETTER).exists()


def test_confirm_links_name_no_sequential_id_and_old_links_work_until_they_expire(smtp, opt_in_campaign, client, supporter, settings, django_capture_on_commit_callbacks):
    from django.core.signing import TimestampSigner

    action = act_by_form(client, supporter, django_capture_on_commit_callbacks)
    send_due()
    token = confirm_link(smtp, supporter["email"]).split("/")[-2]
    # The signed value is the action's random referral code: the link tells nothing of how many acted before.
    assert token.split(":")[0] == action.referral_code != str(action.pk)
    # A link mailed before the change (the id, under the old salt) still confirms, within its days.
    old = f"/c/free-them/confirm/{TimestampSigner(salt='outcry.delivery.confirm').sign(str(action.pk))}/"
    settings.OUTCRY_CONFIRM_DAYS = 0
    assert client.post(old).status_code == 400
    settings.OUTCRY_CONFIRM_DAYS = 7
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(old).status_code == 303
    assert count(opt_in_campaign) == 1
