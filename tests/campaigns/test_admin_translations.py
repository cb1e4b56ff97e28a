"""The admin edits targets' and links' words per language in fields, not as raw JSON (issue 17.2)."""

from __future__ import annotations

import pytest
from django.forms import modelform_factory

from outcry.campaigns.admin import LinkInline, TargetInline
from outcry.campaigns.models import LearnMoreLink, Target

pytestmark = pytest.mark.django_db


def test_the_change_page_shows_a_field_per_language(staff_client, campaign):
    minister = campaign.targets.get(name="A Minister")
    minister.translations = {"fr": {"name": "Un ministre"}}
    minister.save()
    html = staff_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert 'name="targets-0-translations_fr_name" value="Un ministre" lang="fr"' in html
    assert 'name="targets-0-translations_ar_title" value=""' in html and 'name="links-0-translations_it_url"' in html
    assert "{&quot;fr&quot;" not in html  # no JSON left to edit


def test_the_fields_become_the_rows_translations(campaign):
    form_class = modelform_factory(Target, form=TargetInline.form, fields=["name", "title", "translations"])
    minister = campaign.targets.get(name="A Minister")
    minister.translations = {"ar": {"name": "وزير"}}
    minister.save()
    data = {"name": "A Minister", "title": "Minister", "translations_fr_name": " Un ministre ", "translations_fr_title": "",
            "translations_ar_name": ""}
    form = form_class(data, instance=minister)
    assert form.is_valid(), form.errors
    form.save()
    minister.refresh_from_db()
    assert minister.translations == {"fr": {"name": "Un ministre"}}


def test_a_translated_address_must_be_http_or_https(campaign):
    form_class = modelform_factory(LearnMoreLink, form=LinkInline.form, fields=["title", "url", "translations"])
    link = LearnMoreLink(campaign=campaign)
    data = {"title": "Report", "url": "https://un.example.org/", "translations_fr_url": "javascript:alert(1)"}
    form = form_class(data, instance=link)
    assert not form.is_valid() and "translations" in form.errors
    form = form_class(data | {"translations_fr_url": "https://un.example.org/fr/"}, instance=link)
    assert form.is_valid(), form.errors
    assert form.save().translations == {"fr": {"url": "https://un.example.org/fr/"}}
