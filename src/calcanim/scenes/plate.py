"""A label on a plate of the background colour, for words and formulas set over a rasterised view
(a 3D surface, a contour map): legible over any colour under it, and the lines it sits over stop at
the plate's edge instead of running through the glyphs."""

from __future__ import annotations

from manim import Mobject, RoundedRectangle, VGroup

#: Margin (manim units) of the plate around the label's box.
PLATE_BUFF = 0.06


def on_plate(label: Mobject, background: str, buff: float = PLATE_BUFF) -> VGroup:
    """``label`` over an opaque rounded rectangle of ``background`` (drawn first, so behind it)."""
    plate = RoundedRectangle(
        corner_radius=min(0.08, buff + 0.02), width=label.width + 2 * buff, height=label.height + 2 * buff,
        stroke_width=0, fill_color=background, fill_opacity=1.0,
    ).move_to(label)
    return VGroup(plate, label)
