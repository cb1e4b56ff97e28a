"""Uploading an image into the story from the studio: editors only, checked like the hero, answered with
the Markdown to paste (a page without JavaScript, JSON for the toolbar); another organisation's image can
be neither used nor deleted by its address."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from outcry.campaigns.models import Membership, StoryImage
from outcry.campaigns.story_images import add_story_image, build_story_image
from outcry.lib import rich_text
from tests.campaigns.test_hostile_images import EPS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OUTCRY_PRIVATE_DIR = tmp_path / "private"


def png(size=(900, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def url(campaign) -> str:
    return reverse("studio:story_images", kwargs={"pk": campaign.pk})


def test_upload_without_javascript_answers_with_the_markdown_to_paste(as_role, campaign):
    editor = as_role(Membership.Role.EDITOR)
    response = editor.post(url(campaign), {"image": png(), "alt": "Families at the gate"})
    assert response.status_code == 303
    image = StoryImage.objects.get(campaign=campaign)
    assert image.alt == "Families at the gate" and image.state == StoryImage.State.PENDING
    page = editor.get(response["Location"]).content.decode()
    assert f'value="![Families at the gate](/media/story/{image.key}.webp)"' in page


def test_upload_from_the_toolbar_gets_json(as_role, campaign):
    editor = as_role(Membership.Role.EDITOR)
    response = editor.post(url(campaign), {"image": png(), "alt": "A [crowd]"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    image = StoryImage.objects.get(campaign=campaign)
    assert response.json()["markdown"] == f"![A (crowd)](/media/story/{image.key}.webp)"


def test_alt_text_is_required(as_role, campaign):
    editor = as_role(Membership.Role.EDITOR)
    response = editor.post(url(campaign), {"image": png(), "alt": ""}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "alt" in response.json()["errors"]
    assert editor.post(url(campaign), {"image": png(), "alt": "  "}).status_code == 400
    assert not StoryImage.objects.exists()


@pytest.mark.parametrize("name", ["photo.jpg", "photo.eps"])
def test_postscript_is_refused(as_role, campaign, name):
    response = as_role(Membership.Role.EDITOR).post(url(campaign), {"image": SimpleUploadedFile(name, EPS), "alt": "x"})
    assert response.status_code == 400 and "JPEG, PNG or WebP" in response.content.decode()
    assert not StoryImage.objects.exists()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_too_many_pixels_is_refused(as_role, campaign, settings):
    settings.OUTCRY_IMAGE_MAX_PIXELS = 400_000
    response = as_role(Membership.Role.EDITOR).post(url(campaign), {"image": png((900, 600)), "alt": "x"})
    assert response.status_code == 400 and "megapixels" in response.content.decode()
    assert not StoryImage.objects.exists()


def test_too_many_bytes_is_refused(as_role, campaign, settings):
    settings.OUTCRY_IMAGE_MAX_BYTES = 1_000
    response = as_role(Membership.Role.EDITOR).post(url(campaign), {"image": png(), "alt": "x"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "too large" in response.json()["errors"]["image"][0]
    assert not StoryImage.objects.exists()


def test_viewer_can_neither_upload_nor_delete(as_role, campaign):
    image = add_story_image(campaign=campaign, file=png(), alt="ours")
    viewer = as_role(Membership.Role.VIEWER)
    assert viewer.get(url(campaign)).status_code == 403
    assert viewer.post(url(campaign), {"image": png(), "alt": "x"}).status_code == 403
    delete = reverse("studio:delete_story_image", kwargs={"pk": campaign.pk, "key": image.key})
    assert viewer.post(delete).status_code == 403
    assert StoryImage.objects.count() == 1


def test_another_organisation_can_neither_upload_to_nor_delete_our_image(client, campaign, other_organisation, other_campaign):
    from tests.studio.conftest import member

    image = add_story_image(campaign=campaign, file=png(), alt="ours")
    client.force_login(member(other_organisation, "outsider", Membership.Role.OWNER))
    assert client.post(url(campaign), {"image": png(), "alt": "x"}).status_code == 404
    # Through their own campaign's address, naming our image's key:
    their_delete = reverse("studio:delete_story_image", kwargs={"pk": other_campaign.pk, "key": image.key})
    assert client.post(their_delete).status_code == 404
    assert StoryImage.objects.filter(key=image.key).exists()


def test_another_organisation_cannot_use_our_image_in_their_preview(client, campaign, other_organisation, other_campaign):
    from tests.studio.conftest import member

    image = add_story_image(campaign=campaign, file=png(), alt="ours")
    build_story_image(image.pk)
    image.refresh_from_db()
    client.force_login(member(other_organisation, "outsider", Membership.Role.EDITOR))
    shown = client.post(reverse("studio:render", kwargs={"pk": other_campaign.pk}), {"story": image.markdown, "text_format": "markdown"})
    assert "<img" not in shown.content.decode()


def test_editor_deletes_an_image(as_role, campaign):
    image = add_story_image(campaign=campaign, file=png(), alt="ours")
    response = as_role(Membership.Role.EDITOR).post(reverse("studio:delete_story_image", kwargs={"pk": campaign.pk, "key": image.key}))
    assert response.status_code == 303 and not StoryImage.objects.exists()


def test_live_preview_shows_the_image_once_ready_and_says_when_one_is_pending(as_role, campaign):
    editor = as_role(Membership.Role.EDITOR)
    image = add_story_image(campaign=campaign, file=png(), alt="Families at the gate")
    render = reverse("studio:render", kwargs={"pk": campaign.pk})
    pending = editor.post(render, {"story": f"**Look**\n\n{image.markdown}", "text_format": rich_text.MARKDOWN})
    assert pending["X-Images-Pending"] == "1" and "<img" not in pending.content.decode()
    build_story_image(image.pk)
    ready = editor.post(render, {"story": f"**Look**\n\n{image.markdown}", "text_format": rich_text.MARKDOWN})
    assert ready["X-Images-Pending"] == "0"
    assert f'<img src="/media/story/{image.key}.webp" alt="Families at the gate" width="900" height="600"' in ready.content.decode()


def test_every_markdown_text_gets_the_toolbar_and_only_the_story_its_image_button(as_role, campaign):
    editor = as_role(Membership.Role.EDITOR)
    edit = editor.get(reverse("studio:edit", kwargs={"pk": campaign.pk})).content.decode()
    assert edit.count("data-markdown-toolbar hidden") == 1  # hidden until the script shows it
    assert 'data-md="image"' in edit and f'data-upload-url="{url(campaign)}"' in edit
    assert "markdown-toolbar.js" in edit and "**bold**" in edit  # the format help, for a page without JavaScript
    assert 'name="image"' not in edit  # the dialog's fields are never sent with the campaign form
    updates = editor.get(reverse("studio:updates", kwargs={"pk": campaign.pk})).content.decode()
    assert "data-markdown-toolbar" in updates and 'data-md="image"' not in updates
    translate = editor.get(reverse("studio:translate", kwargs={"pk": campaign.pk, "language": "fr"})).content.decode()
    assert 'data-text-format="html"' in translate  # this campaign is in HTML: the script keeps its toolbar hidden
