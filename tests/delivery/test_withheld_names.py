"""A withheld name reaches no target: not the letter (body or headers), the digest (body or CSV), the hand-in
PDF (read back with pdftotext) or the signers' CSV; the organisation's own data keeps it."""

from __future__ import annotations

import csv
import io

import pytest

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.delivery.sending import send_due
from outcry.delivery.services import make_digests
from outcry.reports.handin import build_hand_in, hand_in_path
from outcry.reports.models import HandIn
from tests.delivery.conftest import act
from tests.reports.test_handin import pdf_text

pytestmark = pytest.mark.django_db

HIDDEN = ("Samira", "Benali")  # ticked the box
FROM_LIBYA = ("Omar", "Tarhuni")  # from a country the campaign withholds
SHOWN = ("Jane", "Doe")


@pytest.fixture
def withholding(campaign) -> Campaign:
    campaign.withhold_names_from = ["LY"]
    campaign.save()
    return campaign


def act_three(campaign: Campaign) -> None:
    act(campaign, *HIDDEN, country="FR", withhold_name=True, withhold_name_wording="Don't show my name")
    act(campaign, *FROM_LIBYA, country="LY")
    act(campaign, *SHOWN, country="GB")


def assert_no_withheld_name(text: str) -> None:
    for word in (*HIDDEN, *FROM_LIBYA, "samira", "omar"):
        assert word not in text


def target_mail(smtp) -> list:
    return [r for r in smtp.handler.received if r.rcpt_tos[0].endswith("@example.org")]


def test_the_form_box_is_stored_with_its_wording(client, campaign, supporter):
    page = client.get("/c/free-them/").content.decode()
    assert 'name="withhold_name"' in page and "Don’t show my name to the target" in page.replace("&#x27;", "’").replace("'", "’")
    client.post("/c/free-them/", supporter | {"withhold_name": "on"})
    action = Action.objects.get()
    assert action.withhold_name is True
    assert action.withhold_name_wording.startswith("Don't show my name to the target")
    client.post("/c/free-them/", supporter | {"email": "other@example.com"})
    other = Action.objects.get(email="other@example.com")
    assert other.withhold_name is False and other.withhold_name_wording == ""


def test_letters_sign_a_withheld_name_as_a_supporter_from_the_country(smtp, withholding):
    act_three(withholding)
    send_due()
    letters = target_mail(smtp)
    assert len(letters) == 6  # three supporters, two targets each
    signatures = []
    for received in letters:
        raw = received.raw.decode("utf-8", "replace")
        body = received.message.get_content()
        display = received.message["From"].addresses[0].display_name
        if "Jane Doe" in body:
            assert display == "Jane Doe via Rights Now"
            continue
        assert_no_withheld_name(raw)
        # Nor their address: a Reply-To would name them as surely as the signature.
        assert "example.com" not in raw
        signatures.append(body.rstrip().splitlines()[-1])
        assert display == f"{signatures[-1]} via Rights Now"
    assert sorted(signatures) == ["A supporter from France"] * 2 + ["A supporter from Libya"] * 2
    # The organisation's own record keeps the names.
    assert Action.objects.filter(first_name__in=[HIDDEN[0], FROM_LIBYA[0]]).count() == 2


def test_digests_and_their_csv_withhold_the_names(smtp, withholding):
    withholding.delivery_mode = Campaign.DeliveryMode.DIGEST
    withholding.save()
    act_three(withholding)
    make_digests()
    send_due()
    digests = target_mail(smtp)
    assert len(digests) == 2
    for received in digests:
        assert_no_withheld_name(received.raw.decode("utf-8", "replace"))
        body = received.message.get_body(("plain",)).get_content()
        assert "- A supporter from France\n" in body and "- A supporter from Libya\n" in body
        assert "- Jane Doe (United Kingdom)" in body
        (attachment,) = list(received.message.iter_attachments())
        rows = list(csv.DictReader(io.StringIO(attachment.get_content())))
        assert_no_withheld_name(attachment.get_content())
        assert [(r["first_name"], r["last_name"], r["country"]) for r in rows] == [
            ("A supporter from France", "", "FR"), ("A supporter from Libya", "", "LY"), ("Jane", "Doe", "GB"),
        ]


def test_a_country_added_later_withholds_earlier_supporters_too(smtp, campaign):
    campaign.delivery_mode = Campaign.DeliveryMode.DIGEST
    campaign.save()
    act(campaign, *FROM_LIBYA, country="LY")
    campaign.withhold_names_from = ["LY"]
    campaign.save()
    make_digests()
    send_due()
    for received in target_mail(smtp):
        assert_no_withheld_name(received.raw.decode("utf-8", "replace"))


def test_the_hand_in_pdf_and_signers_csv_withhold_the_names(withholding, settings, tmp_path, staff_client):
    settings.OUTCRY_PRIVATE_DIR = tmp_path
    act_three(withholding)
    hand_in = HandIn.objects.create(campaign=withholding)
    build_hand_in(str(hand_in.pk))
    text = pdf_text(hand_in_path(hand_in))
    assert_no_withheld_name(text)
    assert "Jane Doe" in text
    assert "A supporter from France" in text and "A supporter from Libya" in text

    response = staff_client.get(f"/admin/reports/campaignreport/{withholding.pk}/signers.csv")
    body = b"".join(response.streaming_content).decode()
    assert_no_withheld_name(body)
    assert "A supporter from France,,FR," in body and "Jane,Doe,GB," in body
