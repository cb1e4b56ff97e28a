from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation

from outcry.actions import counting
from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, CampaignTranslation, LearnMoreLink
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due

pytestmark = pytest.mark.django_db
LOCALE = Path(settings.BASE_DIR) / "outcry" / "locale"


def html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


@pytest.fixture
def french(campaign) -> CampaignTranslation:
    """Complete (a title, a story and the letter) and offered; its other fields are left to the default language."""
    row = CampaignTranslation.objects.create(
        campaign=campaign, language="fr", title="Libérez-les maintenant", story="<p>L'histoire.</p>",
        letter_body="Libérez-les.\n\nIls n'ont rien fait.",
    )
    campaign.offered_languages = ["en", "fr"]
    campaign.save(update_fields=["offered_languages"])
    return row


def test_accept_language_chooses_the_language_of_an_unprefixed_page(client, campaign, offer):
    offer(campaign, "ar")
    response = client.get("/c/free-them/", HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5")
    html = response.content.decode()
    assert html_tag(html) == '<html lang="ar" dir="rtl">'
    assert "أرسل الرسالة" in html  # "Send the letter"
    assert response["Content-Language"] == "ar"
    assert "Accept-Language" in response["Vary"]


def test_a_language_prefix_wins_over_accept_language(client, campaign, offer):
    offer(campaign, "it", "ar")
    response = client.get("/it/c/free-them/", HTTP_ACCEPT_LANGUAGE="ar")
    html = response.content.decode()
    assert html_tag(html) == '<html lang="it" dir="ltr">'
    assert "Invia la lettera" in html
    assert 'action="/it/c/free-them/"' in html


def test_unprefixed_addresses_keep_working_in_english(client, campaign):
    for path in ["/", "/c/free-them/", "/c/free-them/thanks/", "/api/v1/campaigns/free-them/stats"]:
        assert client.get(path).status_code == 200, path
    html = client.get("/c/free-them/").content.decode()
    assert html_tag(html) == '<html lang="en" dir="ltr">'
    assert 'action="/c/free-them/"' in html


def test_acting_on_a_prefixed_page_stays_in_its_language_and_records_it(client, campaign, supporter, offer):
    offer(campaign, "ar")
    response = client.post("/ar/c/free-them/", supporter)
    assert response.status_code == 303
    assert response["Location"] == "/ar/c/free-them/thanks/"
    assert Action.objects.get().language == "ar"
    thanks = client.get(response["Location"]).content.decode()
    assert html_tag(thanks) == '<html lang="ar" dir="rtl">'
    assert "/ar/c/free-them/?ref=" in thanks  # the share link opens in Arabic for friends too


def test_a_request_leaves_no_language_behind_in_its_thread(client, campaign):
    client.get("/fr/c/free-them/")
    assert translation.get_language() == settings.LANGUAGE_CODE
    assert campaign.get_absolute_url() == "/c/free-them/"


def translate_fully(campaign, *languages: str) -> None:
    for language in languages:
        CampaignTranslation.objects.update_or_create(
            campaign=campaign, language=language,
            defaults={"title": f"Title {language}", "story": f"Story {language}", "letter_body": f"Letter {language}"},
        )
    campaign.offered_languages = list(languages)
    campaign.save(update_fields=["offered_languages"])


def test_switcher_links_this_page_in_every_language(client, campaign):
    translate_fully(campaign, "fr", "ar", "it")
    # Without the query: the page is one shared copy whatever its address; the page's script adds the
    # share parameters to these links (tests/browser/test_attribution.py).
    html = client.get("/c/free-them/?ref=abc&via=x").content.decode()
    switcher = html.split('<nav class="languages"')[1].split("</nav>")[0]
    for code, name in [("en", "English"), ("fr", "Français"), ("ar", "العربيّة"), ("it", "Italiano")]:
        assert f'href="/{code}/c/free-them/" hreflang="{code}" lang="{code}"' in switcher
        assert name in switcher
    assert switcher.count("aria-current") == 1
    assert 'hreflang="fr" href="http://127.0.0.1:8000/fr/c/free-them/"' in html
    assert "abc" not in html


def test_translation_replaces_what_it_has_and_falls_back_field_by_field(client, campaign, french):
    html = client.get("/fr/c/free-them/").content.decode()
    assert "<h1>Libérez-les maintenant</h1>" in html
    assert "Ils n&#x27;ont rien fait." in html
    assert "<p>L&#x27;histoire.</p>" in html or "<p>L'histoire.</p>" in html
    assert "Yes, Rights Now may email me." in html  # no French consent wording: the default language's
    # Italian is not offered: its address leads to the default language's page, never a half-translated one.
    response = client.get("/it/c/free-them/?ref=abc")
    assert response.status_code == 302 and response["Location"] == "/en/c/free-them/?ref=abc"
    english = client.get(response["Location"]).content.decode()
    assert "<h1>Free them now</h1>" in english and html_tag(english) == '<html lang="en" dir="ltr">'


def test_an_unchanged_translated_letter_is_not_stored_as_personalised(client, campaign, french, supporter):
    campaign.allow_personalise = True
    campaign.save()
    page = client.get("/fr/c/free-them/").content.decode()
    assert "Libérez-les." in page.split('name="letter_text"')[1]
    client.post("/fr/c/free-them/", supporter | {"letter_text": "Libérez-les.\r\n\r\nIls n'ont rien fait."})
    assert Action.objects.get().letter_text == ""


def test_the_index_shows_each_campaign_in_the_visitors_language(client, campaign, french):
    assert "Libérez-les maintenant" in client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Free them now" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_translated_copy_cannot_be_saved_over_the_original(campaign, french):
    shown = campaign.translated("fr")
    assert shown.title == "Libérez-les maintenant"
    with pytest.raises(RuntimeError):
        shown.save()
    campaign.refresh_from_db()
    assert campaign.title == "Free them now"


def test_a_translation_into_the_default_language_is_refused(campaign):
    with pytest.raises(ValidationError):
        CampaignTranslation(campaign=campaign, language="en", title="x").full_clean()


def test_translated_story_is_sanitised(campaign):
    translation_row = CampaignTranslation.objects.create(campaign=campaign, language="ar", story='<p onclick="x()">نص<script>1</script></p>')
    assert "<script" not in translation_row.story and "onclick" not in translation_row.story


def test_admin_edits_translations_inline(staff_client, campaign, french):
    html = staff_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert "translations-TOTAL_FORMS" in html
    assert "Libérez-les maintenant" in html


def test_counts_and_dates_are_written_the_local_way(client, campaign, offer):
    offer(campaign, "fr", "ar")
    counting.add_to_count(campaign.pk, 12345)
    LearnMoreLink.objects.create(campaign=campaign, title="Report", url="https://example.org/r", date=datetime.date(2017, 12, 12))
    french = client.get("/fr/c/free-them/").content.decode()
    assert "<strong data-count>12\xa0345</strong>" in french
    assert 'data-thousands="\xa0"' in french
    assert "12 décembre 2017" in french
    english = client.get("/en/c/free-them/").content.decode()
    assert "<strong data-count>12,345</strong>" in english
    assert "Dec. 12, 2017" in english
    arabic = client.get("/ar/c/free-them/").content.decode()
    assert "<strong data-count>12345</strong>" in arabic and 'data-thousands=""' in arabic  # Django groups none


def test_every_catalogue_is_complete_and_compiled():
    for code, _name in settings.LANGUAGES:
        po = LOCALE / code / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run `make messages` (needs msgfmt from gettext)"
        assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is older than its .po: run `make messages`"
        if code == settings.LANGUAGE_CODE:
            continue
        stats = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True).stderr
        assert "untranslated" not in stats and "fuzzy" not in stats, f"{po}: {stats}"
    with translation.override("fr"):
        assert translation.gettext("Sign the petition") == "Signer la pétition"
    with translation.override("ar"):
        assert translation.ngettext("person has taken action", "people have taken action", 3) == "أشخاص تحرّكوا"


@pytest.mark.parametrize("code", ["fr", "ar", "it"])
def test_no_english_interface_text_is_left_on_a_translated_page(client, campaign, code, offer):
    offer(campaign, code)
    response = client.get(f"/{code}/c/free-them/")
    assert response.status_code == 200
    html = response.content.decode()
    for english in ["Skip to content", "Send the letter", "First name", "The letter", "Learn more", "Powered by Outcry"]:
        assert english not in html, english


def test_demo_campaigns_speak_french_and_arabic(client):
    call_command("load_demo")
    libya = Campaign.objects.get(slug="stop-detention-libya")
    assert set(libya.translations.values_list("language", flat=True)) == {"fr", "ar", "it"}
    arabic = client.get("/ar/c/stop-detention-libya/").content.decode()
    assert "طالِبوا ليبيا بوقف احتجاز المهاجرين وبيعهم" in arabic
    assert html_tag(arabic) == '<html lang="ar" dir="rtl">'
    french = client.get("/fr/c/al-khoms-unhcr/").content.decode()
    assert "demandez au HCR d&#x27;enregistrer 90 réfugiés" in french


def test_the_shared_page_cache_keeps_languages_and_prefixes_apart(campaign, french, offer):
    from django.test import Client

    offer(campaign, "ar")

    arabic = Client().get("/c/free-them/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    prefixed = Client().get("/fr/c/free-them/").content.decode()
    plain = Client().get("/c/free-them/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="ar"' in html_tag(arabic) and 'lang="fr"' in html_tag(prefixed) and 'lang="fr"' in html_tag(plain)
    assert 'action="/fr/c/free-them/"' in prefixed
    assert 'action="/c/free-them/"' in plain
    french.title = "Libérez-les tous"
    french.save()
    assert "Libérez-les tous" in Client().get("/fr/c/free-them/").content.decode()


def test_country_names_are_translated(client, campaign, offer):
    offer(campaign, "ar", "fr")
    assert re.search(r'<option value="LY"( selected)?>ليبيا</option>', client.get("/ar/c/free-them/").content.decode())
    assert '<option value="DE">Allemagne</option>' in client.get("/fr/c/free-them/").content.decode()


def test_the_supporters_receipt_speaks_the_language_they_acted_in(client, campaign, french, supporter, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    client.post("/fr/c/free-them/", supporter)
    send_due()
    (receipt,) = [m for m in mail.outbox if m.to == ["Amal Haddad <amal@example.com>"]]
    assert receipt.subject == "Merci d'avoir agi : Libérez-les maintenant"
    assert Message.objects.filter(kind=Message.Kind.RECEIPT, status=Message.Status.SENT).count() == 1


def test_error_pages_speak_the_visitors_language(client):
    response = client.get("/fr/c/no-such-campaign/")
    html = response.content.decode()
    assert response.status_code == 404
    assert html_tag(html) == '<html lang="fr" dir="ltr">'
    assert "Page introuvable" in html
    with translation.override("ar"):
        assert "حدث خطأ ما" in render_to_string("500.html")  # rendered with no request, as Django does


@pytest.mark.parametrize(("header", "country"), [
    ("ar", ""), ("ar-EG,ar;q=0.9", "EG"), ("ar,ar-EG;q=0.8", "EG"), ("fr", ""), ("en-US", "US"),
    ("zh-Hant-TW", "TW"), ("es-419", ""), ("en-ZZ", ""), ("", ""),
])
def test_the_country_guess_comes_only_from_a_region(header, country):
    from outcry.actions.forms import default_country

    with translation.override("ar"):
        assert default_country(header) == country


@pytest.mark.parametrize("language", ["ar", "fr", "it", "en"])
def test_countries_follow_the_collation_of_the_page_language(language):
    from pyuca import Collator

    from outcry.actions.forms import country_choices

    with translation.override(language):
        choices = country_choices()
    names = [name for _code, name in choices[1:]]
    assert names == sorted(names, key=Collator().sort_key)
    if language == "ar":
        codes = [code for code, _name in choices]
        # الإمارات (alef) sits near the top, not at the English "United Arab Emirates" place near the end.
        assert codes.index("AE") < 30
    if language == "fr":
        names_fr = [name for _code, name in choices]
        assert names_fr.index("Égypte") < names_fr.index("Espagne")


def test_switcher_offers_only_languages_with_title_story_and_letter(client, campaign, french):
    # French has no story now: a "French" page would be mostly English.
    french.story = ""
    french.save()
    CampaignTranslation.objects.create(campaign=campaign, language="ar", title="حرّروهم", story="<p>القصة</p>", letter_body="حرّروهم.")
    campaign.offered_languages = ["fr", "ar", "it"]
    campaign.save()
    html = client.get("/c/free-them/").content.decode()
    switcher = html.split('<nav class="languages"')[1].split("</nav>")[0]
    assert 'hreflang="ar"' in switcher and 'hreflang="en"' in switcher
    assert 'hreflang="fr"' not in switcher and 'hreflang="it"' not in switcher
    assert 'rel="alternate" hreflang="fr"' not in html and 'rel="alternate" hreflang="ar"' in html


def test_a_campaign_in_one_language_shows_no_switcher(client, campaign, french):
    campaign.offered_languages = []  # French is complete but not offered
    campaign.save()
    assert '<nav class="languages"' not in client.get("/c/free-them/").content.decode()


def test_organisation_about_target_names_and_link_titles_follow_the_page_language(client, campaign):
    translate_fully(campaign, "ar", "fr")
    organisation = campaign.organisation
    organisation.about = "<p>We defend Human Rights. This is demo content.</p>"
    organisation.translations = {"ar": {"about": "<p>ندافع عن حقوق الإنسان.<script>x</script></p>"}}
    organisation.save()
    campaign.targets.filter(name="A Minister").update(translations={"ar": {"name": "الوزير", "title": "وزير الداخلية"}})
    LearnMoreLink.objects.create(campaign=campaign, title="Report", url="https://example.org/report",
                                 translations={"ar": {"title": "تقرير", "url": "https://example.org/ar/report"}})
    arabic = client.get("/ar/c/free-them/").content.decode()
    assert "<p>ندافع عن حقوق الإنسان.</p>" in arabic and "<script>x" not in arabic  # cleaned when saved
    assert '<div dir="auto"><p>ندافع' in arabic
    assert 'dir="auto" data-group="" data-country="">الوزير, وزير الداخلية</li>' in arabic
    assert '<a href="https://example.org/ar/report" rel="noopener noreferrer">تقرير</a>' in arabic
    # Untranslated: the default text, isolated so its punctuation stays on its own side.
    french = client.get("/fr/c/free-them/").content.decode()
    assert '<div dir="auto"><p>We defend Human Rights. This is demo content.</p></div>' in french
    assert 'dir="auto" data-group="" data-country="">A Minister, Minister of the Interior</li>' in french
    assert "<bdi>Rights Now</bdi>" in french
