"""The numbers the secant-to-tangent clip shows: secant slopes exact and in float64, f'(a), the float64 tail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy

from calcanim.expr import Expression, parse_expression
from calcanim.number_format import decimal_label
from calcanim.numerics.difference_quotient import (
    derivative_value,
    forward_difference_float64,
    predicted_float64_error,
    secant_checkpoints,
)
from calcanim.numerics.tangent_line import Window, curve_window, line_in_box
from calcanim.params.secant_to_tangent import SecantToTangentParams
from calcanim.plans.base import plan_header

#: Seconds of each part of the clip; the scene plays exactly these.
INTRO_SECONDS = 2.0
FIRST_SECANT_SECONDS = 1.0
HOLD_SECONDS = 0.6
TANGENT_SECONDS = 2.5
BREAKDOWN_INTRO_SECONDS = 1.5
BREAKDOWN_ROW_SECONDS = 0.8
BREAKDOWN_WHY_SECONDS = 5.0
ENDING_SECONDS = 1.5

#: |float64 quotient - exact secant slope| below this counts as "float64 still right" in the tail (coloured good).
GOOD_ERROR = 1e-6


def h_tex(h: float) -> str:
    """h as the clip writes it: plain decimals down to 0.001, powers of ten below.

    >>> h_tex(0.01), h_tex(1e-12), h_tex(2.5e-7)
    ('0.01', '10^{-12}', '2.5 \\\\times 10^{-7}')
    """
    if h >= 1e-3:
        return decimal_label(h, 6)
    return scientific_tex(h)


def scientific_tex(value: float, digits: int = 2) -> str:
    """A number in TeX scientific notation with `digits` significant digits.

    Plain decimals for magnitudes between 0.001 and 1000.

    >>> scientific_tex(9.255e-08), scientific_tex(-3.9), scientific_tex(1e-16), scientific_tex(0.0), scientific_tex(-14.0)
    ('9.3 \\\\times 10^{-8}', '-3.9', '10^{-16}', '0', '-14')
    """
    if value == 0.0:
        return "0"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    power = int(exponent)
    if -3 <= power <= 2:
        return f"{float(mantissa) * 10.0**power:.{max(0, digits - 1 - power)}f}".rstrip("0").rstrip(".")
    if float(mantissa) in (1.0, -1.0):
        return f"{'-' if value < 0 else ''}10^{{{power}}}"
    return f"{mantissa} \\times 10^{{{power}}}"


@dataclass(frozen=True)
class SecantCheckpoint:
    h: float
    slope_exact: float
    slope_float64: float
    q: tuple[float, float]  # (a + h, f(a + h)), the secant's second point

    @property
    def label(self) -> str:
        return decimal_label(self.slope_exact, 6)

    @property
    def float64_label(self) -> str:
        return decimal_label(self.slope_float64, 6)

    def to_json(self) -> dict[str, Any]:
        return {
            "h": self.h,
            "slope_exact": self.slope_exact,
            "slope_float64": self.slope_float64,
            "q": list(self.q),
            "label": self.label,
        }


@dataclass(frozen=True)
class BreakdownRow:
    """One h of the float64 tail: the quotient float64 gives, its error, and the IEEE bound on that error."""

    h: float
    slope_exact: float
    slope_float64: float
    error: float
    error_bound: float
    a_plus_h_equals_a: bool

    @property
    def rounding_error(self) -> float:
        """What float64 adds to the exact secant slope at the same h: the breakdown itself."""
        return self.slope_float64 - self.slope_exact

    @property
    def good(self) -> bool:
        return abs(self.rounding_error) < GOOD_ERROR

    @property
    def float64_label(self) -> str:
        return decimal_label(self.slope_float64, 10)

    @property
    def rounding_error_tex(self) -> str:
        return scientific_tex(self.rounding_error)

    def to_json(self) -> dict[str, Any]:
        return {
            "h": self.h,
            "slope_exact": self.slope_exact,
            "slope_float64": self.slope_float64,
            "error": self.error,
            "rounding_error": self.rounding_error,
            "error_bound": self.error_bound,
            "a_plus_h_equals_a": self.a_plus_h_equals_a,
            "float64_label": self.float64_label,
        }


@dataclass(frozen=True)
class SecantToTangentPlan:
    params: SecantToTangentParams
    expression: Expression
    f_a: float
    derivative: float
    checkpoints: tuple[SecantCheckpoint, ...]
    window: Window
    breakdown: tuple[BreakdownRow, ...] = field(default=())

    @property
    def has_breakdown(self) -> bool:
        return bool(self.breakdown)

    @property
    def derivative_label(self) -> str:
        return decimal_label(self.derivative, 6)

    @property
    def function_tex(self) -> str:
        return sympy.latex(self.expression.sympy_expr)

    @property
    def f_a_label(self) -> str:
        return decimal_label(self.f_a, 6)

    @property
    def a_label(self) -> str:
        return decimal_label(self.params.a, 6)

    @property
    def shrink_seconds(self) -> float:
        """From the first h to the last: one move and one hold per later h."""
        return FIRST_SECANT_SECONDS + HOLD_SECONDS + (len(self.checkpoints) - 1) * (self.params.seconds_per_h + HOLD_SECONDS)

    @property
    def breakdown_seconds(self) -> float:
        if not self.breakdown:
            return 0.0
        return BREAKDOWN_INTRO_SECONDS + len(self.breakdown) * BREAKDOWN_ROW_SECONDS + BREAKDOWN_WHY_SECONDS

    @property
    def duration(self) -> float:
        return INTRO_SECONDS + self.shrink_seconds + TANGENT_SECONDS + self.breakdown_seconds + ENDING_SECONDS

    @property
    def poster_time(self) -> float:
        """The tangent drawn over the last secant, every slope in the table."""
        return INTRO_SECONDS + self.shrink_seconds + TANGENT_SECONDS - 0.2

    @property
    def breakdown_reason(self) -> list[str]:
        """Why the tail breaks, sentence by sentence, with the tail's own numbers."""
        if not self.breakdown:
            return []
        worst = max(self.breakdown, key=lambda row: abs(row.error))
        best = min(self.breakdown, key=lambda row: abs(row.error))
        lines = [
            "float64 keeps about 16 significant digits.",
            "For tiny h, f(a + h) and f(a) share",
            "almost all of them, so their difference",
            "is mostly rounding error,",
            "and dividing by a tiny h magnifies it.",
        ]
        lost = [row for row in self.breakdown if row.a_plus_h_equals_a]
        if lost:
            lines += [f"At h = {_plain_h(lost[0].h)}, a + h rounds to a:", "the rise is 0, so the quotient is 0."]
        else:
            lines += [f"Best here: h = {_plain_h(best.h)}.", f"At h = {_plain_h(worst.h)} the error is {worst.error:.2g}."]
        return lines

    def secant_through(self, h: float) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The secant through (a, f(a)) and (a + h, f(a + h)), clipped to the plot window."""
        return line_in_box(self.params.a, self.f_a, self.live_slope(h), self.window)

    def tangent_segment(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        return line_in_box(self.params.a, self.f_a, self.derivative, self.window)

    def live_point(self, h: float) -> tuple[float, float]:
        """(a + h, f(a + h)) for the moving point between checkpoints."""
        x = self.params.a + h
        return x, float(self.expression(x))

    def live_slope(self, h: float) -> float:
        """The secant slope at any h the animation passes (h >= the last checkpoint, where float64 is fine)."""
        return forward_difference_float64(self.expression, self.params.a, h)

    @staticmethod
    def h_at(log10_h: float) -> float:
        return 10.0**log10_h

    def to_json(self) -> dict[str, Any]:
        p = self.params
        return {
            **plan_header(p, function=self.expression.text),
            "a": p.a,
            "f_a": self.f_a,
            "derivative": self.derivative,
            "derivative_function": str(self.expression.derivative().sympy_expr),
            "checkpoints": [c.to_json() for c in self.checkpoints],
            "float_breakdown": [row.to_json() for row in self.breakdown] if self.breakdown else None,
            "breakdown_reason": self.breakdown_reason or None,
            "window": list(self.window),
            "duration": self.duration,
            "poster_time": self.poster_time,
        }


def _plain_h(h: float) -> str:
    return f"{h:g}"


def plan(params: SecantToTangentParams) -> SecantToTangentPlan:
    """Compute every number the clip shows."""
    expression = parse_expression(params.function)
    expr, a = expression.sympy_expr, params.a
    rows = secant_checkpoints(expr, expression, a, params.hs)
    checkpoints = tuple(
        SecantCheckpoint(
            h=row["h"],
            slope_exact=row["slope_exact"],
            slope_float64=row["slope_float64"],
            q=(a + row["h"], float(expression(a + row["h"]))),
        )
        for row in rows
    )
    derivative = _exact_float(derivative_value(expr, a))
    h_max = max(params.hs)
    half = 1.5 * max(h_max, 0.5)
    window = curve_window(expression, a - half, a + half)
    breakdown: tuple[BreakdownRow, ...] = ()
    if params.float_breakdown:
        breakdown = tuple(_breakdown_row(expression, a, h) for h in params.breakdown_hs)
    return SecantToTangentPlan(
        params=params,
        expression=expression,
        f_a=expression.value_at(x=a),
        derivative=derivative,
        checkpoints=checkpoints,
        window=window,
        breakdown=breakdown,
    )


def _breakdown_row(expression: Expression, a: float, h: float) -> BreakdownRow:
    prediction = predicted_float64_error(expression.sympy_expr, expression, a, h)
    return BreakdownRow(
        h=h,
        slope_exact=prediction.exact_secant,
        slope_float64=prediction.quotient,
        error=prediction.error,
        error_bound=prediction.error_bound,
        a_plus_h_equals_a=prediction.x_plus == prediction.a,
    )


def _exact_float(value: Any) -> float:
    """An exact sympy value rounded once to float64."""
    return float(sympy.N(value, 30))
