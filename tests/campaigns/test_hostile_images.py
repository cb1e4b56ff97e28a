"""Issue 13.4, hostile hero images. An upload is a JPEG, PNG or WebP by its content, within a pixel limit read
from its header; decoding and the smaller copies happen in the worker; the share image is built there once
and an anonymous GET only serves a file. The old code handed EPS to Ghostscript (through Pillow, on upload
and again on an anonymous GET of share.png) and decoded a 9,400 x 9,400 PNG bomb in the web process."""

from __future__ import annotations

import io

import PIL.Image
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory
from django_tasks_db.models import DBTaskResult
from PIL import EpsImagePlugin, Image

from outcry.campaigns.models import Campaign
from outcry.campaigns.services import save_campaign
from outcry.campaigns.tasks import build_campaign_images_task

pytestmark = pytest.mark.django_db

EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n%%EndComments\nnewpath 0 0 moveto 100 100 lineto stroke\nshowpage\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def no_postscript(monkeypatch):
    """Records each time Pillow's EPS plugin (the road to Ghostscript) is handed a file; the test asserts none.
    (Raising alone would not do: Django's ImageField swallows any exception as "not an image".)"""
    calls: list[str] = []
    real_open = EpsImagePlugin.EpsImageFile._open

    def spy(self):
        calls.append("EPS")
        return real_open(self)

    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open", spy)
    return calls


def encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def upload(campaign: Campaign, name: str, content: bytes):
    """The hero field as the admin and the studio take it: the model's own form field, then full_clean."""
    form_class = modelform_factory(Campaign, fields=["hero_image"])
    return form_class(data={}, files={"hero_image": SimpleUploadedFile(name, content)}, instance=campaign)


@pytest.mark.parametrize("name", ["protest.jpg", "protest.eps", "protest.png"])
def test_postscript_is_refused_by_content_and_never_reaches_ghostscript(campaign, no_postscript, name):
    form = upload(campaign, name, EPS)
    assert not form.is_valid()
    assert no_postscript == [], "Pillow's EPS plugin read the upload"
    assert "JPEG, PNG or WebP" in str(form.errors["hero_image"])


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_png_declaring_too_many_pixels_is_refused_before_decoding(campaign, monkeypatch):
    bomb = encoded(Image.new("1", (9400, 9400)), "PNG")
    assert len(bomb) < 40_000  # a few KB on the wire, 88 million pixels once decoded
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded during validation"))
    form = upload(campaign, "bomb.png", bomb)
    assert not form.is_valid() and "megapixels" in str(form.errors["hero_image"])


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_web_images_are_accepted_and_their_copies_are_made_by_the_worker(campaign, fmt, django_capture_on_commit_callbacks):
    form = upload(campaign, f"protest.{fmt.lower()}", encoded(Image.new("RGB", (1000, 600), (30, 120, 200)), fmt))
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=True):
        save_campaign(form.save(commit=False), form.changed_data)
    campaign.refresh_from_db()
    assert campaign.hero_renditions == []  # nothing decoded in the request
    assert DBTaskResult.objects.filter(task_path__endswith="build_campaign_images_task", args_kwargs__args=[campaign.pk]).exists()
    build_campaign_images_task.call(campaign.pk)
    campaign.refresh_from_db()
    assert [r["width"] for r in campaign.hero_renditions] == [480, 800, 1000]


def test_an_anonymous_share_png_never_decodes_the_hero(client, campaign, monkeypatch, django_capture_on_commit_callbacks):
    campaign.hero_image.save("protest.jpg", SimpleUploadedFile("protest.jpg", encoded(Image.new("RGB", (1600, 900), (30, 120, 200)), "JPEG")))
    real_open = PIL.Image.open

    def guarded_open(*args, **kwargs):
        raise AssertionError("an image was opened in a request")

    monkeypatch.setattr(PIL.Image, "open", guarded_open)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get("/en/c/free-them/share.png")
        assert first.status_code == 200 and first["Cache-Control"] == "public, max-age=60"  # the plain stand-in
        for _ in range(3):
            assert client.get("/en/c/free-them/share.png").status_code == 200
    assert DBTaskResult.objects.filter(task_path__endswith="build_campaign_images_task").count() == 1  # asked once

    monkeypatch.setattr(PIL.Image, "open", real_open)
    build_campaign_images_task.call(campaign.pk)  # the worker
    monkeypatch.setattr(PIL.Image, "open", guarded_open)
    served = client.get("/en/c/free-them/share.png")
    assert served["Cache-Control"] == "public, max-age=86400"
    body = b"".join(served.streaming_content)
    monkeypatch.setattr(PIL.Image, "open", real_open)
    red, green, blue = Image.open(io.BytesIO(body)).convert("RGB").getpixel((1190, 300))
    assert blue > red  # drawn over the blue photograph


def test_a_postscript_hero_stored_before_the_check_is_never_opened_by_the_worker(campaign, no_postscript):
    Campaign.objects.filter(pk=campaign.pk).update(hero_image="campaigns/old.jpg")
    campaign.refresh_from_db()
    from django.core.files.storage import default_storage

    default_storage.save("campaigns/old.jpg", io.BytesIO(EPS))
    assert build_campaign_images_task.call(campaign.pk) == 4  # every language, on the plain background
    campaign.refresh_from_db()
    assert campaign.hero_renditions == [] and no_postscript == []
