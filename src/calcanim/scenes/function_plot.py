"""Plot panels of the machine-learning clips (activations, loss-functions, vanishing-gradients):
axes with round tick numbers at a legible size, curves from the plan's sampled points, shaded bands."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from manim import DOWN, LEFT, UP, Axes, Rectangle, VMobject

from calcanim.numerics.ticks import tick_values
from calcanim.number_format import decimal_label
from calcanim.scenes.base import CalcanimScene
from calcanim.scenes.graph_axes import bare_axes, x_ticks_off_the_y_axis

#: Tick numbers and table entries: MathTex digits at 26 are ~0.19 units, above 2% of the 8-unit short side.
FONT_TICK = 26
#: Words and formulas beside the plots.
FONT_TEXT = 30

Box = tuple[float, float, float, float]


def plot_axes(
    scene: CalcanimScene,
    box: Box,
    width: float,
    height: float,
    *,
    x_ticks: int = 5,
    y_ticks: int = 3,
    y_label: Callable[[float], str] | None = None,
) -> Axes:
    """Axes spanning box = (x_min, x_max, y_min, y_max) on width x height, tick numbers in the theme."""
    theme = scene.theme
    axes = bare_axes(theme, box, width, height)
    x_min, _, y_min, y_max = box
    for x in x_ticks_off_the_y_axis(box, x_ticks):
        label = scene.math(decimal_label(x, 4), size=FONT_TICK, colour=theme.muted)
        label.next_to(axes.c2p(x, y_min), DOWN, buff=0.12)
        axes.add(label)
    for y in tick_values(y_min, y_max, y_ticks):
        label = scene.math(y_label(y) if y_label else decimal_label(y, 4), size=FONT_TICK, colour=theme.muted)
        label.next_to(axes.c2p(x_min, y), LEFT, buff=0.12)
        axes.add(label)
    return axes


def polyline(axes: Axes, points: np.ndarray, colour: str, width: float) -> VMobject:
    """A curve through (n, 2) plot points."""
    curve = VMobject(stroke_color=colour, stroke_width=width)
    curve.set_points_as_corners([axes.c2p(x, y) for x, y in points])
    return curve


def clipped(points: np.ndarray, box: Box) -> list[np.ndarray]:
    """The runs of points inside the box's y range (x is inside by construction)."""
    inside = (points[:, 1] >= box[2]) & (points[:, 1] <= box[3])
    runs: list[np.ndarray] = []
    start = None
    for i, flag in enumerate(inside):
        if flag and start is None:
            start = i
        if not flag and start is not None:
            runs.append(points[start:i])
            start = None
    if start is not None:
        runs.append(points[start:])
    return [run for run in runs if len(run) >= 2]


def band(axes: Axes, x0: float, x1: float, box: Box, colour: str, opacity: float) -> Rectangle:
    """A shaded vertical band from x0 to x1 over the whole height of the axes."""
    bottom_left, top_right = axes.c2p(x0, box[2]), axes.c2p(x1, box[3])
    rect = Rectangle(width=max(1e-3, top_right[0] - bottom_left[0]), height=top_right[1] - bottom_left[1],
                     stroke_width=0, fill_color=colour, fill_opacity=opacity)
    rect.move_to((bottom_left + top_right) / 2)
    return rect


def fit_width(mobject: VMobject, width: float) -> VMobject:
    """Shrink a mobject to ``width`` if it is wider (never below the legible minimum: callers size text)."""
    if mobject.width > width:
        mobject.scale_to_fit_width(width)
    return mobject


def table(scene: CalcanimScene, header: Sequence[str], rows: Sequence[Sequence[str]], colours: Sequence[str],
          size: float = FONT_TICK, column_gap: float = 0.35, row_gap: float = 0.16) -> list[list[VMobject]]:
    """TeX cells laid out in right-aligned columns; returns the rows of cells (header first)."""
    cells = [[scene.math(text, size=size, colour=colours[i]) for i, text in enumerate(row)] for row in [header, *rows]]
    widths = [max(row[i].width for row in cells) for i in range(len(header))]
    heights = [max(cell.height for cell in row) for row in cells]
    y = 0.0
    for row, height in zip(cells, heights):
        x = 0.0
        for cell, width in zip(row, widths):
            x += width
            cell.move_to([x - cell.width / 2, y, 0])
            x += column_gap
        y -= max(height, 0.2) + row_gap
    return cells


def words(scene: CalcanimScene, text: str, size: float = FONT_TEXT, colour: str | None = None) -> VMobject:
    """Plain words set in TeX (one type family with the formulas beside them); lines split at newlines."""
    lines = [r"\text{" + _escaped(line) + "}" for line in text.split("\n")]
    if len(lines) == 1:
        return scene.math(lines[0], size=size, colour=colour)
    from manim import VGroup

    return VGroup(*[scene.math(line, size=size, colour=colour) for line in lines]).arrange(DOWN, buff=0.12,
                                                                                              aligned_edge=LEFT)


def _escaped(text: str) -> str:
    """TeX's special characters in plain words.

    >>> _escaped("leaky_relu: 5% & more")
    'leaky\\\\_relu: 5\\\\% \\\\& more'
    """
    for char in "\\{}":
        text = text.replace(char, "")
    for char in "_%&#$":
        text = text.replace(char, "\\" + char)
    return text.replace("<", "$<$").replace(">", "$>$")


def stacked_plots(top: Axes, bottom: Axes, x_min: float, gap: float = 1.0) -> VMobject:
    """Two plots one above the other with their x axes lined up (their tick labels may differ in width)."""
    from manim import VGroup

    group = VGroup(top, bottom).arrange(DOWN, buff=gap)
    bottom.shift([top.c2p(x_min, 0)[0] - bottom.c2p(x_min, 0)[0], 0, 0])
    return group


def name_above(axes: Axes, name: VMobject, box: Box) -> None:
    """A plot's name just above its top-left corner, outside the plotted area (no curve can cross it)."""
    name.next_to(axes.c2p(box[0], box[3]), UP, buff=0.1, aligned_edge=LEFT)
