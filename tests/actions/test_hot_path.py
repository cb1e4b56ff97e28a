"""The action POST is the write a viral spike multiplies: what it stores, in how many statements, all or nothing."""

from __future__ import annotations

import pytest
from django.db import DatabaseError
from django.test import Client
from django_tasks_db.models import DBTaskResult

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.delivery.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_action_commits_with_its_letters_its_task_and_its_count(campaign, supporter):
    assert Client().post("/c/free-them/", supporter).status_code == 303
    action = Action.objects.get()
    assert action.status == Action.Status.COUNTED
    assert sorted(action.messages.values_list("kind", flat=True)) == ["letter", "letter", "receipt"]
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("send_action_messages") and task.args_kwargs["args"] == [action.pk]
    assert counting.get_count(campaign.pk, cached=False) == 1


def test_a_failure_before_commit_leaves_no_action_no_letters_no_task(campaign, supporter, monkeypatch):
    def fail(*args: object) -> bool:
        raise DatabaseError("the database went away before COMMIT")

    monkeypatch.setattr(counting, "_add_to_shard", fail)
    with pytest.raises(DatabaseError):
        Client(raise_request_exception=True).post("/c/free-them/", supporter)
    assert not Action.objects.exists() and not Message.objects.exists() and not DBTaskResult.objects.exists()
    assert counting.get_count(campaign.pk, cached=False) == 0


def test_a_counted_action_costs_four_writes_once_the_campaign_is_known(campaign, supporter, django_assert_max_num_queries, settings):
    settings.OUTCRY_COUNTER_SHARDS = 1  # so the first action has created the counter row the second one updates
    client = Client()
    client.post("/c/free-them/", supporter | {"email": "first@example.com"})
    # INSERT the action, INSERT its messages, INSERT its task, UPDATE one counter row; plus BEGIN and
    # COMMIT where the backend reports them. No campaign, target or webhook reads: those are remembered.
    with django_assert_max_num_queries(6) as queries:
        assert client.post("/c/free-them/", supporter).status_code == 303
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert [s for s in statements if s not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")] == ["INSERT", "INSERT", "INSERT", "UPDATE"]


def test_a_country_code_outside_the_list_is_refused(campaign, supporter):
    response = Client().post("/c/free-them/", supporter | {"country": "ZZ"})
    assert response.status_code == 400
    assert not Action.objects.exists()
    assert Client().post("/c/free-them/", supporter | {"country": "fr"}).status_code == 400
    assert Client().post("/c/free-them/", supporter | {"country": "FR"}).status_code == 303


def test_the_country_list_is_in_the_visitors_language(campaign, offer):
    offer(campaign, "fr")
    french = Client().get("/fr/c/free-them/").content.decode()
    english = Client().get("/c/free-them/").content.decode()
    assert '<option value="DE">Allemagne</option>' in french
    assert '<option value="DE">Germany</option>' in english
    # Sorted by the name shown: Allemagne before Autriche, Austria before Germany.
    assert french.index('value="DE"') < french.index('value="AT"')
    assert english.index('value="AT"') < english.index('value="DE"')
