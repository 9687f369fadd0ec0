"""The numbers the tangent-slide clip shows: f, f', f'' along the point's ride, and the plot window.

Where the ride crosses a corner of f (relu, |x|, max/min where they switch) there is no tangent:
the point stops there for a moment and the clip shows the two one-sided slopes instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from calcanim.correctly_rounded import rounded_to_decimals, scientific_tex
from calcanim.expr import Expression, parse_expression
from calcanim.expression_as_typed import tex_as_typed
from calcanim.numerics.corners import Corner, corners_between
from calcanim.numerics.tangent_line import Window, TangentField, TangentLine, curve_window, line_in_box, segment_half_width
from calcanim.params.tangent_slide import TangentSlideParams
from calcanim.plans.base import plan_header

INTRO_SECONDS = 2.0
ENDING_SECONDS = 2.0
#: Seconds the point rests at a corner, and the most all corners may add to the clip together.
CORNER_SECONDS = 2.0
CORNERS_TOTAL_SECONDS = 8.0
#: Decimal places of the live x_0 and f'(x_0) readouts.
READOUT_DECIMALS = 2
#: Tangents listed in the inspect JSON (the clip shows every frame's; these are samples along the ride).
SAMPLE_STOPS = 9
#: Points drawn on the quadratic approximation.
QUADRATIC_POINTS = 48

Segment = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class TangentSlidePlan:
    params: TangentSlideParams
    expression: Expression
    field: TangentField
    window: Window
    samples: tuple[TangentLine, ...]
    corners: tuple[Corner, ...]  # corners on the ride, in the order the point meets them

    @property
    def corner_seconds(self) -> float:
        """Seconds the point rests at each corner (shorter when there are many)."""
        if not self.corners:
            return 0.0
        return min(CORNER_SECONDS, CORNERS_TOTAL_SECONDS / len(self.corners))

    @property
    def duration(self) -> float:
        return INTRO_SECONDS + self.params.seconds + len(self.corners) * self.corner_seconds + ENDING_SECONDS

    @property
    def poster_time(self) -> float:
        """Two fifths of the way along the ride: the line mid-curve, tilted."""
        return INTRO_SECONDS + 0.4 * self.params.seconds

    @property
    def function_tex(self) -> str:
        """f as the user typed it (term order and decimals kept)."""
        return tex_as_typed(self.params.function)

    def legs(self) -> list[tuple[float, float, float, Corner | None]]:
        """The ride as (x from, x to, seconds, corner the leg ends at or None), at one speed throughout."""
        start, end = self.params.path
        stops = [c.x for c in self.corners]
        ends = [*stops, end] if not stops or stops[-1] != end else stops
        legs, x = [], start
        for i, stop in enumerate(ends):
            corner = self.corners[i] if i < len(self.corners) else None
            legs.append((x, stop, self.params.seconds * abs(stop - x) / abs(end - start), corner))
            x = stop
        return legs

    def corner_near(self, x: float) -> Corner | None:
        """The corner at x (within float rounding of it), where no tangent may be drawn."""
        for corner in self.corners:
            if abs(x - corner.x) <= 1e-12 * max(1.0, abs(corner.x)):
                return corner
        return None

    def x_shown(self, x: float) -> float:
        """x rounded once to READOUT_DECIMALS places (a float whose own text is those digits)."""
        return float(rounded_to_decimals(x, READOUT_DECIMALS))

    def slope_shown(self, x: float) -> float:
        """f'(x) at the binary x, exactly (30 digits), rounded once to READOUT_DECIMALS places."""
        symbol = sympy.Symbol("x", real=True)
        exact = self.field.first.sympy_expr.subs(symbol, sympy.Rational(x))
        return float(rounded_to_decimals(exact, READOUT_DECIMALS))

    def corner_tex(self, corner: Corner) -> str:
        """The one-sided slopes at a corner in TeX, for the note beside the point."""
        return rf"\text{{slopes }} {_slope_tex(corner.left)} \text{{ (left) and }} {_slope_tex(corner.right)} \text{{ (right)}}"

    def ray(self, corner: Corner, side: int, half_length: float, x_unit: float, y_unit: float) -> Segment | None:
        """The one-sided line at a corner, from the corner out to the left (side -1) or right (+1)."""
        slope = corner.left if side < 0 else corner.right
        if not math.isfinite(slope):
            return None
        y0 = float(self.expression(corner.x))
        half = segment_half_width(slope, half_length, x_unit, y_unit)
        lo, hi = (corner.x - half, corner.x) if side < 0 else (corner.x, corner.x + half)
        box = (max(self.window[0], lo), min(self.window[1], hi), self.window[2], self.window[3])
        return line_in_box(corner.x, y0, slope, box)

    def tangent_at(self, x0: float) -> TangentLine:
        return self.field.tangent_at(x0)

    def tangent_segment(self, tangent: TangentLine, half_length: float, x_unit: float, y_unit: float) -> Segment:
        """The tangent drawn with a fixed on-screen length, clipped to the window."""
        half = segment_half_width(tangent.slope, half_length, x_unit, y_unit)
        x0 = tangent.x0
        box = (max(self.window[0], x0 - half), min(self.window[1], x0 + half), self.window[2], self.window[3])
        segment = line_in_box(x0, tangent.y0, tangent.slope, box)
        return segment if segment is not None else ((x0, tangent.y0), (x0, tangent.y0))

    def quadratic_points(self, tangent: TangentLine, half_width: float) -> np.ndarray:
        """Points (x, y) of the quadratic approximation within half_width of x0, kept while inside the window."""
        xs = np.linspace(tangent.x0 - half_width, tangent.x0 + half_width, QUADRATIC_POINTS)
        ys = tangent.quadratic(xs)
        x_min, x_max, y_min, y_max = self.window
        inside = (xs >= x_min) & (xs <= x_max) & (ys >= y_min) & (ys <= y_max)
        centre = QUADRATIC_POINTS // 2
        lo = centre
        while lo > 0 and inside[lo - 1]:
            lo -= 1
        hi = centre
        while hi < QUADRATIC_POINTS - 1 and inside[hi + 1]:
            hi += 1
        return np.column_stack([xs[lo : hi + 1], ys[lo : hi + 1]])

    def to_json(self) -> dict[str, Any]:
        p = self.params
        return {
            **plan_header(p, function=self.expression.text),
            "derivative_function": str(self.field.first.sympy_expr),
            "second_derivative_function": str(self.field.second.sympy_expr),
            "path": list(p.path),
            "window": list(self.window),
            "tangents": [t.to_json() for t in self.samples],
            "corners": [c.to_json() for c in self.corners],
            "duration": self.duration,
            "poster_time": self.poster_time,
        }


def _slope_tex(value: float) -> str:
    if not math.isfinite(value):
        return r"-\infty" if value < 0 else r"\infty"
    return scientific_tex(value, 6)


def plan(params: TangentSlideParams) -> TangentSlidePlan:
    """Compute every number the clip shows."""
    expression = parse_expression(params.function)
    field = TangentField(expression)
    window = curve_window(expression, params.x_min, params.x_max, pad=0.25)
    start, end = params.path
    corners = corners_between(expression.sympy_expr, min(start, end), max(start, end))
    if end < start:
        corners.reverse()
    on_ride = tuple(corners)
    xs = [start + (end - start) * i / (SAMPLE_STOPS - 1) for i in range(SAMPLE_STOPS)]
    corner_xs = [c.x for c in on_ride]
    samples = tuple(
        field.tangent_at(x) for x in xs if all(abs(x - c) > 1e-12 * max(1.0, abs(c)) for c in corner_xs)
    )
    return TangentSlidePlan(params=params, expression=expression, field=field, window=window, samples=samples, corners=on_ride)
