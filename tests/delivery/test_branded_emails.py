"""Supporters' emails carry the organisation's branding: its sender name in From (safe in a header, however it
is written), its footer in both parts, and in the HTML part its colour and its logo from our own site (issue 17.5).
Letters to targets stay plain letters."""

from __future__ import annotations

import io
import re
from email.header import decode_header, make_header
from email.utils import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from outcry.campaigns.models import Campaign, CampaignUpdate, Organisation
from outcry.delivery.emails import build_email
from outcry.delivery.models import Message
from outcry.delivery.sending import send_due
from outcry.updates.services import send_test
from tests.delivery.conftest import act

pytestmark = pytest.mark.django_db

FOOTER = "Rights Now, 1 Free Street, London. Charity 123456."


@pytest.fixture
def branded(settings, tmp_path, organisation: Organisation) -> Organisation:
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://act.rights.example"
    out = io.BytesIO()
    Image.new("RGB", (120, 40), (11, 93, 30)).save(out, "PNG")
    organisation.logo.save("rights.png", SimpleUploadedFile("rights.png", out.getvalue()), save=False)
    organisation.brand_colour = "#0b5d1e"
    organisation.footer_text = FOOTER
    organisation.sender_name = "Rights Now team"
    organisation.save()
    return organisation


def parts(received) -> tuple[str, str]:
    mail = received.message
    return mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()


def assert_loads_only_our_site(html: str) -> None:
    # Every image, stylesheet or font would be fetched when the email is opened: only our own logo may be.
    fetched = re.findall(r'<(?:img|link|script|iframe)\b[^>]*?(?:src|href)="([^"]+)"', html) + re.findall(r"url\(([^)]*)\)", html)
    assert fetched and all(url.startswith("https://act.rights.example/media/") for url in fetched), fetched
    assert "@import" not in html and "@font-face" not in html


def test_receipt_is_branded_in_both_parts_through_a_real_mail_server(smtp, campaign, branded):
    act(campaign)
    send_due()
    (receipt,) = smtp.handler.to("amal.haddad@example.com")
    assert receipt.message["From"].addresses[0].display_name == "Rights Now team"
    text, html = parts(receipt)
    # The plain-text part is still the whole email, with the footer under the sign-off.
    assert "Thank you for taking action on \"Free them now\"" in text and "?ref=" in text
    assert text.rstrip().endswith(f"--\n{FOOTER}")
    assert f'<img src="https://act.rights.example/media/{branded.logo.name}" alt="Rights Now" height="48">' in html
    assert "border-top: 4px solid #0b5d1e" in html and "a { color: #0b5d1e; }" in html
    assert FOOTER in html
    assert_loads_only_our_site(html)


def test_letters_to_targets_stay_plain_letters(smtp, campaign, branded):
    act(campaign)
    send_due()
    (letter,) = smtp.handler.to("minister@example.org")
    assert not letter.message.is_multipart() and letter.message.get_content_type() == "text/plain"
    assert FOOTER not in letter.message.get_content() and "Rights Now team" not in letter.message["From"]


@pytest.mark.parametrize("hostile", [
    "Rights Now\r\nBcc: victim@example.net",
    "Rights Now\nSubject: you won",
    'Ärzte "ohne" Grenzen, Comité <évil@example.net>',
    "حقوق الآن",
])
def test_a_hostile_sender_name_stays_one_encoded_display_name(smtp, settings, campaign, organisation, hostile):
    # Written around the form (the admin's shell, an import): the email itself must still be safe.
    Organisation.objects.filter(pk=organisation.pk).update(sender_name=hostile)
    act(campaign)
    send_due()
    (receipt,) = smtp.handler.to("amal.haddad@example.com")
    assert receipt.rcpt_tos == ["amal.haddad@example.com"]
    headers = receipt.raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in headers and headers.count(b"\r\nSubject:") == 1
    assert all(byte < 128 for byte in headers), "non-ASCII must be encoded (RFC 2047)"
    # Decoded as RFC 2047 says (whitespace between encoded words is dropped); Python's newer header parser
    # puts a space where a long name was folded, which mail clients do not.
    (raw_from,) = re.findall(rb"\r\nFrom: (.*?)\r\n(?! )", headers, re.S)
    decoded = str(make_header(decode_header(raw_from.decode("ascii").replace("\r\n", ""))))
    expected = " ".join(hostile.split())
    # One display name (its specials inside the encoded words, where they are only text), then our address.
    name, address = decoded.rsplit(" <", 1)
    assert unquote(name) == expected and address == f"noreply@{settings.MAIL_DOMAIN}>"


def test_confirmation_request_and_update_carry_the_footer_and_colour(smtp, campaign, branded):
    campaign.double_opt_in = True
    campaign.save()
    act(campaign)
    item = CampaignUpdate.objects.create(campaign=campaign, title="News", body="We handed in the letters.")
    send_test(item, "campaigner@example.org")
    send_due()
    for address in ("amal.haddad@example.com", "campaigner@example.org"):
        (mail,) = smtp.handler.to(address)
        assert mail.message["From"].addresses[0].display_name == "Rights Now team"
        text, html = parts(mail)
        assert FOOTER in text and FOOTER in html and "#0b5d1e" in html
        assert_loads_only_our_site(html)
    text, _html = parts(smtp.handler.to("amal.haddad@example.com")[0])
    assert "/confirm/" in text


def test_without_branding_the_html_part_has_no_style_and_no_image(campaign):
    action = act(campaign)
    html = build_email(Message.objects.get(action=action, kind=Message.Kind.RECEIPT)).alternatives[0][0]
    assert "<img" not in html and "<style" not in html and "style=" not in html and "<hr>" not in html


def test_a_colour_written_around_validation_never_reaches_a_style(campaign, organisation):
    # Seven characters, the column's width (PostgreSQL refuses more): not a colour, and it opens a tag.
    Organisation.objects.filter(pk=organisation.pk).update(brand_colour="red;}</")
    action = act(Campaign.objects.get(pk=campaign.pk))
    html = build_email(Message.objects.get(action=action, kind=Message.Kind.RECEIPT)).alternatives[0][0]
    assert "red;" not in html and "}</" not in html


def test_arabic_email_reads_right_to_left(campaign, branded):
    action = act(campaign, language="ar")
    html = build_email(Message.objects.get(action=action, kind=Message.Kind.RECEIPT)).alternatives[0][0]
    assert '<html lang="ar" dir="rtl">' in html
