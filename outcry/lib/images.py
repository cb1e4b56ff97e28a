"""Images people upload: only JPEG, PNG and WebP, recognised by their content, never by the file's name,
and no more pixels than OUTCRY_IMAGE_MAX_PIXELS, read from the header before anything is decoded.

Pillow tries every format it knows unless told otherwise, and hands EPS and PostScript to Ghostscript: a
file named photo.jpg that is really PostScript cost seconds of CPU per open, and a 10 KB PNG declaring
9,400 x 9,400 pixels took a web process from 79 MB to 598 MB when decoded. So every open of an upload goes
through open_image (three formats only), and decoding happens in the task worker, never in a request.
"""

from __future__ import annotations

from typing import IO, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

WEB_FORMATS = ("JPEG", "PNG", "WEBP")
ACCEPT = "image/jpeg,image/png,image/webp"

# Pillow's own bomb check, for any open that does not come through here: a warning above, an error at twice.
Image.MAX_IMAGE_PIXELS = settings.OUTCRY_IMAGE_MAX_PIXELS


class UnsafeImage(ValueError):
    pass


def open_image(file: IO[bytes]) -> Image.Image:
    """Open an upload lazily (the header only) if it is JPEG, PNG or WebP within the pixel limit.
    The caller closes it (use it in a with block). Raises UnsafeImage otherwise."""
    try:
        image = Image.open(file, formats=WEB_FORMATS)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as error:
        raise UnsafeImage("not a JPEG, PNG or WebP image") from error
    width, height = image.size
    if width * height > settings.OUTCRY_IMAGE_MAX_PIXELS:
        # Not image.close(): that would close the caller's file (an upload the form still holds).
        raise UnsafeImage(f"{width} x {height} pixels is more than {settings.OUTCRY_IMAGE_MAX_PIXELS}")
    return image


def check_upload(file: IO[bytes]) -> None:
    """Raise ValidationError unless the upload is a web image within the limit. Reads the header only."""
    position = file.tell()
    try:
        file.seek(0)
        with open_image(file):
            pass
    except UnsafeImage:
        megapixels = settings.OUTCRY_IMAGE_MAX_PIXELS // 1_000_000
        raise ValidationError(
            _("Please upload a JPEG, PNG or WebP image of at most %(megapixels)s megapixels.") % {"megapixels": megapixels},
            code="invalid_image",
        ) from None
    finally:
        file.seek(position)


def validate_web_image(value: Any) -> None:
    """The model's validator: a file just uploaded (not yet saved) must pass check_upload. Files already
    stored are not reopened on every edit; the worker opens them through open_image anyway."""
    if value and not getattr(value, "_committed", True):
        check_upload(value.file)


class WebImageFormField(forms.ImageField):
    """Checks the format and size before Django's own ImageField opens the file with every Pillow plugin."""

    widget = forms.ClearableFileInput(attrs={"accept": ACCEPT})

    def to_python(self, data: Any) -> Any:
        if data is not None and hasattr(data, "read"):
            check_upload(data)
        return super().to_python(data)


class WebImageField(models.ImageField):
    """An ImageField that takes only web images within the pixel limit, from any form or full_clean()."""

    default_validators = [validate_web_image]

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": WebImageFormField, **kwargs})
