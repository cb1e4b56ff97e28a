"""Targets per supporter: a group of targets routed by the supporter's country (with a fallback), the supporter's
own choice where the campaign allows it, the no-JavaScript path that shows the letter's recipients for a
country, and the CSV import of targets."""

from __future__ import annotations

import re

import pytest

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, Target
from outcry.delivery.models import Message

pytestmark = pytest.mark.django_db

EMBASSY = "The Libyan embassy in your country"


@pytest.fixture
def routed(campaign) -> Campaign:
    for position, (country, name, email) in enumerate([
        ("GB", "Embassy in London", "london@example.org"),
        ("FR", "Ambassade à Paris", "paris@example.org"),
        ("", "Mission to the UN", "un@example.org"),
    ], start=5):
        Target.objects.create(campaign=campaign, group=EMBASSY, country=country, name=name, email=email, position=position)
    return campaign


def names(targets) -> list[str]:
    return [t.name for t in targets]


def test_each_group_resolves_to_the_supporters_country_or_its_fallback(routed):
    assert names(routed.targets_for("GB")) == ["A Minister", "A President", "Embassy in London"]
    assert names(routed.targets_for("FR")) == ["A Minister", "A President", "Ambassade à Paris"]
    assert names(routed.targets_for("DE")) == ["A Minister", "A President", "Mission to the UN"]
    minister = routed.targets.get(name="A Minister")
    london = routed.targets.get(name="Embassy in London")
    assert names(routed.targets_for("GB", [minister.pk, london.pk])) == ["A Minister", "Embassy in London"]
    # A target of another country's embassy is not among the French supporter's, chosen or not.
    assert names(routed.targets_for("FR", [london.pk])) == []


def test_letters_go_to_the_targets_resolved_for_each_supporter(client, routed, supporter):
    client.post("/c/free-them/", supporter | {"country": "FR"})
    client.post("/c/free-them/", supporter | {"country": "BR", "email": "bia@example.com"})
    letters = Message.objects.filter(kind=Message.Kind.LETTER)
    assert sorted(letters.filter(action__country="FR").values_list("target__name", flat=True)) == ["A Minister", "A President", "Ambassade à Paris"]
    assert sorted(letters.filter(action__country="BR").values_list("target__name", flat=True)) == ["A Minister", "A President", "Mission to the UN"]


def test_a_supporter_writes_to_the_subset_they_choose_and_at_least_one(client, routed, supporter):
    routed.supporters_choose_targets = True
    routed.save()
    minister, london, paris = (routed.targets.get(name=n) for n in ("A Minister", "Embassy in London", "Ambassade à Paris"))

    response = client.post("/c/free-them/", supporter | {"country": "GB", "targets": [minister.pk, london.pk], "targets_shown": "1"})
    assert response.status_code == 303
    action = Action.objects.get()
    assert action.target_ids == [minister.pk, london.pk]
    assert sorted(Message.objects.filter(kind="letter").values_list("target__name", flat=True)) == ["A Minister", "Embassy in London"]

    # None ticked, or only another country's embassy: the page again with the reason, nothing stored.
    for targets in ([], [paris.pk]):
        response = client.post("/c/free-them/", supporter | {"email": "other@example.com", "country": "GB", "targets": targets, "targets_shown": "1"})
        assert response.status_code == 400
        assert "Choose at least one of the people your letter goes to." in response.content.decode()
    assert Action.objects.count() == 1

    # A form that never showed the boxes (an old cached page, a script) writes to every target that applies.
    assert client.post("/c/free-them/", supporter | {"email": "script@example.com", "country": "FR"}).status_code == 303
    script = Message.objects.filter(kind="letter", action__email="script@example.com")
    assert sorted(script.values_list("target__name", flat=True)) == ["A Minister", "A President", "Ambassade à Paris"]


def recipients_shown(page: str) -> list[str]:
    to_list = re.search(r'<ul class="to-list">(.*?)</ul>', page, re.S)[1]
    return re.findall(r"<li[^>]*?(?<! hidden)>([^<]+)</li>", to_list)


def test_without_javascript_the_page_shows_the_letter_addressed_for_the_chosen_country(client, routed, supporter):
    routed.supporters_choose_targets = True
    routed.save()
    # The shared page guesses no country (only its script reads the browser's region): the group's fallback.
    page = client.get("/c/free-them/", headers={"accept-language": "fr-FR"}).content.decode()
    assert recipients_shown(page) == ["A Minister, Minister of the Interior", "A President, President", "Mission to the UN"]
    assert 'name="show_targets"' in page

    # The supporter picks Britain and presses "Update the recipients for my country": nothing is stored,
    # what they typed stays, and the letter (and the boxes) now name the London embassy.
    response = client.post("/c/free-them/", supporter | {"country": "GB", "show_targets": "1"})
    assert response.status_code == 200 and Action.objects.count() == 0
    page = response.content.decode()
    assert recipients_shown(page) == ["A Minister, Minister of the Interior", "A President, President", "Embassy in London"]
    assert 'value="Amal"' in page and "Please check the fields" not in page
    london = routed.targets.get(name="Embassy in London").pk
    paris = routed.targets.get(name="Ambassade à Paris").pk
    assert re.search(rf'<input type="checkbox" name="targets" value="{london}" id="id_targets_{london}" checked>', page)
    assert re.search(rf'<input type="checkbox" name="targets" value="{paris}" id="id_targets_{paris}" disabled', page)


def test_targets_are_imported_from_csv_with_a_report_of_rejected_rows(staff_client, campaign):
    csv_text = (
        b"name,title,email,country,language\n"
        b"Embassy in Rome,Ambassador,rome@example.org,it,it\n"
        b",No name,noname@example.org,ES,es\n"
        b"Bad Address,Ambassador,not-an-address,DE,de\n"
        b"Unknown Country,Ambassador,x@example.org,XX,en\n"
        b"Strange Language,Ambassador,y@example.org,ES,xx\n"
        b"Embassy in Rome again,Ambassador,rome@example.org,IT,it\n"
        b"Fallback,Mission,un@example.org,,\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = staff_client.post(
        f"/admin/campaigns/campaign/{campaign.pk}/import-targets/",
        {"file": SimpleUploadedFile("targets.csv", csv_text, content_type="text/csv"), "group": EMBASSY},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "2 targets added." in page
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    assert [(int(line), why) for line, _row, why in rows] == [
        (3, "no name"), (4, "not a valid email address"), (5, "unknown country code (use two letters, e.g. FR)"),
        (6, "language not offered by this site"), (7, "the same address and country twice"),
    ]
    rome = campaign.targets.get(email="rome@example.org")
    assert (rome.group, rome.country.code, rome.language, rome.title) == (EMBASSY, "IT", "it", "Ambassador")
    assert names(campaign.targets_for("IT")) == ["A Minister", "A President", "Embassy in Rome"]

    # Not a CSV of UTF-8 text: a clear error, nothing added.
    response = staff_client.post(
        f"/admin/campaigns/campaign/{campaign.pk}/import-targets/",
        {"file": SimpleUploadedFile("t.csv", "name,email\nÉ,x@example.org\n".encode("latin-1"))},
    )
    assert "not UTF-8" in response.content.decode() and campaign.targets.count() == 4
