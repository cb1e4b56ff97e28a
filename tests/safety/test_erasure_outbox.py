"""Erasure removes the kept copies (EMAIL_URL unset) of exactly the erased actions' mail: by foreign key,
within the organisation, whatever the address looks like. The old rule deleted every kept email whose raw
text contained the address, so erasing e@example.com took joe@example.com's letters and another
organisation's supporter's with it, and an IDN address (kept as punycode in the raw mail) left its copies."""

from __future__ import annotations

import pytest

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, Organisation
from outcry.delivery.models import Message, OutboxEmail
from outcry.delivery.sending import send_due
from outcry.safety.services import erase_actions
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def outbox_mailer(settings):
    settings.MAILERS = {"default": {"BACKEND": "outcry.delivery.backends.OutboxBackend"}}


def copies_of(action: Action) -> int:
    return OutboxEmail.objects.filter(message__action=action).count()


def test_erasure_deletes_exactly_the_erased_actions_copies_within_the_organisation(campaign):
    other_org = Organisation.objects.create(name="Other NGO", slug="other-ngo")
    theirs = Campaign.objects.create(
        organisation=other_org, slug="theirs", title="Theirs", summary="x", status=Campaign.Status.LIVE,
        action_kind=Campaign.ActionKind.LETTER, delivery_mode=Campaign.DeliveryMode.INDIVIDUAL, letter_subject="Theirs",
    )
    theirs.targets.create(name="Someone", email="someone@example.org")
    e = act(campaign, "E", "Short", email="e@example.com")
    joe = act(campaign, "Joe", "Long", email="joe@example.com")
    idn = act(campaign, "Idn", "User", email="idn.user@bücher.de")
    e_elsewhere = act(theirs, "E", "Elsewhere", email="e@example.com")
    send_due()
    for action in (e, joe, idn, e_elsewhere):
        assert copies_of(action) > 0
    assert any("xn--bcher-kva.de" in o.raw for o in OutboxEmail.objects.filter(message__action=idn))

    erase_actions(actions=Action.objects.filter(campaign=campaign, pk__in=[e.pk, idn.pk]), actor_label="test")

    assert copies_of(e) == 0 and copies_of(idn) == 0
    assert copies_of(joe) > 0, "joe@example.com contains e@example.com; his mail is not hers"
    assert copies_of(e_elsewhere) > 0, "another organisation's supporter was not erased here"
    assert not [o.pk for o in OutboxEmail.objects.all() if "bücher" in o.raw or "xn--bcher-kva" in o.raw or "bücher" in o.to]
    # Her letters themselves stay (the count and delivery history), only the copies and personal data go.
    assert Message.objects.filter(action=e).exists()


def test_erasing_oneself_removes_ones_own_data_link_copies_only(campaign):
    from outcry.delivery.services import owe_email
    from outcry.lib.hashing import hash_email
    from outcry.safety.privacy import erase_supporter

    act(campaign, "E", "Short", email="e@example.com")
    for address in ("e@example.com", "joe@example.com"):
        owe_email(kind=Message.Kind.DATA_LINK, recipient=address, language="en")
    send_due()
    assert OutboxEmail.objects.filter(message__kind=Message.Kind.DATA_LINK).count() == 2
    erase_supporter(hash_email("E@example.com"))
    assert list(OutboxEmail.objects.filter(message__kind=Message.Kind.DATA_LINK).values_list("to", flat=True)) == ["joe@example.com"]
