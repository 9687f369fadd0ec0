"""Axes for a plot window, with round tick numbers typeset once in the scene's theme (no per-frame work)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Axes, Mobject, VMobject

from calcanim.number_format import decimal_label
from calcanim.numerics.tangent_line import Window, tick_values
from calcanim.scenes.base import FONT_LABEL, CalcanimScene


#: Points of a plotted curve: a polyline this fine looks smooth at 4k.
CURVE_SAMPLES = 600


def window_axes(
    scene: CalcanimScene,
    box: Window,
    width: float,
    height: float,
    *,
    x_ticks: int = 5,
    y_ticks: int = 5,
    avoid: Callable[[np.ndarray], Any] | None = None,
) -> Axes:
    """Axes spanning box = (x_min, x_max, y_min, y_max) on a width x height area, numbers on the ticks.

    avoid: the plotted f; a tick number the curve would cross moves to the other side of its axis,
    or is left out when the curve crosses it there too.
    """
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
        label = scene.math(decimal_label(x, 6), size=FONT_LABEL, colour=theme.muted)
        if _placed_clear(axes, label, axes.c2p(x, oy), (DOWN, UP), avoid):
            axes.add(label)
    for y in tick_values(y_min, y_max, y_ticks):
        if y == oy and x_min < ox:
            continue
        label = scene.math(decimal_label(y, 6), size=FONT_LABEL, colour=theme.muted)
        if _placed_clear(axes, label, axes.c2p(ox, y), (LEFT, RIGHT), avoid):
            axes.add(label)
    return axes


def _placed_clear(
    axes: Axes, label: Mobject, point: np.ndarray, sides: tuple[np.ndarray, ...], avoid: Callable[[np.ndarray], Any] | None
) -> bool:
    """Put label beside point on the first side where the curve y = avoid(x) misses it; False if none."""
    for side in sides:
        label.next_to(point, side, buff=0.15)
        if avoid is None or not _crosses(axes, label, avoid):
            return True
    return False


def _crosses(axes: Axes, label: Mobject, f: Callable[[np.ndarray], Any]) -> bool:
    """True when the curve y = f(x) passes through label's box (with a small margin)."""
    margin = 0.06
    left, bottom = label.get_corner(DOWN + LEFT)[:2] - margin
    right, top = label.get_corner(UP + RIGHT)[:2] + margin
    xs = np.linspace(axes.p2c([left, 0, 0])[0], axes.p2c([right, 0, 0])[0], 60)
    with np.errstate(all="ignore"):
        ys = np.broadcast_to(np.asarray(f(xs), dtype=float), xs.shape)
    screen_y = np.array([axes.c2p(x, y)[1] for x, y in zip(xs, ys) if np.isfinite(y)])
    if screen_y.size == 0:
        return False
    # the curve crosses the box if it is inside it or passes from below to above within its width
    return bool(np.any((screen_y >= bottom) & (screen_y <= top)) or (screen_y.min() < bottom and screen_y.max() > top))


def curve_with_corners(
    axes: Axes, f: Callable[[np.ndarray], Any], x_min: float, x_max: float, corners: Sequence[float] = (), **style: Any
) -> VMobject:
    """y = f(x) as a fine polyline that passes exactly through each corner x (no smoothing: manim's
    smooth plot of relu or |x| overshoots into wiggles at the corner); gaps where f is not finite."""
    xs = np.union1d(np.linspace(x_min, x_max, CURVE_SAMPLES), [c for c in corners if x_min <= c <= x_max])
    with np.errstate(all="ignore"):
        ys = np.broadcast_to(np.asarray(f(xs), dtype=float), xs.shape)
    curve = VMobject(**style)
    finite = np.isfinite(ys)
    start = None
    for i, ok in enumerate([*finite, False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            if i - start >= 2:
                points = np.array([axes.c2p(x, y) for x, y in zip(xs[start:i], ys[start:i])])
                curve.start_new_path(points[0])
                curve.add_points_as_corners(points[1:])
            start = None
    return curve


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
