"""An organisation's brand colour, checked for contrast (WCAG 2.x) before any page uses it."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
# Buttons are white text on the brand colour; AA for normal text.
MINIMUM = 4.5


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def validate_brand_colour(value: str) -> None:
    if not HEX.match(value or ""):
        raise ValidationError(_("Write the colour as # and six hexadecimal digits, e.g. #b3261e."))
    ratio = contrast_ratio(value, WHITE)
    if ratio < MINIMUM:
        raise ValidationError(
            _("White text on this colour has a contrast of %(ratio).1f:1; it needs at least %(minimum).1f:1 to be readable. Choose a darker shade.")
            % {"ratio": ratio, "minimum": MINIMUM}
        )
