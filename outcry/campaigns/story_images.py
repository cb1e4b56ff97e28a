"""Images inside a story: uploaded in the studio, checked like the hero (outcry/lib/images.py: JPEG, PNG or
WebP by content, within the pixel limit, from the header only), then decoded by the task worker, never in
a request. The worker re-encodes the upload as WebP copies (story/<key>.webp at most MAX_WIDTH wide, and
story/<key>-<width>w.webp for each narrower width) and deletes the upload, so no EXIF, location or camera
data is ever served. The copies live in the same storage and under the same /media/ addresses as the hero's.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps

from outcry.campaigns.models import Campaign, StoryImage
from outcry.lib.images import UnsafeImage, open_image

WIDTHS = (480, 800, 1200)
MAX_WIDTH = 1600


def upload_path(key: str) -> Path:
    # Not under MEDIA_ROOT: the upload still holds whatever metadata the camera wrote.
    return settings.OUTCRY_PRIVATE_DIR / "story-uploads" / key


def add_story_image(*, campaign: Campaign, file: IO[bytes], alt: str, user: object = None) -> StoryImage:
    """Keep a checked upload (the form ran check_upload) and queue its copies. Returns the pending image,
    whose markdown works at once: the page shows the alt text until the worker is done."""
    from outcry.campaigns.tasks import build_story_image_task

    key = secrets.token_hex(16)
    path = upload_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    file.seek(0)
    with path.open("wb") as out:
        while chunk := file.read(1 << 20):
            out.write(chunk)
    with transaction.atomic():
        image = StoryImage.objects.create(campaign=campaign, key=key, alt=alt.strip(), uploaded_by=user)
        # The task row is in this database: it commits with the image, or neither does (README).
        build_story_image_task.enqueue(image.pk)
    return image


def build_story_image(image_id: int) -> str:
    """The worker's half: WebP copies of a pending image, then the upload deleted. Idempotent. Returns the state."""
    image = StoryImage.objects.filter(pk=image_id).first()
    if image is None:
        return ""
    if image.state != StoryImage.State.PENDING:
        return image.state
    path = upload_path(image.key)
    try:
        with path.open("rb") as file, open_image(file) as upload:
            keeps_alpha = upload.mode in ("RGBA", "LA", "PA") or "transparency" in upload.info
            photo = ImageOps.exif_transpose(upload).convert("RGBA" if keeps_alpha else "RGB")
    except (UnsafeImage, OSError):
        StoryImage.objects.filter(pk=image.pk).update(state=StoryImage.State.FAILED)
        path.unlink(missing_ok=True)
        return StoryImage.State.FAILED
    if photo.width > MAX_WIDTH:
        photo = photo.resize((MAX_WIDTH, round(photo.height * MAX_WIDTH / photo.width)), Image.Resampling.LANCZOS)
    renditions = []
    for width in (*(w for w in WIDTHS if w < photo.width), photo.width):
        height = round(photo.height * width / photo.width)
        copy = photo if width == photo.width else photo.resize((width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        # No exif= and no icc_profile=: the copy carries pixels only.
        copy.save(buffer, "WEBP", quality=80, method=5)
        name = image.name if width == photo.width else f"story/{image.key}-{width}w.webp"
        default_storage.delete(name)
        renditions.append({"width": width, "height": height, "name": default_storage.save(name, ContentFile(buffer.getvalue()))})
    StoryImage.objects.filter(pk=image.pk).update(
        state=StoryImage.State.READY, width=photo.width, height=photo.height, renditions=renditions,
    )
    path.unlink(missing_ok=True)
    return StoryImage.State.READY


def delete_story_image(image: StoryImage) -> None:
    """The image and its copies. A story that still shows it shows its alt text instead."""
    for rendition in image.renditions:
        default_storage.delete(rendition["name"])
    upload_path(image.key).unlink(missing_ok=True)
    image.delete()
