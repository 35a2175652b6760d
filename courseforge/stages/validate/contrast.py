"""WCAG 2.x contrast between two sRGB colours: relative luminance, contrast ratio, and the nearest
colour that reaches a required ratio (for hints).

Relative luminance: each 8-bit channel c/255 is linearised (c/12.92 up to 0.04045, else
((c+0.055)/1.055)^2.4; WCAG 2.0 printed 0.03928, which no 8-bit value tells apart), then
L = 0.2126 R + 0.7152 G + 0.0722 B. Contrast ratio = (L_lighter + 0.05) / (L_darker + 0.05), 1 to 21.
A ratio is never rounded up before comparing: 4.499:1 fails a 4.5:1 requirement.
"""

from __future__ import annotations

import math

AA_TEXT = 4.5
"""WCAG 2.x SC 1.4.3, normal-size text."""
AA_NON_TEXT = 3.0
"""WCAG 2.1 SC 1.4.11, user-interface components and graphics (focus indicators)."""
BLEND_STEPS = 100

RGB = tuple[int, int, int]


def parse_hex(color: str) -> RGB:
    """``#rgb`` or ``#rrggbb`` (already validated) as 8-bit channels."""
    digits = color.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: RGB) -> str:
    return "#" + "".join(f"{channel:02x}" for channel in rgb)


def linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    red, green, blue = (linear(c) for c in parse_hex(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def shown_ratio(ratio: float) -> str:
    """Two decimals, rounded down, so a failing ratio never reads as the required one (4.499 -> 4.49)."""
    return f"{math.floor(ratio * 100) / 100:.2f}:1"


def blend(color: RGB, target: RGB, amount: float) -> RGB:
    r, g, b = (round(c + (t - c) * amount) for c, t in zip(color, target, strict=True))
    return r, g, b


def nearest_passing(foreground: str, background: str, minimum: float) -> str | None:
    """The foreground moved the least towards black or white (whichever contrasts more with the
    background) that reaches ``minimum``; None when even black or white does not."""
    towards: RGB = (0, 0, 0) if contrast_ratio("#000000", background) >= contrast_ratio("#ffffff", background) \
        else (255, 255, 255)
    start = parse_hex(foreground)
    for step in range(BLEND_STEPS + 1):
        candidate = to_hex(blend(start, towards, step / BLEND_STEPS))
        if contrast_ratio(candidate, background) >= minimum:
            return candidate
    return None
