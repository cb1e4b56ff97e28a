"""Nobody acts in someone else's name (issue 16): the two hijacks the issue made, as the attacker made them.

1. On a double opt-in campaign an attacker acts first with the victim's address, name and their own words;
   the victim's own later action was a mere duplicate, and confirming through the resend link counted and
   sent the attacker's letter signed with the victim's name.
2. On an ordinary campaign an attacker's no-JavaScript submission with the victim's address is held; the
   victim's own action was then a duplicate with no letters, and rejecting the held one never restored it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from outcry.actions import counting
from outcry.actions.confirmation import expire_unconfirmed
from outcry.actions.models import Action
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due
from outcry.safety.models import Flag
from outcry.safety.services import reject_held
from tests.conftest import make_staff
from tests.safety.conftest import human

pytestmark = pytest.mark.django_db
ATTACKER_WORDS = "Ignore the detainees. I support the minister and his prisons."
VICTIM_WORDS = "Please free them. I have waited long enough for my brother."


def count(campaign) -> int:
    counting.forget_cached_count(campaign.pk)
    return counting.get_count(campaign.pk)


def last_mail_to(smtp, address: str) -> str:
    return smtp.handler.to(address)[-1].message.get_body(("plain",)).get_content()


def link_in(text: str) -> str:
    (url,) = re.findall(r"http://\S+/confirm/\S+/", text)
    return url.removeprefix("http://127.0.0.1:8000")


def post(client, data: dict, capture, **extra):
    with capture(execute=True):
        return client.post("/c/free-them/", data, **extra)


def test_a_pre_registered_address_never_sends_the_attackers_letter_in_the_victims_name(
    smtp, campaign, client, supporter, django_capture_on_commit_callbacks,
):
    campaign.double_opt_in = True
    campaign.allow_personalise = True
    campaign.save()
    capture = django_capture_on_commit_callbacks
    post(client, supporter | {"letter_text": ATTACKER_WORDS}, capture)
    send_due()
    attackers_link = link_in(last_mail_to(smtp, supporter["email"]))
    # The victim acts in their own words, then (as in the issue) asks for the link again.
    post(client, supporter | {"letter_text": VICTIM_WORDS}, capture)
    with capture(execute=True):
        client.post("/c/free-them/confirm/resend/", {"email": supporter["email"]})
    send_due()
    mail = last_mail_to(smtp, supporter["email"])
    # The email quotes what the link confirms: the victim's own words, under their name.
    assert VICTIM_WORDS in mail and ATTACKER_WORDS not in mail and "Amal Haddad" in mail
    with capture(execute=True):
        assert client.post(link_in(mail)).status_code == 303
    # The attacker's link, sent before, confirms nothing now.
    assert client.post(attackers_link).status_code == 400
    send_due()
    assert count(campaign) == 1
    letters = [m.message.get_body(("plain",)).get_content() for m in smtp.handler.to("minister@example.org")]
    assert len(letters) == 1 and VICTIM_WORDS in letters[0] and ATTACKER_WORDS not in letters[0]


def test_the_confirmation_email_quotes_the_letter_it_confirms(smtp, campaign, supporter, client, django_capture_on_commit_callbacks):
    campaign.double_opt_in = True
    campaign.allow_personalise = True
    campaign.save()
    post(client, supporter | {"letter_text": ATTACKER_WORDS}, django_capture_on_commit_callbacks)
    send_due()
    mail = smtp.handler.to(supporter["email"])[-1].message
    assert ATTACKER_WORDS in mail.get_body(("plain",)).get_content()
    assert ATTACKER_WORDS in mail.get_body(("html",)).get_content()
    assert 'signed "Amal Haddad"' in mail.get_body(("plain",)).get_content()


def test_the_same_letter_sent_twice_keeps_its_first_confirmation(smtp, campaign, supporter, client, django_capture_on_commit_callbacks):
    campaign.double_opt_in = True
    campaign.save()
    post(client, supporter, django_capture_on_commit_callbacks)
    post(client, supporter, django_capture_on_commit_callbacks)
    first, second = Action.objects.order_by("pk")
    assert (first.status, second.status) == (Action.Status.UNCONFIRMED, Action.Status.DUPLICATE)


def test_a_held_submission_in_the_victims_name_never_blocks_the_victims_own_action(
    campaign, client, supporter, settings, organisation, django_capture_on_commit_callbacks,
):
    settings.BENCH_EXEMPT_LOOPBACK = False
    settings.OUTCRY_POW_MAX_NUMBER = 200
    capture = django_capture_on_commit_callbacks
    campaign.hold_flagged = True  # the campaign reviews actions with signs of a bot
    campaign.save()
    # The attacker, without JavaScript: held for review.
    post(client, supporter, capture, REMOTE_ADDR="203.0.113.66")
    held = Action.objects.get()
    assert held.status == Action.Status.HELD and held.flags.filter(reason=Flag.Reason.NO_CHALLENGE).exists()
    # The victim acts with JavaScript: counted at once, with their letters.
    post(client, human(supporter), capture, REMOTE_ADDR="198.51.100.5")
    mine = Action.objects.latest("pk")
    assert mine.status == Action.Status.COUNTED and count(campaign) == 1
    assert Message.objects.filter(action=mine, kind=Message.Kind.LETTER).count() == 2
    # The held one left the review queue; rejecting what remains changes nothing for the victim.
    held.refresh_from_db()
    assert held.status == Action.Status.DUPLICATE
    reject_held(actions=Action.objects.all(), user=make_staff(organisation, "reviewer"))
    mine.refresh_from_db()
    assert mine.status == Action.Status.COUNTED and count(campaign) == 1


def test_rejected_and_expired_actions_free_the_address(campaign, client, supporter, organisation, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    from outcry.actions.services import ActionData, take_action

    held = take_action(campaign=campaign, data=ActionData(first_name="A", last_name="B", email=supporter["email"], country="GB", hold=True))
    reject_held(actions=Action.objects.filter(pk=held.pk), user=make_staff(organisation, "reviewer"))
    post(client, supporter, capture)
    assert Action.objects.latest("pk").status == Action.Status.COUNTED

    campaign.double_opt_in = True
    campaign.save()
    other = supporter | {"email": "other@example.org"}
    post(client, other, capture)
    Action.objects.filter(email="other@example.org").update(created_at=timezone.now() - timedelta(days=60))
    assert expire_unconfirmed() == 1
    post(client, other, capture)
    assert Action.objects.filter(email="other@example.org").latest("pk").status == Action.Status.UNCONFIRMED
