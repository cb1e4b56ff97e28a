from __future__ import annotations

import subprocess

import pytest
from pypdf import PdfReader

from outcry.actions.models import Action
from outcry.reports.handin import NAMES_PER_PAGE, build_hand_in, hand_in_path
from outcry.reports.models import HandIn
from tests.conftest import make_staff
from tests.reports.conftest import make_actions

pytestmark = pytest.mark.django_db

ARABIC = ("مريم", "الحداد")


@pytest.fixture
def private_dir(settings, tmp_path):
    settings.OUTCRY_PRIVATE_DIR = tmp_path
    return tmp_path


@pytest.fixture
def signed(campaign):
    make_actions(campaign, 1, first_name="Amal", last_name="Haddad", country="GB")
    make_actions(campaign, 1, first_name=ARABIC[0], last_name=ARABIC[1], country="LY")
    make_actions(campaign, NAMES_PER_PAGE + 10, first_name="Zoë", country="FR")
    make_actions(campaign, 3, first_name="Never", last_name="Counted", status=Action.Status.DUPLICATE)
    return campaign


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_hand_in_has_the_letter_the_count_and_every_counted_name(signed, private_dir, django_capture_on_commit_callbacks):
    hand_in = HandIn.objects.create(campaign=signed)
    build_hand_in(str(hand_in.pk))
    hand_in.refresh_from_db()
    path = hand_in_path(hand_in)
    assert hand_in.status == "done" and hand_in.total == hand_in.done == NAMES_PER_PAGE + 12

    # One cover page, then NAMES_PER_PAGE names a page: 207 names make two pages of names.
    assert len(PdfReader(path).pages) == hand_in.pages == 3
    text = pdf_text(path)
    assert "Free them now" in text and "Dear Minister," in text and "They have done nothing wrong." in text
    assert "by 207 people" in text
    assert "Amal Haddad" in text and "United Kingdom" in text and "Libya" in text
    assert text.count("Zoë Person") == NAMES_PER_PAGE + 10
    assert "Never" not in text
    # Arabic is shaped and laid out right to left; pdftotext gives the words back in logical order.
    assert ARABIC[0] in text and ARABIC[1] in text
    pypdf_text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Amal Haddad" in pypdf_text


def test_pages_of_names_are_numbered_across_chunks(signed, private_dir, monkeypatch):
    from outcry.reports import handin

    monkeypatch.setattr(handin, "CHUNK_NAMES", NAMES_PER_PAGE)  # one page a chunk: the numbers must carry on
    hand_in = HandIn.objects.create(campaign=signed)
    build_hand_in(str(hand_in.pk))
    path = hand_in_path(hand_in)
    for number in (2, 3):
        page = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(path), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert f"Free them now · page {number}" in page


def test_the_file_is_not_under_media(signed, private_dir, settings):
    hand_in = HandIn.objects.create(campaign=signed)
    build_hand_in(str(hand_in.pk))
    assert not str(hand_in_path(hand_in)).startswith(str(settings.MEDIA_ROOT))


def test_staff_request_it_and_only_their_organisation_downloads_it(client, signed, private_dir, other_organisation, django_capture_on_commit_callbacks):
    client.force_login(make_staff(signed.organisation, "campaigner"))
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/admin/reports/campaignreport/{signed.pk}/hand-in/")
    assert response.status_code == 302
    hand_in = HandIn.objects.get()
    assert len(callbacks) == 1
    build_hand_in(str(hand_in.pk))  # what the worker runs for the queued task

    listing = client.get("/admin/reports/handin/").content.decode()
    assert "100%" in listing and f"/admin/reports/handin/{hand_in.pk}/download/" in listing
    download = client.get(f"/admin/reports/handin/{hand_in.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    client.force_login(make_staff(other_organisation, "outsider"))
    assert client.get(f"/admin/reports/handin/{hand_in.pk}/download/").status_code == 404
    assert client.get(f"/admin/reports/campaignreport/{signed.pk}/signers.csv").status_code == 404
    client.logout()
    assert client.get(f"/admin/reports/handin/{hand_in.pk}/download/").status_code == 302  # to the login page


def test_signers_csv_streams_the_same_list(staff_client, signed):
    response = staff_client.get(f"/admin/reports/campaignreport/{signed.pk}/signers.csv")
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0] == "first_name,last_name,country,created_at"
    assert len(lines) == 1 + NAMES_PER_PAGE + 12
    assert f"{ARABIC[0]},{ARABIC[1]},LY" in body and "Never" not in body


def test_titles_print_as_written_in_the_page_footer(campaign, private_dir):
    # Issue 13.10: escapejs inside a CSS string printed "Womenu0027s rights u002D …".
    campaign.title = 'Women\'s rights - "now" \\ </style><b>x</b>'
    campaign.save()
    Organisation = type(campaign.organisation)
    Organisation.objects.filter(pk=campaign.organisation_id).update(name="Rights & Co'")
    make_actions(campaign, 1, first_name="Amal", last_name="Haddad")
    hand_in = HandIn.objects.create(campaign=campaign)
    build_hand_in(str(hand_in.pk))
    # pdftotext -layout closes up some spaces in the small footer: compare without them.
    footer = "".join(pdf_text(hand_in_path(hand_in)).split("\n")[-2].split())
    assert footer == "".join('Women\'s rights - "now" \\ </style><b>x</b> · Rights & Co\''.split())


def test_bidi_controls_in_names_are_dropped_on_every_way_in(client, campaign, supporter, private_dir, settings):
    # Issue 13.10: "Amal \u202eladdaH" was stored as typed and printed reversed ("Haddal") on the hand-in.
    from outcry.actions.services import ActionData, take_action

    settings.BENCH_EXEMPT_LOOPBACK = True
    response = client.post("/c/free-them/", supporter | {"first_name": "\u202eAmal", "last_name": "\u2067ladda\u202eH\u2069"})
    assert response.status_code == 303
    take_action(campaign=campaign, data=ActionData(first_name="Zo\u202dë", last_name="\u202aPerson\u202c\u2066", email="z@example.com", country="FR"))
    names = list(Action.objects.values_list("first_name", "last_name"))
    assert sorted(names) == [("Amal", "laddaH"), ("Zoë", "Person")]
    # A row stored before the rule (or written around it) prints without its controls too.
    make_actions(campaign, 1, first_name="Old\u202eRow", last_name="Stored")
    hand_in = HandIn.objects.create(campaign=campaign)
    build_hand_in(str(hand_in.pk))
    text = pdf_text(hand_in_path(hand_in))
    assert "Amal laddaH" in text and "Zoë Person" in text and "OldRow Stored" in text
