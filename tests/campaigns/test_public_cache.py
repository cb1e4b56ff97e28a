from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign, Target

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"


BROWSER = {"Sec-Fetch-Site": "none"}


def test_anonymous_page_is_shareable_by_any_cache(client, campaign):
    response = client.get("/c/free-them/", headers=BROWSER)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public, max-age=2")
    assert response["ETag"].startswith('"')
    assert "Cookie" in response["Vary"] and "Sec-Fetch-Site" in response["Vary"]
    # Nothing per visitor: no cookie set, no token in the form.
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "<!--csrf-token-->" not in response.content.decode()


def test_a_client_without_fetch_metadata_gets_the_same_page_with_its_own_token(campaign, supporter):
    # Scripts, old browsers and plain-HTTP sites send no Sec-Fetch-Site and may send no Origin on POST.
    script = Client(enforce_csrf_checks=True)
    browser_copy = Client().get("/c/free-them/", headers=BROWSER).content.decode()
    response = script.get("/c/free-them/")
    html = response.content.decode()
    assert "public" not in response["Cache-Control"] and "private" in response["Cache-Control"]
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert html.replace(f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">', "") == browser_copy
    assert script.post("/c/free-them/", supporter | {"csrfmiddlewaretoken": token}).status_code == 303
    assert Action.objects.count() == 1


def test_second_visitor_is_served_without_touching_the_database(client, campaign, django_assert_num_queries):
    first = client.get("/c/free-them/", headers=BROWSER)
    with django_assert_num_queries(0):
        second = Client().get("/c/free-them/", headers=BROWSER)
    assert second.content == first.content


def test_conditional_get_answers_304(client, campaign):
    etag = client.get("/c/free-them/", headers=BROWSER)["ETag"]
    response = client.get("/c/free-them/", headers=BROWSER | {"If-None-Match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert not response.content


def test_an_edit_shows_at_once_despite_the_cache(client, campaign):
    client.get("/c/free-them/")
    campaign.title = "Release them today"
    campaign.save()
    Target.objects.create(campaign=campaign, name="A Judge", email="judge@example.org", position=2)
    html = client.get("/c/free-them/").content.decode()
    assert "Release them today" in html and "A Judge" in html


def test_closing_a_campaign_shows_at_once(client, campaign):
    client.get("/c/free-them/")
    Campaign.objects.get(pk=campaign.pk).save()  # any save bumps the version
    campaign.status = Campaign.Status.DRAFT
    campaign.save()
    assert client.get("/c/free-them/").status_code == 404


def test_share_parameters_never_make_the_page_differ(client, campaign):
    ours = client.get("/c/free-them/?ref=abc123&via=whatsapp", headers=BROWSER)
    theirs = Client().get("/c/free-them/?ref=zzz999&via=x&fbclid=IwAR0x", headers=BROWSER)
    plain = Client().get("/c/free-them/", headers=BROWSER)
    assert ours.content == theirs.content == plain.content
    assert "abc123" not in plain.content.decode() and "zzz999" not in plain.content.decode()


def test_each_visitors_language_gets_its_copy_and_no_country_guess(client, campaign, offer):
    offer(campaign, "fr", "it")
    # The region is the page script's to read (navigator.languages): the copies differ by language only.
    french = client.get("/c/free-them/", headers={"Accept-Language": "fr-FR"}).content.decode()
    italian = Client().get("/c/free-them/", headers={"Accept-Language": "it-IT"}).content.decode()
    assert '<option value="" selected>Choisissez votre pays</option>' in french
    assert '<option value="" selected>Scegli il tuo paese</option>' in italian


def test_staff_with_a_session_get_a_private_page_with_a_token(staff_client, campaign):
    response = staff_client.get("/c/free-them/")
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert "public" not in response.get("Cache-Control", "")
    campaign.status = Campaign.Status.DRAFT
    campaign.save()
    assert staff_client.get("/c/free-them/").status_code == 200
    assert Client().get("/c/free-them/").status_code == 404


def test_the_count_in_a_cached_page_moves_within_seconds(client, campaign, supporter, settings):
    settings.OUTCRY_PAGE_CACHE_SECONDS = 0
    settings.OUTCRY_COUNT_CACHE_SECONDS = 0
    assert "<strong data-count>0</strong>" in client.get("/c/free-them/").content.decode()
    client.post("/c/free-them/", supporter)
    assert "<strong data-count>1</strong>" in Client().get("/c/free-them/").content.decode()


# CSRF: the shared page a browser gets carries no token, so its same-origin proof must be enough,
# and everything else must still need Django's token.

@pytest.fixture
def strict_client() -> Client:
    return Client(enforce_csrf_checks=True)


def test_post_with_same_origin_fetch_metadata_needs_no_token(strict_client, campaign, supporter):
    strict_client.get("/c/free-them/")
    response = strict_client.post("/c/free-them/", supporter, headers={"Sec-Fetch-Site": "same-origin", "Origin": ORIGIN})
    assert response.status_code == 303
    assert Action.objects.filter(status=Action.Status.COUNTED).count() == 1


def test_post_with_matching_origin_needs_no_token(strict_client, campaign, supporter):
    assert strict_client.post("/c/free-them/", supporter, headers={"Origin": ORIGIN}).status_code == 303


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://other.testserver"},
        # A forged Origin cannot outvote the browser's own Fetch Metadata.
        {"Sec-Fetch-Site": "cross-site", "Origin": ORIGIN},
    ],
)
def test_cross_site_or_unproven_post_without_token_is_refused(strict_client, campaign, supporter, headers):
    response = strict_client.post("/c/free-them/", supporter, headers=headers)
    assert response.status_code == 403
    assert not Action.objects.exists()


def test_a_token_still_works_without_origin_headers(strict_client, campaign, supporter):
    # A failed submission re-renders the form for this visitor only, with a token and its cookie.
    rerendered = strict_client.post("/c/free-them/", supporter | {"email": "bad"}, headers={"Origin": ORIGIN})
    assert rerendered.status_code == 400
    token = rerendered.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = strict_client.post("/c/free-them/", supporter | {"csrfmiddlewaretoken": token})
    assert response.status_code == 303


@pytest.mark.parametrize("headers", [{}, {"Sec-Fetch-Site": "same-origin"}, {"Origin": ORIGIN}, {"Sec-Fetch-Site": "same-origin", "Origin": ORIGIN}])
@pytest.mark.parametrize("path", ["/admin/login/", "/privacy/my-data/"])
def test_only_the_action_form_takes_the_origin_proof_in_place_of_a_token(strict_client, db, path, headers):
    # Issue 13.12: a same-origin header (or a proxy forging one) passed the admin login without a token.
    get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-only")
    response = strict_client.post(path, {"username": "root", "password": "pw-for-tests-only", "email": "a@example.com"}, headers=headers)
    assert response.status_code == 403
    assert "_auth_user_id" not in strict_client.session


# The front of the stack: outcry.lib.shared_cache.SharedResponseMiddleware --------------------------------


def _replayed(path: str, headers: dict[str, str], monkeypatch) -> tuple:
    """Two identical requests; the second must not reach the view."""
    from outcry.campaigns import views

    first = Client().get(path, headers=headers)
    monkeypatch.setattr(views, "public_page", lambda *a, **k: pytest.fail("the view ran for a repeat"))
    second = Client().get(path, headers=headers)
    return first, second


def test_a_repeat_is_answered_before_the_view_with_the_same_headers(campaign, monkeypatch, offer):
    offer(campaign, "fr")
    first, second = _replayed("/c/free-them/", BROWSER | {"Accept-Language": "fr"}, monkeypatch)
    assert second.status_code == 200
    assert second.content == first.content
    assert dict(second.items()) == dict(first.items())
    # The headers the rest of the stack adds are kept: language, CSP, frame options, Vary.
    assert second["Content-Language"] == "fr"
    assert "Content-Security-Policy" in second and second["X-Frame-Options"] == "DENY"
    assert "nonce-" not in second["Content-Security-Policy"]


def test_a_repeat_with_the_etag_gets_304_from_the_front(campaign, monkeypatch):
    first, _second = _replayed("/c/free-them/", BROWSER, monkeypatch)
    response = Client().get("/c/free-them/", headers=BROWSER | {"If-None-Match": first["ETag"]})
    assert response.status_code == 304


@pytest.mark.parametrize("other", [{"Accept-Language": "ar"}, {}, {"Sec-Fetch-Site": "none", "X": "1"}])
def test_only_requests_that_vary_the_same_way_share_a_copy(campaign, other, offer):
    offer(campaign, "fr", "ar")
    Client().get("/c/free-them/", headers=BROWSER | {"Accept-Language": "fr"})
    response = Client().get("/c/free-them/", headers=other)
    if "Accept-Language" in other:
        assert response["Content-Language"] == "ar"
    elif "Sec-Fetch-Site" not in other:
        # A client without Fetch Metadata still gets its own token, never the browsers' copy.
        assert "csrfmiddlewaretoken" in response.content.decode()
    else:
        assert response["Content-Language"] == "en"


def test_a_visitor_with_a_session_never_gets_the_front_copy(staff_client, campaign):
    Client().get("/c/free-them/", headers=BROWSER)
    response = staff_client.get("/c/free-them/", headers=BROWSER)
    assert "public" not in response.get("Cache-Control", "")
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_an_edit_clears_the_front_copy(campaign):
    Client().get("/c/free-them/", headers=BROWSER)
    campaign.title = "Release them today"
    campaign.save()
    assert "Release them today" in Client().get("/c/free-them/", headers=BROWSER).content.decode()


def test_an_unknown_host_is_refused_even_for_a_repeat(campaign):
    Client().get("/c/free-them/", headers=BROWSER)
    assert Client().get("/c/free-them/", headers=BROWSER, HTTP_HOST="evil.example").status_code == 400


def test_stats_repeats_are_answered_from_the_front(campaign, monkeypatch):
    from outcry.api import views

    first = Client().get("/api/v1/campaigns/free-them/stats")
    monkeypatch.setattr(views, "shared", lambda *a, **k: pytest.fail("the view ran for a repeat"))
    second = Client().get("/api/v1/campaigns/free-them/stats")
    assert second.json() == first.json()
