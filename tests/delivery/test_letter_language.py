"""Each target's letter in the target's language when the campaign has its letter in that language; a letter the
supporter rewrote goes as they wrote it, marked as theirs."""

from __future__ import annotations

import pytest

from outcry.campaigns.models import CampaignTranslation, Target
from outcry.delivery.sending import send_due
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def bilingual(campaign):
    CampaignTranslation.objects.create(
        campaign=campaign, language="fr", letter_subject="Libérez-les", letter_salutation="Madame la Ministre,",
        letter_body="Libérez-les.\n\nIls n'ont rien fait de mal.", letter_signoff="Veuillez agréer mes salutations,",
    )
    Target.objects.create(campaign=campaign, name="Ministre", email="ministre@example.org", language="fr", position=3)
    Target.objects.create(campaign=campaign, name="Minister", email="de@example.org", language="de", position=4)
    return campaign


def test_each_target_reads_the_letter_in_its_language_when_there_is_one(smtp, bilingual):
    act(bilingual, "Amal", "Haddad", country="FR", withhold_name=True)
    send_due()
    (french,) = smtp.handler.to("ministre@example.org")
    assert french.message["Subject"] == "Libérez-les"
    body = french.message.get_content()
    assert body.startswith("Madame la Ministre,\n\nLibérez-les.\n\nIls n'ont rien fait de mal.\n\nVeuillez agréer mes salutations,\n")
    assert "own words" not in body
    # No German letter: the German target gets the campaign's own language.
    (german,) = smtp.handler.to("de@example.org")
    assert german.message["Subject"] == "Free them" and german.message.get_content().startswith("Dear Minister,")
    (english,) = smtp.handler.to("minister@example.org")
    assert english.message["Subject"] == "Free them"


def test_a_rewritten_letter_goes_as_written_and_is_marked_as_the_supporters(smtp, bilingual):
    bilingual.allow_personalise = True
    bilingual.save()
    words = "Minister,\n\nMy cousin is held in Tajoura. Please act.\n\nYou can stop this."
    act(bilingual, "Amal", "Haddad", letter_text=words, language="en")
    send_due()
    for address in ("ministre@example.org", "minister@example.org"):
        (received,) = smtp.handler.to(address)
        body = received.message.get_content()
        assert "My cousin is held in Tajoura. Please act.\n\nYou can stop this." in body
        assert body.startswith("Dear Minister,")  # the page it was written on was English
        assert body.rstrip().endswith("(The sender wrote this letter in their own words.)")
