"""The numbers the tangent-slide clip shows: f, f', f'' along the point's ride, and the plot window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from calcanim.expr import Expression, parse_expression
from calcanim.numerics.tangent_line import Window, TangentField, TangentLine, curve_window, line_in_box, segment_half_width
from calcanim.params.tangent_slide import TangentSlideParams
from calcanim.plans.base import plan_header

INTRO_SECONDS = 2.0
ENDING_SECONDS = 2.0
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

    @property
    def duration(self) -> float:
        return INTRO_SECONDS + self.params.seconds + ENDING_SECONDS

    @property
    def poster_time(self) -> float:
        """Two fifths of the way along the ride: the line mid-curve, tilted."""
        return INTRO_SECONDS + 0.4 * self.params.seconds

    @property
    def function_tex(self) -> str:
        return sympy.latex(self.expression.sympy_expr)

    def x_at(self, progress: float) -> float:
        """Where the point is after `progress` (0..1) of its ride."""
        start, end = self.params.path
        return start + (end - start) * progress

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
            "duration": self.duration,
            "poster_time": self.poster_time,
        }


def plan(params: TangentSlideParams) -> TangentSlidePlan:
    """Compute every number the clip shows."""
    expression = parse_expression(params.function)
    field = TangentField(expression)
    window = curve_window(expression, params.x_min, params.x_max, pad=0.25)
    start, end = params.path
    samples = tuple(field.tangent_at(start + (end - start) * i / (SAMPLE_STOPS - 1)) for i in range(SAMPLE_STOPS))
    return TangentSlidePlan(params=params, expression=expression, field=field, window=window, samples=samples)
