"""One mailbox counts once, however its address is spelled (outcry/lib/mailbox.py), and actions stored
under the old hashes are merged by merge_identities (the data migration and its command)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.actions.services import ActionData, merge_identities, take_action
from outcry.integrations.models import Webhook, WebhookDelivery
from outcry.integrations.services import new_webhook_secret
from outcry.lib.hashing import keyed_hash
from outcry.lib.mailbox import is_lookalike_domain, normalise_email

# The spellings of one Gmail mailbox the issue counted as four people (and a fifth, look-alike domain).
ONE_MAILBOX = ["a.b+1@gmail.com", "ab+2@gmail.com", "A.B@gmail.com", "a.b@googlemail.com"]


@pytest.mark.parametrize(("given", "identity"), [
    *[(spelling, "ab@gmail.com") for spelling in ONE_MAILBOX],
    ("  ａ.ｂ@ＧＭＡＩＬ.com ", "ab@gmail.com"),  # full-width letters, NFKC
    ("Rosa+campaigns@Example.org", "rosa@example.org"),  # +tag stripped on every domain
    ("rosa.luxemburg@outlook.com", "rosa.luxemburg@outlook.com"),  # dots matter where the provider keeps them
    ("x@Bücher.de", "x@xn--bcher-kva.de"),
    ("x@xn--bcher-kva.de", "x@xn--bcher-kva.de"),
    ("+news@example.org", "+news@example.org"),  # no name before the tag: kept whole
])
def test_spellings_of_one_mailbox_share_one_identity(given, identity):
    assert normalise_email(given) == identity
    assert normalise_email(identity) == identity


def test_mixed_script_lookalike_domains_are_flagged_and_real_ones_are_not():
    assert is_lookalike_domain("gmаil.com")  # Cyrillic а
    assert is_lookalike_domain(normalise_email("a.b@gmаil.com").rpartition("@")[2])  # its punycode form
    for domain in ["gmail.com", "xn--bcher-kva.de", "почта.рф", "例子.中国"]:
        assert not is_lookalike_domain(domain)


def act(campaign, email: str) -> Action:
    return take_action(campaign=campaign, data=ActionData(first_name="A", last_name="B", email=email, country="GB"))


@pytest.mark.django_db
def test_the_issues_four_spellings_of_one_gmail_count_once(campaign):
    statuses = [act(campaign, email).status for email in ONE_MAILBOX]
    assert statuses == [Action.Status.COUNTED] + [Action.Status.DUPLICATE] * 3
    assert counting.get_count(campaign.pk, cached=False) == 1
    assert set(Action.objects.values_list("email_domain", flat=True)) == {"gmail.com"}


@pytest.mark.django_db
def test_merge_recomputes_old_hashes_and_uncounts_the_repeats_in_one_go(campaign):
    hook = Webhook(organisation=campaign.organisation, name="CRM", url="http://127.0.0.1:9/hook")
    new_webhook_secret(hook)
    hook.save()
    # What the old normalise_email (lower case only) stored: each spelling under its own hash, so each counted.
    actions = []
    for email in [*ONE_MAILBOX, "someone.else@gmail.com"]:
        action = act(campaign, email)
        Action.objects.filter(pk=action.pk).update(email_hash=keyed_hash(email.lower(), "email"))
        actions.append(action)
    assert Action.objects.filter(status="counted").count() == counting.get_count(campaign.pk, cached=False) == 5
    erased = act(campaign, "gone@example.org")
    Action.objects.filter(pk=erased.pk).update(email="")

    assert merge_identities() == 3
    assert merge_identities() == 0  # idempotent
    statuses = dict(Action.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in actions] == ["counted", "duplicate", "duplicate", "duplicate", "counted"]
    assert statuses[erased.pk] == "counted"
    counting.forget_cached_count(campaign.pk)
    assert counting.get_count(campaign.pk) == 3
    assert Action.objects.filter(status="counted").count() == 3
    # The CRM hears that the repeats stopped counting, and why.
    assert sorted(WebhookDelivery.objects.filter(event="action.uncounted").values_list("action_id", "reason")) == [
        (a.pk, "duplicate") for a in actions[1:4]
    ]


@pytest.mark.django_db
def test_merge_keeps_the_counted_one_over_an_earlier_unconfirmed_or_held_one(campaign):
    first = act(campaign, "A.B@gmail.com")
    later = act(campaign, "ab@gmail.com")
    Action.objects.filter(pk=first.pk).update(status=Action.Status.HELD, email_hash=keyed_hash("a.b@gmail.com", "email"))
    Action.objects.filter(pk=later.pk).update(status=Action.Status.COUNTED)
    call_command("merge_identities", stdout=io.StringIO())
    assert Action.objects.get(pk=first.pk).status == Action.Status.DUPLICATE
    assert Action.objects.get(pk=later.pk).status == Action.Status.COUNTED
    assert counting.get_count(campaign.pk, cached=False) == 1


@pytest.mark.django_db
def test_the_migration_path_corrects_the_counter_without_the_apps_above(campaign):
    for email in ONE_MAILBOX[:2]:
        action = act(campaign, email)
        Action.objects.filter(pk=action.pk).update(email_hash=keyed_hash(email.lower(), "email"))
    assert counting.get_count(campaign.pk, cached=False) == 2
    assert merge_identities(Action, notify=False) == 1
    assert counting.get_count(campaign.pk, cached=False) == 1
    assert not WebhookDelivery.objects.exists()
