"""The smallest legible text: a digit at least 2% of the frame's short side tall, at every aspect.

calcanim's frames are always 8 manim units on the short side (style/layout.py), so a font size
gives the same fraction of the short side in 16:9, 9:16, 1:1 and 4:3. Text gets too small when a
scene *scales a group down* after building it (to fit a narrow 9:16 panel, say). Clip owners:

* ask for ``legible_font(size, kind)`` instead of a bare size: it never goes below the minimum;
* when a group holding text will be scaled by ``s`` (``s < 1``), build its text at
  ``legible_font(size, kind, scale=s)`` so it is still legible after the scale, or scale the
  drawing but not the labels;
* ``calcanim audit`` measures every text the same way (``digit_height``) and reports ``too_small``.

"Text height" is the height of a digit (the cap height) at the text's font size, what a reviewer
measures on tick labels; a lone lower-case "x" or a minus sign is judged by its font, not its ink.

>>> round(min_font_size("tex"), 1), round(min_font_size("text"), 1)
(22.1, 15.2)
>>> legible_font(30, "tex"), round(legible_font(20, "tex"), 1)
(30, 22.1)
>>> round(legible_font(24, "tex", scale=0.5), 1)
44.1
"""

from __future__ import annotations

from typing import Literal

from calcanim.style.layout import SHORT_SIDE_UNITS

#: The smallest text height, as a fraction of the frame's short side (issue 15: 2%, ~22 px at 1080p).
MIN_TEXT_FRACTION = 0.02
#: Height of the digits 0-9 in manim units per point of font_size, measured on manim 0.22's glyphs
#: (tests/style/test_text_size.py measures them again): MathTex/Tex/DecimalNumber (Computer Modern)
#: and Text (Pango's default sans).
DIGIT_HEIGHT_PER_POINT: dict[str, float] = {"tex": 0.34819425 / 48, "text": 0.50390625 / 48}

TextKind = Literal["tex", "text"]


def digit_height(font_size: float, kind: TextKind = "tex") -> float:
    """Height (manim units) of a digit set at ``font_size`` in TeX or in Pango text."""
    return font_size * DIGIT_HEIGHT_PER_POINT[kind]


def min_font_size(kind: TextKind = "tex", fraction: float = MIN_TEXT_FRACTION) -> float:
    """The font size whose digits are ``fraction`` of the short side tall."""
    return fraction * SHORT_SIDE_UNITS / DIGIT_HEIGHT_PER_POINT[kind]


def legible_font(size: float, kind: TextKind = "tex", scale: float = 1.0) -> float:
    """``size``, raised so the text is still >= 2% of the short side after being scaled by ``scale``."""
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    floor = min_font_size(kind) / scale
    return size if size >= floor else floor
