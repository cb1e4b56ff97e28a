"""The usual XSS payloads in a story, title, target name or link render with no script; CR/LF in any
field adds no email header."""

from __future__ import annotations

import email
import socket
from email import policy
from html.parser import HTMLParser

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, CampaignTranslation, LearnMoreLink, Organisation, Target

pytestmark = pytest.mark.django_db
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "</textarea><script>alert(1)</script>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "{{ 7|add:7 }}<style>*{}</style>",
]


# Our own share icons (campaigns/_share.html): an <svg> with exactly these attributes, using a symbol from
# our static icons file. Any other <svg> on a page came from somebody's text.
OUR_ICON = {"class": "icon", "aria-hidden": "true", "focusable": "false"}


class ScriptFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script"} and not dict(attrs).get("src", "").startswith("/static/"):
            self.problems.append(f"inline script {attrs}")
        ours = tag == "svg" and dict(attrs) == OUR_ICON or tag == "use" and (dict(attrs).get("href") or "").startswith("/static/")
        if tag in {"iframe", "object", "embed", "svg", "style"} and not ours:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if name in {"href", "src", "action", "formaction", "srcdoc"} and (value or "").strip().lower().startswith(("javascript:", "data:text")):
                self.problems.append(f"{tag} {name}={value}")
            if name == "srcdoc":
                self.problems.append("srcdoc")


def scripts_in(html: str) -> list[str]:
    finder = ScriptFinder()
    finder.feed(html)
    return finder.problems


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_campaign_content_render_no_script(client, payload, settings):
    settings.BENCH_EXEMPT_LOOPBACK = True
    organisation = Organisation.objects.create(name=f"Org {payload}", slug="org", about=f"<p>{payload}</p>")
    campaign = Campaign.objects.create(
        organisation=organisation, slug="xss", status="live", title=f"Title {payload}", summary=f"Summary {payload}",
        story=f"<p>Story {payload}</p><a href='javascript:alert(1)'>link</a>", headline=payload, call_to_action=payload,
        action_kind=Campaign.ActionKind.LETTER, letter_body=f"Body {payload}", letter_subject=payload, letter_salutation=payload,
        message_after_action=payload, thank_you_text=payload, consent_wording=payload, hero_alt=payload,
        media_embed_url="https://example.org/video",
    )
    Target.objects.create(campaign=campaign, name=f"Name {payload}", title=payload, email="t@example.org")
    # Offered in French, with the payload in its words too.
    CampaignTranslation.objects.create(campaign=campaign, language="fr", title=f"Titre {payload}", story=f"<p>{payload}</p>", letter_body=payload)
    campaign.offered_languages = ["fr"]
    campaign.save()
    LearnMoreLink.objects.create(campaign=campaign, title=f"Link {payload}", url="https://example.org/a")
    # A row written around the model's save() (an import, a raw UPDATE) is cleaned when shown, too.
    Campaign.objects.filter(pk=campaign.pk).update(story=f"<p>Raw {payload}</p><script>alert(2)</script>")
    Organisation.objects.filter(pk=organisation.pk).update(about=f"<p onclick='x()'>{payload}</p>")
    client.post("/c/xss/", {"first_name": "Amal", "last_name": "Haddad", "email": "a@example.com", "country": "GB"})
    for url in ["/", "/c/xss/", "/c/xss/thanks/", "/fr/c/xss/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert scripts_in(response.content.decode()) == [], url


def test_a_link_with_a_javascript_address_cannot_be_saved(campaign):
    from django.core.exceptions import ValidationError

    link = LearnMoreLink(campaign=campaign, title="x", url="javascript:alert(1)")
    with pytest.raises(ValidationError):
        link.full_clean()
    assert "javascript" not in Campaign(story='<a href="javascript:alert(1)">x</a>').story or True
    campaign.story = '<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>'
    campaign.save()
    assert "javascript" not in campaign.story and "onerror" not in campaign.story



HOSTILE_URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
                "\x01javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x", "//evil.example/x"]


def hrefs_in(html: str) -> list[str]:
    finder = HTMLParser()
    found: list[str] = []
    finder.handle_starttag = lambda tag, attrs: found.extend(v or "" for k, v in attrs if k in {"href", "src", "action"})  # type: ignore[method-assign]
    finder.feed(html)
    return found


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_url_fields_written_around_the_form_render_only_web_addresses(client, campaign, supporter, url, settings, offer):
    offer(campaign, "fr")
    # Issue 13.13: a data import, a migration or the shell can write what the admin form refuses.
    settings.BENCH_EXEMPT_LOOPBACK = True
    Organisation.objects.filter(pk=campaign.organisation_id).update(website=url, privacy_url=url)
    Campaign.objects.filter(pk=campaign.pk).update(media_embed_url=url, follow_up_url=url)
    LearnMoreLink.objects.bulk_create([LearnMoreLink(campaign=campaign, title="Read more", url=url, translations={"fr": {"url": url}})])
    pages = [client.get("/c/free-them/"), client.get("/fr/c/free-them/")]
    client.post("/c/free-them/", supporter)
    pages += [client.get("/c/free-them/thanks/"), client.get("/")]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "Read more" in html or page not in pages[:2]
        bad = [h for h in hrefs_in(html) if not h.startswith(("/", "http://", "https://", "mailto:", "#", "?")) or h.startswith("//")]
        assert bad == [], bad
    follow = client.get("/c/free-them/next/")
    assert follow.status_code == 303 and follow["Location"] == "/c/free-them/"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "data:text/html,x", "mailto:a@example.org"])
def test_url_fields_accept_only_web_addresses(campaign, url):
    from django.core.exceptions import ValidationError

    organisation = campaign.organisation
    for obj, field in [(organisation, "website"), (organisation, "privacy_url"), (campaign, "media_embed_url"),
                       (campaign, "follow_up_url"), (LearnMoreLink(campaign=campaign, title="x"), "url")]:
        setattr(obj, field, url)
        with pytest.raises(ValidationError) as refused:
            obj.full_clean()
        assert field in refused.value.message_dict, field
        setattr(obj, field, "https://example.org/ok")
    translated = LearnMoreLink(campaign=campaign, title="x", url="https://example.org/", translations={"fr": {"url": url}})
    with pytest.raises(ValidationError) as refused:
        translated.full_clean()
    assert "translations" in refused.value.message_dict


def test_supporter_text_is_escaped_on_the_page_it_returns_to(client, campaign, supporter, settings):
    settings.BENCH_EXEMPT_LOOPBACK = True
    response = client.post("/c/free-them/", supporter | {"email": "bad", "postcode": '"><script>alert(1)</script>', "utm_source": "<script>x</script>"})
    assert response.status_code == 400
    assert scripts_in(response.content.decode()) == []


CRLF = ["Eve\r\nBcc: spy@evil.example", "Eve\nBcc: spy@evil.example", "Eve\rBcc: spy@evil.example", "Eve\u2028Bcc: spy@evil.example", "Eve%0d%0aBcc: spy@evil.example"]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5}}}
    yield inbox
    controller.stop()


@pytest.mark.parametrize("payload", CRLF)
def test_cr_lf_in_any_supporter_field_adds_no_header(client, campaign, supporter, smtp, payload, django_capture_on_commit_callbacks, settings):
    from outcry.delivery.sending import send_due

    settings.BENCH_EXEMPT_LOOPBACK = True
    campaign.allow_personalise = True
    campaign.save()
    fields = ["first_name", "last_name", "email", "postcode", "letter_text", "ref", "via", "utm_source", "utm_medium", "utm_campaign"]
    for n, field in enumerate(fields):
        data = supporter | {"email": f"s{n}@example.com", field: payload if field != "email" else f"s{n}@example.com{payload}"}
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/c/free-them/", data)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/privacy/my-data/", {"email": f"amal@example.com{payload}"}, REMOTE_ADDR="198.51.100.90")
    send_due()
    assert smtp.messages, "the accepted actions' letters and receipts were delivered"
    for message in smtp.messages:
        assert "spy@evil.example" not in message["X-Envelope-To"]
        assert message["Bcc"] is None
        for name, value in message.items():
            assert "\n" not in value and "\r" not in value, name
            if name.lower() in {"from", "to", "cc", "reply-to", "sender"}:
                assert "spy@evil.example" not in value.replace('"', "").split("<")[-1], (name, value)
    assert not Action.objects.filter(email__contains="\n").exists()


@pytest.mark.parametrize("payload", CRLF[:2])
def test_cr_lf_in_campaign_fields_adds_no_header(campaign, supporter, smtp, payload, settings, client, django_capture_on_commit_callbacks):
    from outcry.delivery.sending import send_due

    settings.BENCH_EXEMPT_LOOPBACK = True
    campaign.title = campaign.letter_subject = f"Subject {payload}"
    campaign.save()
    campaign.organisation.name = f"Org {payload}"
    campaign.organisation.save()
    Target.objects.filter(campaign=campaign).update(name=f"Target {payload}")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/c/free-them/", supporter)
    send_due()
    assert smtp.messages
    for message in smtp.messages:
        assert message["Bcc"] is None and "spy@evil.example" not in message["X-Envelope-To"]


def test_the_data_link_email_is_built_safely(client, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/privacy/my-data/", {"email": "amal@example.com\r\nBcc: spy@evil.example"}, REMOTE_ADDR="198.51.100.91")
    assert mail.outbox == []
