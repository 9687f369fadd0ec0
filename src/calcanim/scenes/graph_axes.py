"""Axes for a plot window, with round tick numbers typeset once in the scene's theme (no per-frame work)."""

from __future__ import annotations

from manim import DOWN, LEFT, Axes, Mobject

from calcanim.number_format import decimal_label
from calcanim.numerics.tangent_line import Window, tick_values
from calcanim.scenes.base import FONT_SMALL, CalcanimScene


def window_axes(
    scene: CalcanimScene, box: Window, width: float, height: float, *, x_ticks: int = 5, y_ticks: int = 5
) -> Axes:
    """Axes spanning box = (x_min, x_max, y_min, y_max) on a width x height area, numbers on the ticks."""
    theme = scene.theme
    x_min, x_max, y_min, y_max = box
    axes = Axes(
        x_range=(x_min, x_max, x_max - x_min),
        y_range=(y_min, y_max, y_max - y_min),
        x_length=width,
        y_length=height,
        tips=False,
        axis_config={"color": theme.axis, "stroke_width": theme.stroke(2), "include_ticks": False},
    )
    # manim crosses the axes at 0 when 0 is in range, else at the range end nearest 0.
    ox, oy = min(max(0.0, x_min), x_max), min(max(0.0, y_min), y_max)
    for x in tick_values(x_min, x_max, x_ticks):
        if x == ox and y_min < oy:  # the y axis stands here; its own labels say enough
            continue
        label = scene.math(decimal_label(x, 6), size=FONT_SMALL, colour=theme.muted)
        label.next_to(axes.c2p(x, oy), DOWN, buff=0.15)
        axes.add(label)
    for y in tick_values(y_min, y_max, y_ticks):
        if y == oy and x_min < ox:
            continue
        label = scene.math(decimal_label(y, 6), size=FONT_SMALL, colour=theme.muted)
        label.next_to(axes.c2p(ox, y), LEFT, buff=0.15)
        axes.add(label)
    return axes


def keep_redrawn(*mobjects: Mobject) -> None:
    """Mark mobjects that another mobject's updater changes, so manim redraws them every frame.

    manim freezes mobjects without updaters into a static background during an animation.
    """
    for mobject in mobjects:
        mobject.add_updater(_unchanged)


def stop_redrawing(*mobjects: Mobject) -> None:
    for mobject in mobjects:
        mobject.remove_updater(_unchanged)


def _unchanged(mobject: Mobject) -> None:
    """An updater that changes nothing (see keep_redrawn)."""
