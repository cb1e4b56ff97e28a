"""Writing a campaign in the studio: Markdown rendered by the one function the page uses, translations."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outcry.campaigns.models import Campaign, CampaignTranslation, Membership

pytestmark = pytest.mark.django_db


def _edit_data(campaign: Campaign, **changes: str) -> dict[str, str]:
    data = {
        "title": campaign.title, "summary": campaign.summary, "language": campaign.language,
        "text_format": "markdown", "story": campaign.story, "action_kind": campaign.action_kind,
        "goal": str(campaign.goal), "letter_body": campaign.letter_body, "letter_signoff": campaign.letter_signoff,
        "delivery_mode": campaign.delivery_mode,
    }
    return data | changes


def test_viewer_cannot_open_or_post_the_editor(as_role, campaign):
    client = as_role(Membership.Role.VIEWER)
    url = reverse("studio:edit", kwargs={"pk": campaign.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, _edit_data(campaign, title="Changed by a viewer")).status_code == 403
    campaign.refresh_from_db()
    assert campaign.title == "Free them now"


def test_editor_of_another_organisation_cannot_edit_by_url(client, other_organisation, campaign):
    from tests.studio.conftest import member

    client.force_login(member(other_organisation, "outsider", Membership.Role.OWNER))
    assert client.post(reverse("studio:edit", kwargs={"pk": campaign.pk}), _edit_data(campaign, title="x")).status_code == 404


def test_markdown_story_is_rendered_and_sanitised_on_the_public_page(as_role, campaign, client):
    editor = as_role(Membership.Role.EDITOR)
    story = "They were taken **at night**.\n\nRead <https://example.org/report>.\n\n<script>alert(1)</script>"
    response = editor.post(reverse("studio:edit", kwargs={"pk": campaign.pk}), _edit_data(campaign, story=story))
    assert response.status_code == 303
    campaign.refresh_from_db()
    assert campaign.story == story  # kept as typed
    client.logout()
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "<strong>at night</strong>" in page
    assert '<a href="https://example.org/report"' in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_show_renders_the_story_without_saving(as_role, campaign):
    editor = as_role(Membership.Role.EDITOR)
    response = editor.post(reverse("studio:edit", kwargs={"pk": campaign.pk}), _edit_data(campaign, story="*new*", show="1"))
    assert response.status_code == 200
    assert "<em>new</em>" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.story == "<p>The story.</p>"


def test_existing_html_story_keeps_rendering(campaign, client):
    assert campaign.text_format == "html"
    assert "<p>The story.</p>" in client.get(campaign.get_absolute_url()).content.decode()


def test_new_campaign_is_a_markdown_draft_of_the_current_organisation(as_role, organisation):
    editor = as_role(Membership.Role.EDITOR)
    response = editor.post(
        reverse("studio:new_campaign", kwargs={"organisation": organisation.slug}),
        {"title": "Stop it", "slug": "stop-it", "action_kind": "petition", "language": "en"},
    )
    created = Campaign.objects.get(slug="stop-it")
    assert response["Location"] == reverse("studio:edit", kwargs={"pk": created.pk})
    assert (created.organisation, created.status, created.text_format) == (organisation, "draft", "markdown")


def test_translation_side_by_side_marks_missing_fields_and_saves(as_role, campaign):
    editor = as_role(Membership.Role.EDITOR)
    url = reverse("studio:translate", kwargs={"pk": campaign.pk, "language": "fr"})
    page = editor.get(url).content.decode()
    assert "Free them now" in page and "to translate" in page
    response = editor.post(url, {"title": "Libérez-les", "summary": "Détenus sans charge."})
    assert response.status_code == 303
    assert CampaignTranslation.objects.get(campaign=campaign, language="fr").title == "Libérez-les"
    assert editor.get(reverse("studio:translate", kwargs={"pk": campaign.pk, "language": campaign.language})).status_code == 404


def test_duplicate_is_a_draft_with_targets_links_and_translations_but_no_actions(as_role, campaign):
    from outcry.actions.services import ActionData, take_action

    CampaignTranslation.objects.create(campaign=campaign, language="fr", title="Libérez-les")
    take_action(campaign=campaign, data=ActionData(first_name="A", last_name="B", email="a@example.com", country="GB"))
    response = as_role(Membership.Role.EDITOR).post(reverse("studio:duplicate", kwargs={"pk": campaign.pk}))
    copy = Campaign.objects.get(slug="free-them-copy")
    assert response["Location"] == reverse("studio:edit", kwargs={"pk": copy.pk})
    assert (copy.status, copy.title, copy.published_at) == ("draft", "Free them now", None)
    assert [t.email for t in copy.targets.all()] == [t.email for t in campaign.targets.all()]
    assert copy.translations.get().title == "Libérez-les"
    assert copy.actions.count() == 0
    assert campaign.targets.count() == 2  # the original keeps its own


def test_live_preview_renders_with_the_page_function_for_editors_only(as_role, campaign):
    url = reverse("studio:render", kwargs={"pk": campaign.pk})
    editor = as_role(Membership.Role.EDITOR)
    response = editor.post(url, {"story": "**hi** <img src=x onerror=alert(1)>", "text_format": "markdown"})
    assert response.content.decode().strip() == "<p><strong>hi</strong> &lt;img src=x onerror=alert(1)&gt;</p>"
    assert as_role(Membership.Role.VIEWER, "v").post(url, {"story": "x"}).status_code == 403


def test_an_editor_chooses_the_languages_the_page_offers(as_role, campaign, client):
    from tests.conftest import offer_languages

    offer_languages(campaign, "fr", "ar")
    campaign.offered_languages = []
    campaign.save()
    editor = as_role(Membership.Role.EDITOR)
    form = editor.get(reverse("studio:edit", kwargs={"pk": campaign.pk})).content.decode()
    assert 'name="offered_languages" value="ar"' in form
    data = _edit_data(campaign, story=campaign.story) | {"offered_languages": ["ar", "it"]}
    assert editor.post(reverse("studio:edit", kwargs={"pk": campaign.pk}), data).status_code == 303
    campaign.refresh_from_db()
    assert campaign.offered_languages == ["ar", "it"]
    # Italian is offered but not translated: the page offers only the complete one.
    assert campaign.public_languages == ["en", "ar"]
    overview = editor.get(reverse("studio:campaign", kwargs={"pk": campaign.pk})).content.decode()
    assert "Offered on the page:" in overview
