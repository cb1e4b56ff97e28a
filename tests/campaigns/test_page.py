from __future__ import annotations

import pytest

from outcry.actions.models import Action
from outcry.campaigns.models import Campaign
from outcry.delivery.models import Message

pytestmark = pytest.mark.django_db


def test_page_shows_story_letter_targets_and_form(client, campaign):
    response = client.get("/c/free-them/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Free them now" in html
    assert "<p>The story.</p>" in html
    assert "A Minister, Minister of the Interior" in html
    assert "They have done nothing wrong." in html
    assert "Yours sincerely," in html
    for field in ["first_name", "last_name", "email", "country", "postcode", "consent_updates"]:
        assert f'name="{field}"' in html
    assert 'name="consent_updates"' in html and "checked" not in html.split('name="consent_updates"')[1].split(">")[0]


def test_acting_redirects_303_to_thanks_and_counts(client, campaign, supporter):
    response = client.post("/c/free-them/", supporter)
    assert response.status_code == 303
    assert response["Location"] == "/c/free-them/thanks/"
    action = Action.objects.get()
    assert action.status == Action.Status.COUNTED
    assert (action.first_name, action.country, action.postcode) == ("Amal", "GB", "N1 9GU")
    assert client.get("/api/v1/campaigns/free-them/stats").json()["count"] == 1


def test_letter_action_queues_one_pending_message_per_target(client, campaign, supporter):
    client.post("/c/free-them/", supporter)
    messages = Message.objects.filter(kind=Message.Kind.LETTER)
    assert sorted(m.target.email for m in messages) == ["minister@example.org", "president@example.org"]
    assert {m.status for m in messages} <= {Message.Status.PENDING, Message.Status.SENT, Message.Status.SENDING}


def test_petition_queues_no_letters(client, campaign, supporter):
    campaign.action_kind = Campaign.ActionKind.PETITION
    campaign.delivery_mode = Campaign.DeliveryMode.NONE
    campaign.save()
    client.post("/c/free-them/", supporter)
    assert Action.objects.count() == 1
    assert not Message.objects.filter(kind=Message.Kind.LETTER).exists()


def test_errors_rerender_with_input_and_messages_by_field(client, campaign, supporter):
    bad = supporter | {"email": "not-an-email", "first_name": ""}
    response = client.post("/c/free-them/", bad)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Haddad"' in html
    assert 'value="not-an-email"' in html
    assert 'id="id_email_error"' in html and "valid email" in html
    assert 'id="id_first_name_error"' in html
    assert not Action.objects.exists()


def test_name_with_line_break_is_refused(client, campaign, supporter):
    response = client.post("/c/free-them/", supporter | {"first_name": "Eve\r\nBcc: x@example.org"})
    assert response.status_code == 400
    assert not Action.objects.exists()


def test_same_email_twice_counts_once_and_answers_the_same(client, campaign, supporter):
    first = client.post("/c/free-them/", supporter)
    second = client.post("/c/free-them/", supporter | {"email": "  AMAL@example.com ", "first_name": "A."})
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert client.get("/api/v1/campaigns/free-them/stats").json()["count"] == 1
    assert Action.objects.filter(status=Action.Status.COUNTED).count() == 1
    assert Action.objects.filter(status=Action.Status.DUPLICATE).count() == 1
    assert Message.objects.filter(kind=Message.Kind.LETTER).count() == 2
    thanks_first = client.get(first["Location"]).content
    assert b"Share this campaign" in thanks_first


def test_closed_campaign_shows_final_count_and_no_form(client, campaign, supporter):
    client.post("/c/free-them/", supporter)
    campaign.status = Campaign.Status.CLOSED
    campaign.save()
    response = client.get("/c/free-them/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "This campaign is closed" in html
    assert "<form" not in html
    assert "<strong data-count>1</strong>" in html
    assert client.post("/c/free-them/", supporter | {"email": "late@example.com"}).status_code == 303
    assert Action.objects.count() == 1


def test_draft_is_hidden_from_public_and_other_staff(client, campaign, organisation):
    from outcry.campaigns.models import Organisation
    from tests.conftest import make_staff

    campaign.status = Campaign.Status.DRAFT
    campaign.save()
    assert client.get("/c/free-them/").status_code == 404
    assert client.get("/api/v1/campaigns/free-them/stats").status_code == 404
    other = Organisation.objects.create(name="Other", slug="other")
    client.force_login(make_staff(other, "outsider"))
    assert client.get("/c/free-them/").status_code == 404
    client.force_login(make_staff(organisation, "insider"))
    response = client.get("/c/free-them/")
    assert response.status_code == 200
    assert b"Draft" in response.content


def test_story_html_is_sanitised(client, campaign):
    campaign.story = '<p onclick="x()">Hi<script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">j</a></p>'
    campaign.save()
    html = client.get("/c/free-them/").content.decode()
    story = html.split('<div class="story">')[1].split("</div>")[0]
    assert "<script" not in story and "onerror" not in story and "onclick" not in story and "javascript:" not in story
    assert "Hi" in story


def test_title_and_target_names_are_escaped(client, campaign):
    campaign.title = '<script>alert("t")</script>'
    campaign.save()
    campaign.targets.update(name='<img src=x onerror=alert(1)>')
    html = client.get("/c/free-them/").content.decode()
    assert '<script>alert("t")</script>' not in html
    assert "<img src=x" not in html


def test_index_lists_live_campaigns_with_counts(client, campaign, organisation, supporter):
    Campaign.objects.create(organisation=organisation, slug="hidden", title="Secret draft", summary="x")
    client.post("/c/free-them/", supporter)
    html = client.get("/").content.decode()
    assert "Free them now" in html
    assert "Secret draft" not in html
    assert "1 person has taken action" in html


def test_the_shared_page_guesses_no_country_and_asks(client, campaign, offer):
    offer(campaign, "fr")
    # One copy for every visitor in a language: the region is the page script's to fill in.
    html = client.get("/c/free-them/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<option value="" selected>Choisissez votre pays</option>' in html
    assert " selected>" not in html.replace('<option value="" selected>', "")


def test_the_demo_campaigns_lead_with_a_drawn_hero_image_described_in_each_language(client):
    from django.core.management import call_command

    call_command("load_demo", stdout=__import__("io").StringIO())
    for path, words in [("/c/stop-detention-libya/", "a small boat"), ("/ar/c/al-khoms-unhcr/", "جدار عالٍ")]:
        html = client.get(path).content.decode()
        hero = html.split('<figure class="hero"')[1].split("</figure>")[0]
        assert words in hero.split('alt="')[1].split('"')[0]
        assert 'srcset="' in hero and "480w" in hero and 'width="1600" height="900"' in hero
        assert "<figcaption>" in hero
    call_command("load_demo", stdout=__import__("io").StringIO())  # loading again draws nothing new
    from outcry.campaigns.models import Campaign

    assert Campaign.objects.get(slug="al-khoms-unhcr").hero_image.name.startswith("campaigns/al-khoms-unhcr-hero")
