"""Axes for a plot window, with round tick numbers typeset once in the scene's theme (no per-frame work)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Axes, Mobject, VMobject

from calcanim.number_format import decimal_label
from calcanim.numerics.tangent_line import Window
from calcanim.numerics.ticks import tick_values
from calcanim.scenes.base import FONT_LABEL, CalcanimScene
from calcanim.style.themes import Theme


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
    avoid_points: np.ndarray | None = None,
) -> Axes:
    """Axes spanning box = (x_min, x_max, y_min, y_max) on a width x height area, numbers on the ticks.

    avoid: the plotted f; a tick number the curve would cross moves to the other side of its axis,
    or is left out when the curve crosses it there too. avoid_points: (n, 2) data points of other
    lines the clip will draw (a tangent's sweep, say), avoided the same way.
    """
    theme = scene.theme
    axes = bare_axes(theme, box, width, height)
    ox, oy = axes_crossing(box)
    for x in x_ticks_off_the_y_axis(box, x_ticks):
        label = scene.math(decimal_label(x, 6), size=FONT_LABEL, colour=theme.muted)
        if _placed_clear(axes, label, axes.c2p(x, oy), (DOWN, UP), avoid, avoid_points):
            axes.add(label)
    for y in y_ticks_off_the_x_axis(box, y_ticks):
        label = scene.math(decimal_label(y, 6), size=FONT_LABEL, colour=theme.muted)
        if _placed_clear(axes, label, axes.c2p(ox, y), (LEFT, RIGHT), avoid, avoid_points):
            axes.add(label)
    return axes


def bare_axes(theme: Theme, box: Window, width: float, height: float) -> Axes:
    """The two axis lines spanning box = (x_min, x_max, y_min, y_max) on a width x height area, in the
    theme's axis colour, with no tips and none of manim's ticks: the clips place their own tick numbers."""
    x_min, x_max, y_min, y_max = box
    return Axes(
        x_range=(x_min, x_max, x_max - x_min),
        y_range=(y_min, y_max, y_max - y_min),
        x_length=width,
        y_length=height,
        tips=False,
        axis_config={"color": theme.axis, "stroke_width": theme.stroke(2), "include_ticks": False},
    )


def axes_crossing(box: Window) -> tuple[float, float]:
    """Where manim crosses the axes of box = (x_min, x_max, y_min, y_max): at 0 when 0 is in range,
    else at the range end nearest 0.

    >>> axes_crossing((-2.0, 3.0, 1.0, 4.0))
    (0.0, 1.0)
    """
    x_min, x_max, y_min, y_max = box
    return min(max(0.0, x_min), x_max), min(max(0.0, y_min), y_max)


def x_ticks_off_the_y_axis(box: Window, count: int) -> list[float]:
    """Round x tick values (``tick_values``) without the one the y axis stands on, unless the x axis
    runs along the bottom edge there: the y axis' own numbers say enough at the crossing."""
    x_min, x_max, y_min, _ = box
    ox, oy = axes_crossing(box)
    return [x for x in tick_values(x_min, x_max, count) if not (x == ox and y_min < oy)]


def y_ticks_off_the_x_axis(box: Window, count: int) -> list[float]:
    """Round y tick values without the one the x axis stands on (as ``x_ticks_off_the_y_axis``)."""
    x_min, _, y_min, y_max = box
    ox, oy = axes_crossing(box)
    return [y for y in tick_values(y_min, y_max, count) if not (y == oy and x_min < ox)]


def _placed_clear(
    axes: Axes, label: Mobject, point: np.ndarray, sides: tuple[np.ndarray, ...], avoid: Callable[[np.ndarray], Any] | None,
    avoid_points: np.ndarray | None = None,
) -> bool:
    """Put label beside point on the first side where the curve y = avoid(x) and the points miss it; False if none."""
    screen = None
    if avoid_points is not None and len(avoid_points):
        screen = np.array([axes.c2p(x, y)[:2] for x, y in avoid_points])
    for side in sides:
        label.next_to(point, side, buff=0.15)
        if avoid is not None and _crosses(axes, label, avoid):
            continue
        if screen is not None and _covers_any(label, screen):
            continue
        return True
    return False


def _covers_any(label: Mobject, screen: np.ndarray, margin: float = 0.06) -> bool:
    """True when any (x, y) screen point lies in label's box (with a small margin)."""
    low = label.get_corner(DOWN + LEFT)[:2] - margin
    high = label.get_corner(UP + RIGHT)[:2] + margin
    return bool(np.any(np.all((screen >= low) & (screen <= high), axis=1)))


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
