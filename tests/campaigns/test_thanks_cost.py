"""The thank-you page as cheap as the campaign page (issue 12 item 2): one shared copy with the
supporter's own code put in its place, no database write per view, views still counted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.campaigns.models import Campaign

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def _acted(campaign: Campaign, supporter: dict, email: str = "amal@example.com") -> tuple[Client, Action]:
    client = Client()
    assert client.post("/c/free-them/", supporter | {"email": email}).status_code == 303
    return client, Action.objects.get(email=email)


def test_a_thank_you_view_makes_no_database_write(campaign, supporter):
    client, action = _acted(campaign, supporter)
    client.get("/c/free-them/thanks/")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(20):
            html = client.get("/c/free-them/thanks/").content.decode()
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    # Not a write, and no read either: the shared copy and the code from the signed cookie are enough.
    assert len(queries.captured_queries) == 0
    assert f"?ref={action.referral_code}&amp;via=copy" in html


def test_each_supporter_sees_their_own_code_from_one_shared_copy(campaign, supporter):
    amal, first = _acted(campaign, supporter)
    sara, second = _acted(campaign, supporter, "sara@example.com")
    mine = amal.get("/c/free-them/thanks/").content.decode()
    theirs = sara.get("/c/free-them/thanks/").content.decode()
    assert first.referral_code in mine and second.referral_code not in mine
    assert second.referral_code in theirs and first.referral_code not in theirs
    assert f"ref%3D{first.referral_code}%26via%3Dwhatsapp" in mine or f"ref={first.referral_code}&amp;via=whatsapp" in mine
    assert "SLOT" not in mine
    assert mine.replace(first.referral_code, "CODE") == theirs.replace(second.referral_code, "CODE")


def test_without_a_cookie_the_share_links_carry_no_code(campaign):
    html = Client().get("/c/free-them/thanks/").content.decode()
    assert "?ref=" not in html and "SLOT" not in html
    assert "via=copy" in html


def test_a_forged_cookie_gives_no_code(campaign, supporter):
    client = Client()
    client.cookies[f"acted-{campaign.pk}"] = "evil<script>"
    html = client.get("/c/free-them/thanks/").content.decode()
    assert "evil" not in html and "?ref=" not in html


def test_the_confirmation_reminder_is_for_those_whose_action_awaits_it(campaign, supporter):
    campaign.double_opt_in = True
    campaign.save()
    waiting, _action = _acted(campaign, supporter)
    reminder = "we have emailed you a link"
    assert reminder in waiting.get("/c/free-them/thanks/").content.decode()
    assert reminder not in Client().get("/c/free-them/thanks/").content.decode()
    campaign.double_opt_in = False
    campaign.save()
    done, _other = _acted(campaign, supporter, "sara@example.com")
    assert reminder not in done.get("/c/free-them/thanks/").content.decode()


def test_the_mailto_draft_is_the_supporters_own_and_reads_without_writing(campaign, supporter):
    campaign.action_kind = Campaign.ActionKind.MAILTO
    campaign.delivery_mode = Campaign.DeliveryMode.MAILTO
    campaign.save()
    amal, _first = _acted(campaign, supporter)
    sara, _second = _acted(campaign, supporter | {"first_name": "Sara", "last_name": "Conti"}, "sara@example.com")
    amal.get("/c/free-them/thanks/")
    with CaptureQueriesContext(connection) as queries:
        mine = amal.get("/c/free-them/thanks/").content.decode()
    assert len(queries.captured_queries) == 1  # the action, for the draft in their own words
    assert "Amal%20Haddad" in mine and "Sara%20Conti" not in mine
    assert "Sara%20Conti" in sara.get("/c/free-them/thanks/").content.decode()


def test_views_are_counted_once_the_job_flushes_them(campaign, supporter):
    client, _action = _acted(campaign, supporter)
    for _ in range(7):
        client.get("/c/free-them/thanks/")
    Client().get("/c/free-them/thanks/")
    assert counting.flush_noted() == 8
    assert counting.get_count(campaign.pk, counting.Metric.THANKS_VIEWS, cached=False) == 8
    assert counting.flush_noted() == 0  # taken once, never twice
    assert counting.get_count(campaign.pk, counting.Metric.THANKS_VIEWS, cached=False) == 8


def test_a_failed_flush_keeps_the_views_for_the_next(campaign, monkeypatch):
    for _ in range(3):
        Client().get("/c/free-them/thanks/")

    def broken(*args, **kwargs):
        raise RuntimeError("database away")

    monkeypatch.setattr(counting, "add_to_count", broken)
    with pytest.raises(RuntimeError):
        counting.flush_noted()
    monkeypatch.undo()
    assert counting.flush_noted() == 3
    assert counting.get_count(campaign.pk, counting.Metric.THANKS_VIEWS, cached=False) == 3


def test_the_job_is_scheduled():
    from outcry.jobs import scheduling

    assert "outcry.actions.tasks.flush_noted_counts" in scheduling.schedules()


def test_thank_you_caching_headers_follow_the_cookie(campaign, supporter):
    # Issue 13.6: the page depends on the referral cookie; a cache must never hand one supporter's to another.
    client, _action = _acted(campaign, supporter)
    own = client.get("/c/free-them/thanks/")
    assert "private" in own["Cache-Control"] and "public" not in own["Cache-Control"]
    assert "Cookie" in own["Vary"]
    anyone = Client().get("/c/free-them/thanks/")
    assert anyone["Cache-Control"].startswith("public") and "Cookie" in anyone["Vary"]


def test_each_process_hands_its_tally_over_without_losing_a_view(campaign, monkeypatch, settings):
    # Every view past the interval hands over: to Redis when there is Redis, else to the counter rows.
    monkeypatch.setattr(counting, "PUSH_SECONDS", 0)
    settings.OUTCRY_VIEW_FLUSH_SECONDS = 0
    for _ in range(3):
        Client().get("/c/free-them/thanks/")
    assert counting._noted == {}
    counting.flush_noted()
    assert counting.get_count(campaign.pk, counting.Metric.THANKS_VIEWS, cached=False) == 3


def test_repeats_are_made_each_supporters_own_in_front_of_the_stack(campaign, supporter, monkeypatch):
    from outcry.campaigns import views

    amal, first = _acted(campaign, supporter)
    sara, second = _acted(campaign, supporter | {"first_name": "Sara"}, "sara@example.com")
    amal.get("/c/free-them/thanks/")  # builds the copy and leaves it in front
    monkeypatch.setattr(views, "thanks", lambda *a, **k: pytest.fail("the view ran for a repeat"))
    theirs = sara.get("/c/free-them/thanks/")
    html = theirs.content.decode()
    assert second.referral_code in html and first.referral_code not in html
    assert "Sara" in html and "Amal" not in html
    assert theirs.get("Content-Length") in (None, str(len(theirs.content)))  # never the first supporter's length
    assert "private" in theirs["Cache-Control"] and "Cookie" in theirs["Vary"]
    counting.flush_noted()
    assert counting.get_count(campaign.pk, counting.Metric.THANKS_VIEWS, cached=False) == 2
