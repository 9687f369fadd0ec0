"""Axes for a plot window, with round tick numbers typeset once in the scene's theme (no per-frame work)."""

from __future__ import annotations

from manim import DOWN, LEFT, Axes

from calcanim.numerics.tangent_line import Box, tick_values
from calcanim.plans.secant_to_tangent import decimal_label
from calcanim.scenes.base import FONT_SMALL, CalcanimScene


def window_axes(
    scene: CalcanimScene, box: Box, width: float, height: float, *, x_ticks: int = 5, y_ticks: int = 5
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
    # Axes sit on the window's edges (bottom, left) so they never cross the curve's labels.
    axes.x_axis.shift(axes.c2p(x_min, y_min) - axes.x_axis.n2p(x_min))
    axes.y_axis.shift(axes.c2p(x_min, y_min) - axes.y_axis.n2p(y_min))
    for x in tick_values(x_min, x_max, x_ticks):
        label = scene.math(decimal_label(x, 6), size=FONT_SMALL, colour=theme.muted)
        label.next_to(axes.c2p(x, y_min), DOWN, buff=0.15)
        axes.add(label)
    for y in tick_values(y_min, y_max, y_ticks):
        label = scene.math(decimal_label(y, 6), size=FONT_SMALL, colour=theme.muted)
        label.next_to(axes.c2p(x_min, y), LEFT, buff=0.15)
        axes.add(label)
    return axes
