"""Tangent lines (and second-order approximations) along a curve, and the pieces of them a plot can show.

The slope comes from the exact symbolic derivative evaluated in float64 (no finite differences),
so the tangent is as good as f itself; the curvature term gives the quadratic approximation
f(x0) + f'(x0)(x - x0) + f''(x0)(x - x0)^2 / 2.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from calcanim.errors import ParamError

Window = tuple[float, float, float, float]  # x_min, x_max, y_min, y_max


@dataclass(frozen=True)
class TangentLine:
    """The tangent at x0: y = y0 + slope (x - x0); curvature = f''(x0) for the quadratic approximation."""

    x0: float
    y0: float
    slope: float
    curvature: float

    def line(self, x: npt.ArrayLike) -> np.ndarray:
        """Values of the tangent line at x.

        >>> TangentLine(1.0, 1.0, 2.0, 2.0).line([0.0, 2.0])
        array([-1.,  3.])
        """
        return self.y0 + self.slope * (np.asarray(x, dtype=float) - self.x0)

    def quadratic(self, x: npt.ArrayLike) -> np.ndarray:
        """Values of the second-order approximation at x (exact for a parabola).

        >>> TangentLine(1.0, 1.0, 2.0, 2.0).quadratic([0.0, 3.0])
        array([0., 9.])
        """
        dx = np.asarray(x, dtype=float) - self.x0
        return self.y0 + self.slope * dx + 0.5 * self.curvature * dx * dx

    def to_json(self) -> dict[str, float]:
        return {"x0": self.x0, "y0": self.y0, "slope": self.slope, "curvature": self.curvature}


class TangentField:
    """f, f' and f'' of one expression in x, evaluated in float64; tangent_at(x0) is cheap enough per frame."""

    def __init__(self, expression: Any) -> None:
        """expression: a calcanim.expr.Expression in x."""
        self.expression = expression
        self.first = expression.derivative("x")
        self.second = self.first.derivative("x")

    def tangent_at(self, x0: float) -> TangentLine:
        """The tangent at x0; ParamError where f or f' is not finite there.

        >>> from calcanim.expr import parse_expression
        >>> TangentField(parse_expression("3*x**2 - 4*x + 5")).tangent_at(3.0)
        TangentLine(x0=3.0, y0=20.0, slope=14.0, curvature=6.0)
        """
        x0 = float(x0)
        y0, slope, curvature = float(self.expression(x0)), float(self.first(x0)), float(self.second(x0))
        if not (math.isfinite(y0) and math.isfinite(slope)):
            raise ParamError(f"'{self.expression.text}' has no tangent at x = {x0:g} (f = {y0}, f' = {slope})")
        return TangentLine(x0, y0, slope, curvature if math.isfinite(curvature) else 0.0)


def line_in_box(x0: float, y0: float, slope: float, box: Window) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The part of the line through (x0, y0) with this slope that lies inside box, as two end points.

    None when the line misses the box.

    >>> line_in_box(0.0, 0.0, 1.0, (-1.0, 2.0, -0.5, 0.5))
    ((-0.5, -0.5), (0.5, 0.5))
    >>> line_in_box(0.0, 5.0, 0.0, (-1.0, 1.0, -1.0, 1.0)) is None
    True
    """
    x_min, x_max, y_min, y_max = box
    lo, hi = x_min, x_max
    if slope == 0.0:
        if not y_min <= y0 <= y_max:
            return None
    else:
        a, b = x0 + (y_min - y0) / slope, x0 + (y_max - y0) / slope
        lo, hi = max(lo, min(a, b)), min(hi, max(a, b))
        if lo > hi:
            return None
    return (lo, y0 + slope * (lo - x0)), (hi, y0 + slope * (hi - x0))


def segment_half_width(slope: float, half_length: float, x_unit: float, y_unit: float) -> float:
    """Half-width in x of a line segment of fixed on-screen half-length, whatever its slope.

    x_unit, y_unit: screen length of one unit along each axis. A flat line spans half_length / x_unit.

    >>> segment_half_width(0.0, 2.0, 1.0, 1.0), round(segment_half_width(1.0, 2.0, 1.0, 1.0) ** 2, 12)
    (2.0, 2.0)
    """
    if half_length <= 0 or x_unit <= 0 or y_unit <= 0:
        raise ParamError("half_length, x_unit and y_unit must be > 0")
    return half_length / math.hypot(x_unit, slope * y_unit)


def max_deviation_from_tangent(f: Callable[[Any], Any], tangent: TangentLine, half_width: float, samples: int = 401) -> float:
    """Largest |f(x) - tangent(x)| for |x - x0| <= half_width: how far the curve leaves its line.

    >>> round(max_deviation_from_tangent(lambda x: x**2, TangentLine(1.0, 1.0, 2.0, 2.0), 0.1), 12)
    0.01
    """
    xs = np.linspace(tangent.x0 - half_width, tangent.x0 + half_width, samples)
    return float(np.max(np.abs(np.asarray(f(xs), dtype=float) - tangent.line(xs))))


def curve_window(f: Callable[[Any], Any], x_min: float, x_max: float, pad: float = 0.12, samples: int = 801) -> Window:
    """A plotting box (x_min, x_max, y_min, y_max) holding the finite values of f, padded by a fraction pad.

    >>> curve_window(lambda x: x, 0.0, 1.0, pad=0.0)
    (0.0, 1.0, 0.0, 1.0)
    """
    xs = np.linspace(x_min, x_max, samples)
    ys = np.asarray(f(xs), dtype=float)
    ys = ys[np.isfinite(ys)]
    if ys.size == 0:
        raise ParamError(f"the function has no finite values on [{x_min:g}, {x_max:g}]")
    lo, hi = float(ys.min()), float(ys.max())
    span = hi - lo if hi > lo else max(1.0, abs(hi))
    return (float(x_min), float(x_max), lo - pad * span, hi + pad * span)


def equal_unit_area(box: Window, width: float, height: float, least_fraction: float = 0.45) -> tuple[float, float, Window, bool]:
    """(width, height, box, equal) for a plot whose x and y units have the same screen length.

    The box keeps its x range. When the area is taller than the curve needs, the y range grows about
    its centre to fill the height, but a plot is never made taller than it is wide for that (a
    flat curve in a narrow 9:16 frame would otherwise be a squiggle in a tower of empty axes). When
    the area is wider than needed, the plot gets narrower; where that would leave it less than
    least_fraction of the width, the box and area are returned unchanged and equal is False (exp on
    [-3, 3] would otherwise be a sliver): only a curve too tall for the frame gives up equal units.

    >>> equal_unit_area((-3.0, 3.0, -1.5, 1.5), 12.0, 4.5)
    (9.0, 4.5, (-3.0, 3.0, -1.5, 1.5), True)
    >>> equal_unit_area((-3.0, 3.0, -1.0, 1.0), 12.0, 6.0)
    (12.0, 6.0, (-3.0, 3.0, -1.5, 1.5), True)
    >>> equal_unit_area((-3.0, 3.0, 0.0, 25.0), 12.0, 5.0)[3]
    False
    >>> equal_unit_area((-3.0, 3.0, -1.5, 1.5), 2.6, 4.5)  # 9:16: a square plot, y from -3 to 3
    (2.6, 2.6, (-3.0, 3.0, -3.0, 3.0), True)
    """
    x_min, x_max, y_min, y_max = box
    unit = min(width / (x_max - x_min), height / (y_max - y_min))
    if width / (x_max - x_min) <= height / (y_max - y_min):
        height = min(height, max(unit * (y_max - y_min), width))
        half = height / unit / 2
        centre = (y_min + y_max) / 2
        return width, height, (x_min, x_max, centre - half, centre + half), True
    if unit * (x_max - x_min) < least_fraction * width:
        return width, height, box, False
    return unit * (x_max - x_min), height, box, True
