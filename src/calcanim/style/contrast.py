"""WCAG 2.x contrast: relative luminance of sRGB colours and the contrast ratio between two.

Text needs at least 4.5:1 against what is behind it (WCAG 1.4.3, AA for normal text); lines and
curves that carry meaning at least 3:1 (WCAG 1.4.11, non-text contrast).

>>> round(contrast_ratio("#FFFFFF", "#000000"), 2)
21.0
>>> round(contrast_ratio("#777777", "#FFFFFF"), 2)
4.48
"""

from __future__ import annotations

TEXT_MIN_CONTRAST = 4.5
LINE_MIN_CONTRAST = 3.0

RGB = tuple[float, float, float]


def hex_to_rgb(colour: str) -> RGB:
    """'#RRGGBB' (or 'RRGGBB', '#RGB') -> channels in 0..1."""
    text = colour.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) not in (6, 8):
        raise ValueError(f"not a hex colour: {colour!r}")
    return tuple(int(text[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str | RGB) -> float:
    """WCAG relative luminance (0 for black, 1 for white) of a hex colour or an RGB triple.

    >>> relative_luminance("#FFFFFF"), relative_luminance("#000000")
    (1.0, 0.0)
    """
    r, g, b = hex_to_rgb(colour) if isinstance(colour, str) else colour
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(a: str | RGB, b: str | RGB) -> float:
    """(L1 + 0.05) / (L2 + 0.05) with L1 the lighter: 1 (same) to 21 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    light, dark = max(la, lb), min(la, lb)
    return (light + 0.05) / (dark + 0.05)


def blend(front: str | RGB, back: str | RGB, opacity: float) -> RGB:
    """What a colour drawn at ``opacity`` over ``back`` looks like (sRGB alpha blending, as Cairo does).

    >>> blend("#FFFFFF", "#000000", 0.5)
    (0.5, 0.5, 0.5)
    """
    f = hex_to_rgb(front) if isinstance(front, str) else front
    k = hex_to_rgb(back) if isinstance(back, str) else back
    a = min(1.0, max(0.0, opacity))
    return tuple(a * x + (1 - a) * y for x, y in zip(f, k))  # type: ignore[return-value]
