"""Link previews: the Open Graph and Twitter card a shared link unfolds into, and its 1200x630 image.

The image is drawn once per version of what it shows (title, organisation, hero image, language)
and kept under MEDIA_ROOT/share/. Its name carries a hash of those inputs, so an edited campaign
gets a new file and a new og:image address, and the networks' caches fetch the new one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont, ImageOps

from outcry.campaigns.languages import split_language_prefix
from outcry.campaigns.models import Campaign
from outcry.campaigns.share import campaign_share_url
from outcry.lib.images import open_image

SIZE = (1200, 630)
MARGIN = 72
# Bump when the drawing changes, so every cached image is drawn again.
RENDER_VERSION = 1
FONTS = Path(__file__).resolve().parent / "fonts"
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
INK, PAPER, ACCENT, TINT = (26, 26, 26), (255, 255, 255), (179, 38, 30), (244, 241, 234)
OG_LOCALES = {"en": "en_GB", "fr": "fr_FR", "ar": "ar_AR", "it": "it_IT"}


@dataclass(frozen=True)
class LinkPreview:
    url: str
    title: str
    description: str
    site_name: str
    image_url: str
    image_alt: str
    locale: str
    alternate_locales: list[str]


def link_preview(campaign: Campaign) -> LinkPreview:
    """What a campaign page tells link unfurlers; campaign comes from Campaign.translated()."""
    language = getattr(campaign, "shown_in", campaign.language)
    # Always the language-prefixed address: an unfurler fetching the image sends no Accept-Language,
    # and the image must be the one this page's version key names.
    _prefix, path = split_language_prefix(reverse("campaigns:share_image", kwargs={"slug": campaign.slug}))
    image_url = f"/{language}{path}"
    return LinkPreview(
        url=campaign_share_url(campaign),
        title=campaign.title,
        description=campaign.summary,
        site_name=campaign.organisation.name,
        image_url=f"{settings.SITE_URL}{image_url}?v={share_image_key(campaign)}",
        image_alt=campaign.title,
        locale=OG_LOCALES.get(language, language),
        alternate_locales=[locale for code, locale in OG_LOCALES.items() if code != language],
    )


def share_image_key(campaign: Campaign) -> str:
    inputs = [
        RENDER_VERSION, campaign.title, campaign.organisation.name,
        campaign.hero_image.name if campaign.hero_image else "", getattr(campaign, "content_language", campaign.language),
    ]
    return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:16]


def share_image_path(campaign: Campaign) -> Path:
    language = getattr(campaign, "shown_in", campaign.language)
    return Path(settings.MEDIA_ROOT) / "share" / f"{campaign.slug}.{language}.{share_image_key(campaign)}.png"


def _write_png(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed, so a reader never sees half a file when two draw at once.
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
        image.save(tmp, "PNG", optimize=True)
    os.chmod(tmp.name, 0o644)  # readable by a web server that serves MEDIA_ROOT itself
    os.replace(tmp.name, path)


def build_share_image(campaign: Campaign) -> Path:
    """Draw the PNG for this campaign as shown (a translated() copy) over its hero photograph, and drop
    older versions. For the task worker: it decodes the upload."""
    path = share_image_path(campaign)
    if not path.exists():
        _write_png(draw_share_image(campaign), path)
    _drop_older(campaign, path)
    return path


def _drop_older(campaign: Campaign, path: Path) -> None:
    language = getattr(campaign, "shown_in", campaign.language)
    for stale in path.parent.glob(f"{campaign.slug}.{language}.*.png"):
        if stale != path:
            stale.unlink(missing_ok=True)


def share_image(campaign: Campaign) -> tuple[Path, bool]:
    """The PNG to serve to a visitor, and whether it is the finished one. Never decodes an upload: with
    no hero it draws the text once and keeps it; with one, until the worker has built the image, it
    serves the same text on the plain background (drawn once too) so the link still unfolds."""
    path = share_image_path(campaign)
    if path.exists():
        return path, True
    if not campaign.hero_image:
        _write_png(draw_share_image(campaign, with_photo=False), path)
        _drop_older(campaign, path)
        return path, True
    plain = path.with_suffix(".plain.png")
    if not plain.exists():
        _write_png(draw_share_image(campaign, with_photo=False), plain)
    return plain, False


def _font(text: str, size: int) -> ImageFont.FreeTypeFont:
    name = "NotoSansArabic-Bold.ttf" if ARABIC.search(text) else "NotoSans-Bold.ttf"
    return ImageFont.truetype(str(FONTS / name), size, layout_engine=ImageFont.Layout.RAQM)


def _direction(text: str) -> str:
    return "rtl" if ARABIC.search(text) else "ltr"


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font, direction=_direction(text)) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _background(campaign: Campaign, with_photo: bool) -> Image.Image:
    if with_photo and campaign.hero_image:
        try:
            with campaign.hero_image.open("rb") as file, open_image(file) as photo:
                fitted = ImageOps.fit(ImageOps.exif_transpose(photo).convert("RGB"), SIZE)
            # Darkened so white text stays readable on any photograph.
            return Image.blend(fitted, Image.new("RGB", SIZE, INK), 0.6)
        except (OSError, ValueError):
            pass  # A missing, broken or refused upload still gets a preview, on the plain background.
    return Image.new("RGB", SIZE, INK)


def draw_share_image(campaign: Campaign, with_photo: bool = True) -> Image.Image:
    image = _background(campaign, with_photo)
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * MARGIN
    title = " ".join(campaign.title.split())
    rtl = _direction(title) == "rtl"
    # The largest size at which the title fits in four lines.
    for size in (72, 64, 56, 50, 44):
        font = _font(title, size)
        lines = _wrap(draw, title, font, width)
        if len(lines) <= 4:
            break
    lines = lines[:4]
    x, anchor = (SIZE[0] - MARGIN, "ra") if rtl else (MARGIN, "la")
    y = MARGIN
    for line in lines:
        draw.text((x, y), line, font=font, fill=PAPER, anchor=anchor, direction=_direction(line), language="ar" if rtl else None)
        y += int(size * 1.3)
    bar_y = SIZE[1] - MARGIN - 56
    bar_x = SIZE[0] - MARGIN - 96 if rtl else MARGIN
    draw.rectangle((bar_x, bar_y, bar_x + 96, bar_y + 8), fill=ACCENT)
    organisation = campaign.organisation.name
    org_font = _font(organisation, 36)
    org_rtl = _direction(organisation) == "rtl"
    draw.text(
        (SIZE[0] - MARGIN if rtl else MARGIN, SIZE[1] - MARGIN), organisation, font=org_font, fill=TINT,
        anchor="rd" if rtl else "ld", direction="rtl" if org_rtl else "ltr",
    )
    return image
