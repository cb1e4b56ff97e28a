"""Responsive hero images: smaller copies of an upload, so a phone downloads what it can show.
Made by the task worker (campaigns.tasks), never in a request: decoding a photo takes time and memory."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from outcry.campaigns.models import Campaign
from outcry.lib.images import UnsafeImage, open_image

WIDTHS = (480, 800, 1200, 1600)


def make_renditions(campaign: Campaign) -> list[dict]:
    """Write WebP copies of the hero image at each width narrower than the original.

    Returns [{"width", "height", "name"}], narrowest first, the original last; [] without an image.
    """
    if not campaign.hero_image:
        return []
    try:
        with campaign.hero_image.open("rb") as file, open_image(file) as upload:
            photo = ImageOps.exif_transpose(upload).convert("RGB")
    except (UnsafeImage, OSError):
        # Stored before uploads were checked, or gone: the page shows it as it is, with no smaller copies.
        return []
    stem = PurePosixPath(campaign.hero_image.name).stem
    renditions = []
    for width in WIDTHS:
        if width >= photo.width:
            break
        height = round(photo.height * width / photo.width)
        buffer = io.BytesIO()
        photo.resize((width, height), Image.Resampling.LANCZOS).save(buffer, "WEBP", quality=78, method=5)
        name = default_storage.save(f"campaigns/sizes/{stem}-{width}w.webp", ContentFile(buffer.getvalue()))
        renditions.append({"width": width, "height": height, "name": name})
    renditions.append({"width": photo.width, "height": photo.height, "name": campaign.hero_image.name})
    return renditions
