"""The demo campaigns' hero images, drawn here with Pillow: no photograph of real people, nothing to license.

Drawn the same way every time (fixed seed), at 1600 × 900, and saved as JPEG like an upload; the usual
smaller copies are then made from it (campaigns.images).
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 900


def _gradient(top: tuple[int, int, int], bottom: tuple[int, int, int], height: int) -> Image.Image:
    image = Image.new("RGB", (WIDTH, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(1, height - 1)
        draw.line([(0, y), (WIDTH, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return image


def _grain(image: Image.Image, amount: int) -> Image.Image:
    """Film grain, so a drawing reads like a photograph at a glance."""
    noise = Image.effect_noise((WIDTH, HEIGHT), amount).convert("RGB")
    return Image.blend(image, noise, 0.06)


def sea_at_dusk() -> Image.Image:
    """A small, crowded boat on a dark sea under a dusk sky (the Central Mediterranean)."""
    rnd = random.Random(18)
    image = _gradient((38, 44, 78), (214, 128, 84), 520)
    canvas = Image.new("RGB", (WIDTH, HEIGHT))
    canvas.paste(image, (0, 0))
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((1060, 410, 1200, 550), fill=(246, 190, 120))  # the sun, half under the horizon
    canvas.paste(_gradient((40, 58, 82), (10, 18, 30), HEIGHT - 520), (0, 520))
    draw = ImageDraw.Draw(canvas)
    for _ in range(260):  # glints and swell
        x, y = rnd.randrange(WIDTH), rnd.randrange(530, HEIGHT)
        length = rnd.randrange(20, 120)
        shade = rnd.randrange(60, 150)
        draw.line([(x, y), (x + length, y)], fill=(shade + 60, shade + 20, shade - 30), width=2)
    # The boat: a dark hull and a row of heads and shoulders, far too many for its size.
    draw.polygon([(560, 640), (1040, 640), (990, 700), (610, 700)], fill=(22, 20, 24))
    for i in range(22):
        x = 590 + i * 20 + rnd.randrange(-4, 5)
        draw.ellipse((x, 596, x + 16, 614), fill=(26, 24, 28))
        draw.rectangle((x - 2, 610, x + 18, 642), fill=(30, 28, 34))
    canvas = canvas.filter(ImageFilter.GaussianBlur(1.2))
    return _grain(canvas, 60)


def wall_and_gate() -> Image.Image:
    """A high wall topped with barbed wire and a closed metal gate under a hazy sky (a detention centre)."""
    rnd = random.Random(5)
    canvas = Image.new("RGB", (WIDTH, HEIGHT))
    canvas.paste(_gradient((196, 206, 214), (234, 224, 200), 380), (0, 0))
    canvas.paste(_gradient((186, 170, 142), (150, 132, 104), HEIGHT - 380), (0, 380))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 250, WIDTH, 720), fill=(206, 196, 176))  # the wall
    for y in range(270, 720, 48):  # courses of blocks, a little uneven
        draw.line([(0, y), (WIDTH, y + rnd.randrange(-2, 3))], fill=(184, 174, 154), width=3)
    for _ in range(90):  # stains and patches
        x, y = rnd.randrange(WIDTH), rnd.randrange(260, 700)
        draw.ellipse((x, y, x + rnd.randrange(20, 90), y + rnd.randrange(10, 50)), fill=(190, 178, 156))
    for x in range(0, WIDTH, 120):  # posts and wire on top
        draw.line([(x, 250), (x, 170)], fill=(70, 70, 72), width=6)
    for row in (185, 205, 225):
        for x in range(0, WIDTH, 24):
            draw.line([(x, row), (x + 12, row - 8), (x + 24, row)], fill=(80, 80, 84), width=2)
    draw.rectangle((640, 380, 960, 720), fill=(92, 104, 110))  # the gate, shut
    for x in range(660, 960, 28):
        draw.line([(x, 390), (x, 712)], fill=(70, 80, 86), width=8)
    draw.line([(800, 380), (800, 720)], fill=(50, 56, 60), width=6)
    canvas = canvas.filter(ImageFilter.GaussianBlur(1.5))
    return _grain(canvas, 70)


def as_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()


HEROES = {"stop-detention-libya": sea_at_dusk, "al-khoms-unhcr": wall_and_gate}
