"""The numbers the little-o clip shows: r(eps)/eps for the tangent and for an offset approximation."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from calcanim.expr import Expression, parse_expression
from calcanim.number_format import decimal_label
from calcanim.numerics.little_o import EPS, is_little_o, linearization_remainder, offset_ratios, ratio_curve, remainder_ratios
from calcanim.params.little_o import LittleOParams
from calcanim.plans.base import plan_header
from calcanim.plans.secant_to_tangent import scientific_tex

INTRO_SECONDS = 2.5
HOLD_SECONDS = 0.5
ENDING_SECONDS = 3.5
#: Samples per decade of eps on the drawn curves.
SAMPLES_PER_DECADE = 40


@dataclass(frozen=True)
class RatioRow:
    eps: float
    good_ratio: float
    bad_ratio: float

    @property
    def eps_tex(self) -> str:
        return scientific_tex(self.eps)

    @property
    def good_tex(self) -> str:
        return ratio_tex(self.good_ratio)

    @property
    def bad_tex(self) -> str:
        return ratio_tex(self.bad_ratio)

    def to_json(self) -> dict[str, Any]:
        return {"eps": self.eps, "remainder_ratio": self.good_ratio, "offset_ratio": self.bad_ratio}


def ratio_tex(value: float) -> str:
    """A ratio as the table writes it: 5 significant digits, scientific when tiny or huge.

    >>> ratio_tex(0.7182818), ratio_tex(5.0e-5), ratio_tex(0.0050167084), ratio_tex(2.0)
    ('0.71828', '5.0 \\\\times 10^{-5}', '0.0050167', '2')
    """
    if value != 0.0 and not 1e-3 <= abs(value) < 1e4:
        return scientific_tex(value)
    return f"{value:.5g}"


@dataclass(frozen=True)
class LittleOPlan:
    params: LittleOParams
    expression: Expression
    remainder: sympy.Expr
    bad_error: sympy.Expr
    remainder_is_little_o: bool
    bad_is_little_o: bool
    rows: tuple[RatioRow, ...]
    curve_u: np.ndarray  # u = -log10(eps): eps shrinks as u grows
    good_curve: np.ndarray
    bad_curve: np.ndarray
    y_range: tuple[float, float]

    @property
    def u_range(self) -> tuple[float, float]:
        return float(self.curve_u[0]), float(self.curve_u[-1])

    @property
    def stops(self) -> list[float]:
        return [-math.log10(row.eps) for row in self.rows]

    @property
    def shrink_seconds(self) -> float:
        return self.params.seconds + len(self.rows) * HOLD_SECONDS

    @property
    def duration(self) -> float:
        return INTRO_SECONDS + self.shrink_seconds + ENDING_SECONDS

    @property
    def poster_time(self) -> float:
        return self.duration - 0.5

    @property
    def function_tex(self) -> str:
        return sympy.latex(self.expression.sympy_expr)

    @property
    def bad_error_tex(self) -> str:
        """The bad approximation's extra error, e.g. 2\\varepsilon or \\varepsilon + 2."""
        p = self.params
        offset = sympy.nsimplify(p.value_offset) + sympy.nsimplify(p.slope_offset) * sympy.Symbol("varepsilon")
        return sympy.latex(offset)

    @property
    def x0_label(self) -> str:
        return decimal_label(self.params.x0, 6)

    def curve_points(self, which: str, u_from: float, u_to: float) -> np.ndarray:
        """(u, ratio) points of one curve between two u, clipped to the plot's y range (dropped above it)."""
        values = self.good_curve if which == "good" else self.bad_curve
        mask = (self.curve_u >= u_from - 1e-9) & (self.curve_u <= u_to + 1e-9)
        points = np.column_stack([self.curve_u[mask], values[mask]])
        return points[(points[:, 1] >= self.y_range[0]) & (points[:, 1] <= self.y_range[1])]

    def point_at(self, which: str, u: float) -> tuple[float, float]:
        """(u, ratio) on one curve, interpolated between its samples."""
        values = self.good_curve if which == "good" else self.bad_curve
        return u, float(np.interp(u, self.curve_u, values))

    def bad_leaves_plot(self) -> bool:
        return bool(np.any(self.bad_curve > self.y_range[1]))

    def to_json(self) -> dict[str, Any]:
        p = self.params
        return {
            **plan_header(p, function=self.expression.text),
            "remainder": str(self.remainder),
            "offset_error": str(self.bad_error),
            "remainder_is_little_o": self.remainder_is_little_o,
            "offset_error_is_little_o": self.bad_is_little_o,
            "rows": [row.to_json() for row in self.rows],
            "y_range": list(self.y_range),
            "duration": self.duration,
            "poster_time": self.poster_time,
        }


def plan(params: LittleOParams) -> LittleOPlan:
    """Compute every number the clip shows."""
    expression = parse_expression(params.function)
    remainder = linearization_remainder(expression.sympy_expr, params.x0)
    offset = sympy.Rational(params.value_offset) + sympy.Rational(params.slope_offset) * EPS
    bad_error = remainder + offset
    good_rows = remainder_ratios(expression.sympy_expr, params.x0, params.eps_values)
    bad_rows = offset_ratios(
        expression.sympy_expr, params.x0, params.eps_values, value_offset=params.value_offset, slope_offset=params.slope_offset
    )
    rows = tuple(RatioRow(g["eps"], g["ratio"], b["ratio"]) for g, b in zip(good_rows, bad_rows, strict=True))
    u_lo, u_hi = -math.log10(params.eps_values[0]), -math.log10(params.eps_values[-1])
    count = max(2, int(math.ceil((u_hi - u_lo) * SAMPLES_PER_DECADE)) + 1)
    curve_u = np.linspace(u_lo, u_hi, count)
    eps_grid = 10.0 ** (-curve_u)
    good_curve = np.array(ratio_curve(remainder, eps_grid))
    bad_curve = np.array(ratio_curve(bad_error, eps_grid))
    finite_bad = bad_curve if params.value_offset == 0.0 else np.array([params.slope_offset])
    top = max(float(np.max(good_curve)), float(np.max(finite_bad)), 0.0)
    bottom = min(float(np.min(good_curve)), float(np.min(finite_bad)), 0.0)
    span = top - bottom if top > bottom else 1.0
    if params.value_offset != 0.0:
        top = max(top, float(bad_curve[0]) * 1.2, 3.0)
    y_range = (bottom - 0.1 * span, top + 0.15 * span)
    return LittleOPlan(
        params=params,
        expression=expression,
        remainder=remainder,
        bad_error=bad_error,
        remainder_is_little_o=is_little_o(remainder, EPS, EPS),
        bad_is_little_o=is_little_o(bad_error, EPS, EPS),
        rows=rows,
        curve_u=curve_u,
        good_curve=good_curve,
        bad_curve=bad_curve,
        y_range=y_range,
    )
