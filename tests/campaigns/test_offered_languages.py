"""Each campaign chooses the languages it offers: the switcher shows those that are complete, any other
request gets the default language's page, and the publish checklist blocks an offered language left half-done."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client

from outcry.campaigns import views
from outcry.campaigns.checklist import publish_checklist
from outcry.campaigns.models import Campaign, CampaignTranslation

pytestmark = pytest.mark.django_db


def switcher(html: str) -> str:
    return html.split('<nav class="languages"')[1].split("</nav>")[0]


def test_the_switcher_offers_the_offered_complete_languages_only(client, campaign, offer):
    offer(campaign, "fr")
    # Complete but not offered: fine, and not shown.
    CampaignTranslation.objects.create(campaign=campaign, language="ar", title="ع", story="ق", letter_body="ر")
    html = client.get("/c/free-them/").content.decode()
    assert 'hreflang="fr"' in switcher(html) and 'hreflang="en"' in switcher(html)
    assert 'hreflang="ar"' not in html and 'hreflang="it"' not in html
    campaign.offered_languages = ["fr", "ar"]
    campaign.save()
    assert 'hreflang="ar"' in switcher(client.get("/c/free-them/").content.decode())


def test_a_language_not_offered_gets_the_default_language_page(client, campaign, offer):
    offer(campaign, "fr")
    response = client.get("/c/free-them/", HTTP_ACCEPT_LANGUAGE="ar")
    html = response.content.decode()
    assert '<html lang="en" dir="ltr">' in html and "Send the letter" in html and "أرسل" not in html
    assert response["Content-Language"] == "en"
    redirect = client.get("/ar/c/free-them/?ref=abc&via=x")
    assert redirect.status_code == 302 and redirect["Location"] == "/en/c/free-them/?ref=abc&via=x"
    assert client.get("/ar/c/free-them/thanks/")["Location"] == "/en/c/free-them/thanks/"
    assert '<html lang="fr"' in client.get("/fr/c/free-them/").content.decode()


def test_an_offered_language_left_half_done_is_never_shown(client, campaign):
    CampaignTranslation.objects.create(campaign=campaign, language="fr", title="Libérez-les")  # no story, no letter
    campaign.offered_languages = ["fr"]
    campaign.save()
    assert client.get("/fr/c/free-them/")["Location"] == "/en/c/free-them/"
    html = client.get("/c/free-them/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Libérez-les" not in html and '<html lang="en"' in html
    assert '<nav class="languages"' not in html


def test_acting_in_a_language_not_offered_is_recorded_in_the_default_language(client, campaign, supporter):
    from outcry.actions.models import Action

    assert client.post("/c/free-them/", supporter, HTTP_ACCEPT_LANGUAGE="it").status_code == 303
    assert Action.objects.get().language == "en"


def test_the_shared_page_cache_stays_bounded_whatever_the_language_asked(campaign, offer, monkeypatch):
    offer(campaign, "fr")
    variants = set()
    real = views.shared

    def spy(kind, slug, variant, seconds, build):
        variants.add((kind, variant))
        return real(kind, slug, variant, seconds, build)

    monkeypatch.setattr(views, "shared", spy)
    headers = ["ar", "it", "fr", "en", "de", "ar-EG,ar;q=0.9", "fr-CA", "it-IT,en;q=0.1", "zz", "", "*"]
    for header in headers:
        for prefix in ["", "/ar", "/fr", "/it", "/en"]:
            response = Client().get(f"{prefix}/c/free-them/?ref=x{header}", HTTP_ACCEPT_LANGUAGE=header, follow=True)
            assert response.status_code == 200
    pages = {variant for kind, variant in variants if kind == "page"}
    # One copy per offered language without a prefix, one per offered prefix: never more, whatever was asked.
    assert pages <= {("en", ""), ("fr", ""), ("en", "en"), ("fr", "fr")}
    assert len(pages) == 4


def test_the_checklist_blocks_an_offered_language_that_is_not_complete(campaign, offer):
    campaign.status = Campaign.Status.DRAFT
    campaign.organisation.privacy_url = "https://example.org/privacy"
    campaign.organisation.save()
    campaign.offered_languages = ["ar"]
    assert [p for p in publish_checklist(campaign).problems if "Arabic translation is offered but not complete" in p]
    offer(campaign, "ar")
    assert publish_checklist(campaign).problems == []
    # A complete translation that is not offered is fine.
    offer(campaign, "it")
    campaign.offered_languages = ["ar"]
    assert publish_checklist(campaign).problems == []


def test_the_migration_offers_what_existing_pages_offered(campaign, organisation):
    migration = importlib.import_module("outcry.campaigns.migrations.0018_offer_complete_translations")
    CampaignTranslation.objects.create(campaign=campaign, language="fr", title="T", story="S", letter_body="L")
    CampaignTranslation.objects.create(campaign=campaign, language="ar", title="T", story="S")  # no letter: incomplete
    petition = Campaign.objects.create(
        organisation=organisation, slug="petition", title="P", summary="s", language="it", action_kind=Campaign.ActionKind.PETITION,
    )
    CampaignTranslation.objects.create(campaign=petition, language="en", title="T", story="S")  # a petition needs no letter
    migration.offer_complete_translations(apps, None)
    campaign.refresh_from_db()
    petition.refresh_from_db()
    assert campaign.offered_languages == ["en", "fr"]
    assert petition.offered_languages == ["en", "it"]
    assert campaign.public_languages == ["en", "fr"]
