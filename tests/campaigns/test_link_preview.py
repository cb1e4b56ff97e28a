from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageChops

from outcry.campaigns.models import CampaignTranslation
from outcry.campaigns.services import save_hero_renditions
from outcry.campaigns.tasks import build_campaign_images_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def meta(html: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert match, f"no {key}"
    return match.group(1).replace("&amp;", "&")


def fetch_png(client, url: str) -> Image.Image:
    path = url.removeprefix("http://127.0.0.1:8000")
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "max-age" in response["Cache-Control"]
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


def photo(width: int, height: int) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="protest.jpg")


def test_campaign_page_carries_open_graph_and_twitter_cards(client, campaign):
    html = client.get("/c/free-them/").content.decode()
    assert meta(html, "og:title") == "Free them now"
    assert meta(html, "og:description") == "People are held without charge."
    assert meta(html, "og:url") == "http://127.0.0.1:8000/c/free-them/"
    assert meta(html, "og:site_name") == "Rights Now"
    assert meta(html, "og:locale") == "en_GB"
    assert (meta(html, "og:image:width"), meta(html, "og:image:height")) == ("1200", "630")
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == meta(html, "og:image")
    assert meta(html, "og:image").startswith("http://127.0.0.1:8000/en/c/free-them/share.png?v=")


def test_share_image_is_a_1200_by_630_png_drawn_once(client, campaign, media):
    html = client.get("/c/free-them/").content.decode()
    image = fetch_png(client, meta(html, "og:image"))
    assert image.size == (1200, 630)
    files = list((media / "share").glob("free-them.en.*.png"))
    assert len(files) == 1
    drawn_at = files[0].stat().st_mtime_ns
    fetch_png(client, meta(html, "og:image"))
    assert files[0].stat().st_mtime_ns == drawn_at


def test_editing_the_campaign_draws_a_new_image_under_a_new_address(client, campaign, media):
    before_html = client.get("/c/free-them/").content.decode()
    before = fetch_png(client, meta(before_html, "og:image"))
    campaign.title = "Free every one of them today"
    campaign.save()
    after_html = client.get("/c/free-them/").content.decode()
    assert meta(after_html, "og:image") != meta(before_html, "og:image")
    after = fetch_png(client, meta(after_html, "og:image"))
    assert ImageChops.difference(before.convert("RGB"), after.convert("RGB")).getbbox() is not None
    assert len(list((media / "share").glob("free-them.en.*.png"))) == 1  # the stale one is gone


def test_each_language_gets_its_own_preview(client, campaign, offer):
    CampaignTranslation.objects.create(campaign=campaign, language="ar", title="أطلقوا سراحهم الآن", summary="محتجزون دون تهمة.")
    offer(campaign, "ar")
    html = client.get("/ar/c/free-them/").content.decode()
    assert meta(html, "og:title") == "أطلقوا سراحهم الآن"
    assert meta(html, "og:locale") == "ar_AR"
    assert meta(html, "og:url") == "http://127.0.0.1:8000/ar/c/free-them/"
    arabic = fetch_png(client, meta(html, "og:image"))
    english = fetch_png(client, meta(client.get("/c/free-them/").content.decode(), "og:image"))
    assert ImageChops.difference(arabic.convert("RGB"), english.convert("RGB")).getbbox() is not None


def test_share_image_is_drawn_over_the_hero_image(client, campaign):
    plain = fetch_png(client, meta(client.get("/c/free-them/").content.decode(), "og:image")).convert("RGB")
    campaign.hero_image.save("protest.jpg", photo(1600, 900))
    build_campaign_images_task.call(campaign.pk)  # the worker draws it; a request only serves it
    with_photo = fetch_png(client, meta(client.get("/c/free-them/").content.decode(), "og:image")).convert("RGB")
    corner = (1190, 300)
    assert plain.getpixel(corner) != with_photo.getpixel(corner)
    red, green, blue = with_photo.getpixel(corner)
    assert blue > red  # the blue photograph shows through, darkened


def test_hero_upload_gets_smaller_copies_in_srcset(client, campaign, media):
    campaign.hero_image.save("protest.jpg", photo(1600, 900))
    campaign.hero_alt = "People holding signs"
    campaign.save()
    save_hero_renditions(campaign)
    widths = [r["width"] for r in campaign.hero_renditions]
    assert widths == [480, 800, 1200, 1600]
    for rendition in campaign.hero_renditions[:-1]:
        with Image.open(media / rendition["name"]) as copy:
            assert copy.format == "WEBP"
            assert copy.size == (rendition["width"], rendition["height"])
    html = client.get("/c/free-them/").content.decode()
    img = re.search(r'<figure class="hero"[^>]*>\s*<img ([^>]*)>', html).group(1)
    assert "-480w.webp 480w" in img and "-1200w.webp 1200w" in img and ".jpg 1600w" in img
    assert 'sizes="' in img and 'width="1600" height="900"' in img
    assert 'loading="lazy"' not in img  # the hero is above the fold


def test_index_images_below_the_first_are_lazy(client, campaign, organisation):
    from outcry.campaigns.models import Campaign

    second = Campaign.objects.create(organisation=organisation, slug="second", title="Second", summary="x", status="live")
    for each in (campaign, second):
        each.hero_image.save("p.jpg", photo(900, 500))
    html = client.get("/").content.decode()
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 2
    assert sum('loading="lazy"' in img for img in images) == 1
