"""Seeded images for the synthetic course: JPEG "photos" whose noisy content does not compress further
(as real photos do not) and flat-colour PNG diagrams, made with Pillow."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

PHOTO_SIZE = (640, 400)
PHOTO_QUALITY = 80
DIAGRAM_SIZE = (800, 450)
PALETTE = ((31, 79, 191), (196, 88, 0), (29, 107, 52), (161, 35, 43), (243, 244, 247), (74, 74, 85))


def photo_jpeg(rng: random.Random) -> bytes:
    """A gradient under per-pixel noise: about 50-120 KB of JPEG, like a phone photo scaled for the web."""
    width, height = PHOTO_SIZE
    start = [rng.randrange(256) for _ in range(3)]
    end = [rng.randrange(256) for _ in range(3)]
    gradient = Image.linear_gradient("L").resize((width, height))
    base = Image.merge("RGB", [gradient.point(lambda v, a=a, b=b: a + (b - a) * v // 255)
                               for a, b in zip(start, end, strict=True)])
    noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    image = Image.blend(base, noise, rng.uniform(0.2, 0.4))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=PHOTO_QUALITY)
    return buffer.getvalue()


def diagram_png(rng: random.Random) -> bytes:
    """Boxes, arrows and bands of flat colour: a few KB of PNG, like an exported diagram."""
    image = Image.new("RGB", DIAGRAM_SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    width, height = DIAGRAM_SIZE
    boxes = rng.randint(3, 6)
    for n in range(boxes):
        left = 40 + n * (width - 80) // boxes
        top = rng.randrange(60, height // 2)
        right, bottom = left + (width - 80) // boxes - 30, top + rng.randrange(80, 160)
        draw.rectangle((left, top, right, bottom), fill=rng.choice(PALETTE), outline=(27, 27, 31), width=3)
        if n:
            draw.line((left - 30, (top + bottom) // 2, left, (top + bottom) // 2), fill=(27, 27, 31), width=4)
    draw.rectangle((0, height - 40, width, height), fill=rng.choice(PALETTE))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()
