"""Images inside a story: the worker's re-encoded copies (no EXIF, renditions, alpha kept) and the renderer,
which shows an <img> only for the organisation's own ready story images, never a remote address."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult
from PIL import Image

from outcry.campaigns.models import Campaign, Organisation, StoryImage, story_pictures
from outcry.campaigns.story_images import add_story_image, build_story_image, delete_story_image, upload_path
from outcry.lib import rich_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OUTCRY_PRIVATE_DIR = tmp_path / "private"


def jpeg_with_gps(size=(2000, 1000)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotated, so the copy must come out 1000 x 2000
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def ready_image(campaign: Campaign, content: bytes | None = None, alt: str = "Families at the gate") -> StoryImage:
    image = add_story_image(campaign=campaign, file=io.BytesIO(content or jpeg_with_gps()), alt=alt)
    build_story_image(image.pk)
    image.refresh_from_db()
    return image


def test_upload_is_queued_and_kept_out_of_public_media_until_the_worker_runs(campaign, settings):
    image = add_story_image(campaign=campaign, file=io.BytesIO(jpeg_with_gps()), alt="Families")
    assert image.state == StoryImage.State.PENDING
    assert upload_path(image.key).exists() and not str(upload_path(image.key)).startswith(str(settings.MEDIA_ROOT))
    assert not default_storage.exists(image.name)
    assert DBTaskResult.objects.filter(task_path__endswith="build_story_image_task", args_kwargs__args=[image.pk]).exists()
    # Until then the story shows the description, not a broken image.
    campaign.story, campaign.text_format = image.markdown, rich_text.MARKDOWN
    assert "<img" not in campaign.story_html and "Families" in campaign.story_html


def test_worker_writes_webp_renditions_without_exif_and_deletes_the_upload(campaign):
    image = ready_image(campaign)
    assert image.state == StoryImage.State.READY
    assert (image.width, image.height) == (1000, 2000)  # turned upright as the camera meant it
    assert [r["width"] for r in image.renditions] == [480, 800, 1000]
    assert image.renditions[-1]["name"] == f"story/{image.key}.webp"
    for rendition in image.renditions:
        with default_storage.open(rendition["name"]) as file, Image.open(file) as copy:
            assert copy.format == "WEBP" and copy.size == (rendition["width"], rendition["height"])
            assert not copy.getexif() and "exif" not in copy.info and "icc_profile" not in copy.info
        with default_storage.open(rendition["name"]) as file:
            assert b"PhoneMaker" not in file.read()
    assert not upload_path(image.key).exists()
    assert build_story_image(image.pk) == StoryImage.State.READY  # idempotent


def test_wide_image_is_capped_and_transparency_kept(campaign):
    buffer = io.BytesIO()
    Image.new("RGBA", (3000, 600), (0, 0, 0, 0)).save(buffer, "PNG")
    image = ready_image(campaign, buffer.getvalue())
    assert (image.width, image.height) == (1600, 320)
    assert [r["width"] for r in image.renditions] == [480, 800, 1200, 1600]
    with default_storage.open(image.name) as file, Image.open(file) as copy:
        assert copy.mode == "RGBA" and copy.getpixel((5, 5))[3] == 0


def test_an_upload_the_worker_cannot_read_fails_and_is_never_served(campaign):
    image = add_story_image(campaign=campaign, file=io.BytesIO(b"%!PS-Adobe-3.0 EPSF-3.0\nshowpage\n"), alt="x")
    assert build_story_image(image.pk) == StoryImage.State.FAILED
    assert not default_storage.exists(image.name) and not upload_path(image.key).exists()


def test_own_image_renders_with_size_srcset_and_lazy_loading(campaign):
    image = ready_image(campaign)
    campaign.text_format = rich_text.MARKDOWN
    campaign.story = f"Before.\n\n{image.markdown}\n\nAfter."
    html = str(campaign.story_html)
    assert (
        f'<img src="/media/story/{image.key}.webp" alt="Families at the gate" width="1000" height="2000" '
        f'srcset="/media/story/{image.key}-480w.webp 480w, /media/story/{image.key}-800w.webp 800w, '
        f'/media/story/{image.key}.webp 1000w" '
        f'sizes="{rich_text.IMAGE_SIZES}" loading="lazy" decoding="async">'
    ) in html


@pytest.mark.parametrize("src", [
    "https://tracker.example.com/pixel.png",
    "//tracker.example.com/pixel.png",
    "http://127.0.0.1:8000/media/story/0123456789abcdef0123456789abcdef.webp",
    "/media/campaigns/hero.jpg",
    "/media/story/0123456789abcdef0123456789abcdef.webp",  # looks like ours, is nobody's
    "javascript:alert(1)",
])
def test_any_other_image_address_is_shown_as_its_alt_text(campaign, src):
    campaign.text_format = rich_text.MARKDOWN
    campaign.story = f"![A remote picture]({src})"
    html = str(campaign.story_html)
    assert "<img" not in html and "A remote picture" in html


def test_remote_image_next_to_an_own_image_is_still_refused(campaign):
    image = ready_image(campaign)
    html = str(rich_text.render_text(f"{image.markdown} ![x](https://example.com/a.png)", rich_text.MARKDOWN, story_pictures(campaign.organisation_id)))
    assert html.count("<img") == 1 and "example.com" not in html


def test_html_stories_never_get_images_even_ours(campaign):
    image = ready_image(campaign)
    html = str(rich_text.render_text(f'<p><img src="{image.url}" alt="x"></p>', rich_text.HTML, story_pictures(campaign.organisation_id)))
    assert "<img" not in html


def test_an_image_of_another_organisation_is_not_shown_in_our_story(campaign):
    theirs = Campaign.objects.create(organisation=Organisation.objects.create(name="Them", slug="them"), slug="theirs", title="T", summary="S")
    image = ready_image(theirs)
    campaign.text_format = rich_text.MARKDOWN
    campaign.story = image.markdown
    assert "<img" not in str(campaign.story_html)
    theirs.text_format, theirs.story = rich_text.MARKDOWN, image.markdown
    assert "<img" in str(theirs.story_html)


def test_a_duplicate_of_a_campaign_keeps_showing_its_images(campaign):
    from outcry.campaigns.services import duplicate_campaign

    image = ready_image(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(story=image.markdown, text_format=rich_text.MARKDOWN)
    campaign.refresh_from_db()
    assert "<img" in str(duplicate_campaign(campaign).story_html)


def test_deleting_removes_the_copies(campaign):
    image = ready_image(campaign)
    names = [r["name"] for r in image.renditions]
    delete_story_image(image)
    assert not any(default_storage.exists(name) for name in names)
    assert not StoryImage.objects.filter(key=image.key).exists()


def test_the_served_copy_is_cacheable_and_same_origin(rf, campaign, settings):
    from django.urls import resolve
    from django.views.static import serve

    image = ready_image(campaign)
    match = resolve(image.url)  # the hero's route: /media/ on our own origin
    assert match.func is serve and match.kwargs["path"] == image.name
    # (urls.py bound document_root when first imported; this test's MEDIA_ROOT is a fresh folder)
    response = serve(rf.get(image.url), image.name, document_root=settings.MEDIA_ROOT)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    again = serve(rf.get(image.url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]), image.name, document_root=settings.MEDIA_ROOT)
    assert again.status_code == 304


def test_upload_file_object_from_a_form_is_stored_whole(campaign):
    content = jpeg_with_gps((300, 200))
    image = add_story_image(campaign=campaign, file=SimpleUploadedFile("a.jpg", content), alt="a")
    assert upload_path(image.key).read_bytes() == content
