"""Targets' names and titles and "learn more" links per language, edited in the studio beside the default
language instead of as JSON in the admin (issue 17.2, left open by issue 18)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outcry.campaigns.models import Campaign, LearnMoreLink, Membership, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(campaign) -> LearnMoreLink:
    return LearnMoreLink.objects.create(campaign=campaign, title="The UN report", url="https://un.example.org/report")


def url(campaign: Campaign, language: str = "fr", names: bool = False) -> str:
    return reverse("studio:translate_names" if names else "studio:translate", kwargs={"pk": campaign.pk, "language": language})


def fields(campaign: Campaign, **values: str) -> dict[str, str]:
    """Every names field of the campaign, empty, with `values` (target_1_name="…") filled in."""
    data = {}
    for n, target in enumerate(campaign.targets.order_by("position", "pk"), 1):
        for name in ("name", "title"):
            data[f"target-{target.pk}-{name}"] = values.get(f"target_{n}_{name}", "")
    for n, row in enumerate(campaign.links.all(), 1):
        for name in ("title", "url"):
            data[f"link-{row.pk}-{name}"] = values.get(f"link_{n}_{name}", "")
    return data


def test_names_are_shown_beside_the_default_language_with_the_missing_ones_marked(as_role, campaign, link):
    minister = campaign.targets.get(name="A Minister")
    minister.translations = {"fr": {"name": "Un ministre"}, "ar": {"title": "وزير الداخلية"}}
    minister.save()
    page = as_role(Membership.Role.EDITOR).get(url(campaign)).content.decode()
    names = page[page.index('id="names"'):]
    assert "Minister of the Interior" in names and "The UN report" in names
    assert f'name="target-{minister.pk}-name" value="Un ministre"' in names
    assert 'lang="fr"' in names and "Name of target 1" in names and "Address of link 1" in names
    # Three names and titles left in French (title 1, name 2, title 2, link title 1 = 4); the address needs none.
    assert "4 names and titles left to translate on this page" in names
    assert names.count('<span class="missing">') == 4


def test_saving_names_keeps_other_languages_and_an_empty_field_shows_the_default(as_role, client, campaign, link, offer):
    offer(campaign, "fr")  # the public page shows French only once the campaign offers it, complete
    president = campaign.targets.get(name="A President")
    president.translations = {"fr": {"name": "old"}, "ar": {"name": "رئيس"}}
    president.save()
    editor = as_role(Membership.Role.EDITOR)
    data = fields(campaign, target_1_name="Un ministre", target_1_title="Ministre de l'Intérieur", target_2_title="Président",
                  link_1_title="Le rapport de l'ONU", link_1_url="https://un.example.org/fr/rapport")
    response = editor.post(url(campaign, names=True), data)
    assert response.status_code == 303 and response["Location"] == url(campaign) + "#names"
    minister = campaign.targets.get(name="A Minister")
    president.refresh_from_db()
    link.refresh_from_db()
    assert minister.translations == {"fr": {"name": "Un ministre", "title": "Ministre de l'Intérieur"}}
    assert president.translations == {"fr": {"title": "Président"}, "ar": {"name": "رئيس"}}
    assert link.translations == {"fr": {"title": "Le rapport de l'ONU", "url": "https://un.example.org/fr/rapport"}}
    # The public page in French shows them at once (the cached page learns of the change).
    client.logout()
    page = client.get("/fr/c/free-them/").content.decode()
    assert "Un ministre, Ministre de l&#x27;Intérieur" in page and "A President, Président" in page
    assert 'href="https://un.example.org/fr/rapport"' in page
    # Emptying every field removes the language from the row.
    editor.force_login(campaign.organisation.memberships.get().user)  # as_role signed in `client`, signed out above
    assert editor.post(url(campaign, names=True), fields(campaign)).status_code == 303
    minister.refresh_from_db()
    assert minister.translations == {}


@pytest.mark.parametrize("address", ["javascript:alert(1)", "ftp://un.example.org/report", "data:text/html,hi", "https://"])
def test_a_translated_address_must_be_http_or_https(as_role, campaign, link, address):
    response = as_role(Membership.Role.EDITOR).post(url(campaign, names=True), fields(campaign, target_1_name="Un ministre", link_1_url=address))
    assert response.status_code == 400
    assert '<div class="field invalid">' in response.content.decode()
    link.refresh_from_db()
    assert link.translations == {} and campaign.targets.get(name="A Minister").translations == {}


def test_viewers_cannot_save_and_another_campaigns_rows_are_untouched(as_role, campaign, other_campaign):
    theirs = Target.objects.create(campaign=other_campaign, name="Their target")
    data = fields(campaign, target_1_name="Un ministre") | {f"target-{theirs.pk}-name": "hijacked"}
    assert as_role(Membership.Role.VIEWER, "viewer").post(url(campaign, names=True), data).status_code == 403
    assert as_role(Membership.Role.EDITOR, "editor").post(url(campaign, names=True), data).status_code == 303
    theirs.refresh_from_db()
    assert theirs.translations == {}
    assert as_role(Membership.Role.EDITOR, "editor2").post(url(other_campaign, names=True), data).status_code in (403, 404)
    assert as_role(Membership.Role.EDITOR, "editor3").post(url(campaign, "en", names=True), data).status_code == 404


def test_many_targets_are_translated_a_page_at_a_time(as_role, campaign):
    Target.objects.bulk_create([Target(campaign=campaign, name=f"MEP {n}", position=10 + n) for n in range(150)])
    editor = as_role(Membership.Role.EDITOR)
    second = editor.get(url(campaign) + "?page=2").content.decode()
    last = campaign.targets.order_by("position", "pk").last()
    assert f'name="target-{last.pk}-name"' in second and "Name of target 152" in second
    assert "Page 2 of 2" in second and f'action="{url(campaign, names=True)}?page=2"' in second
    response = editor.post(url(campaign, names=True) + "?page=2", {f"target-{last.pk}-name": "Député 149"})
    assert response.status_code == 303 and response["Location"] == url(campaign) + "?page=2#names"
    last.refresh_from_db()
    assert last.translations == {"fr": {"name": "Député 149"}}
