"""The numbers the secant-to-tangent clip shows: secant slopes exact and in float64, f'(a), the float64 tail.

Every shown digit is the exact value rounded once (calcanim.correctly_rounded); the float64
numbers come from f evaluated as the user typed it (calcanim.expression_as_typed). At a corner
(relu, |x|, max/min where they switch) there is no f'(a): the clip shows the secants from both
sides settling on two different slopes instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy

from calcanim.correctly_rounded import exact_fraction, fixed_text, rounded_to_decimals, scientific_parts, scientific_tex
from calcanim.errors import ParamError
from calcanim.expr import Expression, parse_expression
from calcanim.expression_as_typed import float64_as_typed, tex_as_typed
from calcanim.numerics.corners import Corner, corner_at, corners_between
from calcanim.numerics.difference_quotient import (
    derivative_value,
    forward_difference_exact,
    forward_difference_float64,
    predicted_float64_error,
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
#: Decimal places of the slopes in the table and of f'(a); of the live slope readout.
TABLE_DECIMALS = 6
LIVE_SLOPE_DECIMALS = 4
#: Significant digits of the live h readout (mantissa times a power of ten).
LIVE_H_DIGITS = 3
#: The inset's half width, in multiples of h: the two points stay the same size in it while they merge.
INSET_HALF_WIDTH_PER_H = 1.6
#: Below this h (relative to max(1, |a|)) the inset's curve is computed at 30 digits instead of float64.
FLOAT64_INSET_BELOW = 1e-7
#: Largest and smallest side of the inset, as fractions of the plot's shorter side.
INSET_FRACTIONS = (0.5, 0.44, 0.38, 0.32)




@dataclass(frozen=True)
class SecantCheckpoint:
    """One h of the shrinking phase: the secant slope exact (rounded once), in float64, and its second point.

    At a corner the left secant, through (a - h, f(a - h)), is kept too.
    """

    h: float
    slope_exact: float
    label: str
    slope_float64: float
    float64_label: str
    q: tuple[float, float]  # (a + h, f(a + h)), the secant's second point
    left_slope_exact: float | None = None
    left_label: str | None = None
    left_q: tuple[float, float] | None = None

    @property
    def h_tex(self) -> str:
        return h_tex(self.h)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "h": self.h,
            "slope_exact": self.slope_exact,
            "slope_float64": self.slope_float64,
            "q": list(self.q),
            "label": self.label,
            "float64_label": self.float64_label,
        }
        if self.left_q is not None:
            data |= {"left_slope_exact": self.left_slope_exact, "left_label": self.left_label, "left_q": list(self.left_q)}
        return data


def h_tex(h: float) -> str:
    """h as the table writes it: its decimal digits down to 0.001 (h is a float: the digits of the
    shortest decimal that reads back as it, e.g. 0.01), powers of ten below.

    >>> h_tex(0.01), h_tex(1e-12), h_tex(2.5e-7), h_tex(1.0)
    ('0.01', '10^{-12}', '2.5 \\\\cdot 10^{-7}', '1')
    """
    if h >= 1e-3:
        return _shortest(h)
    mantissa, _, exponent = f"{h!r}".partition("e")
    if not exponent:
        return scientific_tex(h, 3)
    return f"10^{{{int(exponent)}}}" if mantissa in ("1", "1.0") else rf"{mantissa} \cdot 10^{{{int(exponent)}}}"


def _shortest(value: float) -> str:
    """The shortest decimal that reads back as value (Python's repr), without a trailing .0."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class BreakdownRow:
    """One h of the float64 tail: the quotient float64 gives, its error, and the IEEE bound on that error.

    rounding_error = float64 quotient - exact secant slope at the same binary h, computed exactly
    and rounded once; its TeX and the quotient's digits are rounded once from the exact values.
    """

    h: float
    slope_exact: float
    slope_float64: float
    rounding_error: float
    rounding_error_tex: str
    error: float
    error_bound: float
    a_plus_h_equals_a: bool

    @property
    def good(self) -> bool:
        return abs(self.rounding_error) < GOOD_ERROR

    @property
    def float64_label(self) -> str:
        """The float64 quotient to 10 decimal places (a float: rounded from its exact binary value)."""
        return fixed_text(self.slope_float64, 10, keep_zeros=True)

    @property
    def h_tex(self) -> str:
        return h_tex(self.h)

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
    float64: Callable[..., Any]  # f evaluated in float64 as the user typed it
    f_a_exact: sympy.Expr
    derivative_exact: sympy.Expr | None  # None at a corner
    corner: Corner | None
    checkpoints: tuple[SecantCheckpoint, ...]
    window: Window
    curve_corners: tuple[float, ...]  # corners of f inside the window, where the drawn curve must bend sharply
    breakdown: tuple[BreakdownRow, ...] = field(default=())

    @property
    def has_breakdown(self) -> bool:
        return bool(self.breakdown)

    @property
    def f_a(self) -> float:
        return float(exact_fraction(self.f_a_exact))

    @property
    def derivative(self) -> float | None:
        """f'(a) rounded once to float; None where f has a corner at a."""
        return None if self.derivative_exact is None else float(exact_fraction(self.derivative_exact))

    @property
    def derivative_label(self) -> str:
        if self.derivative_exact is None:
            return ""
        return fixed_text(self.derivative_exact, TABLE_DECIMALS)

    @property
    def derivative_is_shown_exactly(self) -> bool:
        """True when derivative_label is f'(a) itself, not a rounding of it (then the clip writes \\approx)."""
        if self.derivative_exact is None:
            return False
        return exact_fraction(self.derivative_exact) == Fraction(self.derivative_label) and bool(
            sympy.sympify(self.derivative_exact).is_Rational
        )

    def corner_slope_tex(self, side: str) -> str:
        """A one-sided slope at the corner in TeX (\\infty for a cusp)."""
        assert self.corner is not None
        value = self.corner.left if side == "left" else self.corner.right
        if not np.isfinite(value):
            return r"-\infty" if value < 0 else r"\infty"
        return scientific_tex(value, 6)

    @property
    def function_tex(self) -> str:
        """f as the user typed it (term order and decimals kept)."""
        return tex_as_typed(self.params.function)

    @property
    def f_a_label(self) -> str:
        return fixed_text(self.f_a_exact, TABLE_DECIMALS)

    @property
    def a_label(self) -> str:
        return _shortest(self.params.a)

    @property
    def sides(self) -> tuple[int, ...]:
        """+1 for the secant through a + h; at a corner also -1, through a - h."""
        return (1,) if self.corner is None else (1, -1)

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
    def breakdown_reason_tex(self) -> list[str]:
        """Why the tail breaks, line by line in TeX, with the tail's own numbers."""
        if not self.breakdown:
            return []
        worst = max(self.breakdown, key=lambda row: abs(row.error))
        best = min(self.breakdown, key=lambda row: abs(row.error))
        lines = [
            r"\text{float64 keeps about 16 significant digits.}",
            r"\text{For tiny } h,\ f(a+h) \text{ and } f(a) \text{ share}",
            r"\text{almost all of them, so their difference}",
            r"\text{is mostly rounding error,}",
            r"\text{and dividing by a tiny } h \text{ magnifies it.}",
        ]
        lost = [row for row in self.breakdown if row.a_plus_h_equals_a]
        if lost:
            lines += [
                rf"\text{{At }} h = {lost[0].h_tex},\ a + h \text{{ rounds to }} a\text{{:}}",
                r"\text{the rise is } 0, \text{ so the quotient is } 0.",
            ]
        else:
            lines += [
                rf"\text{{Best here: }} h = {best.h_tex}.",
                rf"\text{{At }} h = {worst.h_tex} \text{{ the error is }} {scientific_tex(worst.error)}.",
            ]
        return lines

    @property
    def breakdown_reason(self) -> list[str]:
        """The same lines as plain words, for the captions."""
        return [_plain(line) for line in self.breakdown_reason_tex]

    def all_lines(self) -> list[tuple[tuple[float, float], tuple[float, float]]]:
        """Every secant at a checkpoint and the tangent (or one-sided rays): what the inset must not hide."""
        lines = [self.secant_through(c.h, side) for c in self.checkpoints for side in self.sides]
        lines += [self.tangent_segment(), *self.one_sided_rays()]
        return [line for line in lines if line is not None]

    def secant_through(self, h: float, side: int = 1) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The secant through (a, f(a)) and (a + side*h, f(a + side*h)), clipped to the plot window."""
        return line_in_box(self.params.a, self.f_a, self.live_slope(h, side), self.window)

    def tangent_segment(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        if self.derivative is None:
            return None
        return line_in_box(self.params.a, self.f_a, self.derivative, self.window)

    def one_sided_rays(self) -> list[tuple[tuple[float, float], tuple[float, float]]]:
        """At a corner: the two half-lines from (a, f(a)) with the left and right slopes, inside the window."""
        if self.corner is None:
            return []
        a, fa, (x_min, x_max, y_min, y_max) = self.params.a, self.f_a, self.window
        rays = []
        for slope, box in ((self.corner.left, (x_min, a, y_min, y_max)), (self.corner.right, (a, x_max, y_min, y_max))):
            segment = line_in_box(a, fa, slope, box)
            if segment is not None:
                rays.append(segment)
        return rays

    def live_point(self, h: float, side: int = 1) -> tuple[float, float]:
        """(a + side*h, f(a + side*h)) for a moving point between checkpoints."""
        x = self.params.a + side * h
        return x, float(self.expression(x))

    def live_slope(self, h: float, side: int = 1) -> float:
        """The secant slope in float64, for drawing the secant (h >= the last checkpoint, where float64 is fine)."""
        return forward_difference_float64(self.float64, self.params.a, side * h)

    def live_slope_shown(self, h: float, side: int = 1) -> float:
        """The exact secant slope at the binary side*h, rounded once to LIVE_SLOPE_DECIMALS places.

        A float whose own LIVE_SLOPE_DECIMALS-place text is those digits, for a DecimalNumber.
        """
        approximate = self._mp_secant(h, side)
        scaled = approximate * 10**LIVE_SLOPE_DECIMALS
        if abs(scaled - mpmath.floor(scaled) - mpmath.mpf(1) / 2) > mpmath.mpf(10) ** -20:
            return float(mpmath.nint(scaled) / 10**LIVE_SLOPE_DECIMALS)  # 40 digits decide the rounding
        exact = forward_difference_exact(self.expression.sympy_expr, self.params.a, side * h)  # near a tie: exactly
        return float(rounded_to_decimals(exact, LIVE_SLOPE_DECIMALS))

    def _mp_secant(self, h: float, side: int) -> mpmath.mpf:
        """The secant slope at the binary side*h to 40 digits (a fast stand-in for the exact value)."""
        function = self._mp_function
        step = mpmath.mpf(side * h)
        with mpmath.workdps(40 + max(0, int(-np.log10(h)))):
            a = mpmath.mpf(self.params.a)
            value = (function(a + step) - function(a)) / step
            return +(value.real if isinstance(value, mpmath.mpc) else value)

    @staticmethod
    def live_h_shown(h: float) -> tuple[float, int]:
        """h rounded once to LIVE_H_DIGITS significant digits: (mantissa, power of ten), 1 <= mantissa < 10."""
        mantissa, power = scientific_parts(h, LIVE_H_DIGITS)
        return float(mantissa), power

    def triangle(self, h: float, side: int = 1) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
        """Rise over run: (a, f(a)), the run's end (a + side*h, f(a)), the second point (a + side*h, f(a + side*h))."""
        x, y = self.live_point(h, side)
        return (self.params.a, self.f_a), (x, self.f_a), (x, y)

    def rise(self, h: float, side: int = 1) -> float:
        """f(a + side*h) - f(a) at 30 digits, rounded to float (for drawing at any h)."""
        return float(self._local_values(np.array([side * h]))[0])

    def local_curve(self, h: float, samples: int = 81, half: float | None = None) -> np.ndarray:
        """(u, f(a + u) - f(a)) for |u| <= half (default INSET_HALF_WIDTH_PER_H * h), for the inset.

        Local coordinates: in float64 while h is large enough that rounding f near a (about
        1e-16 |f|) stays far below a pixel of the inset; at 30 digits below that.
        """
        half = INSET_HALF_WIDTH_PER_H * h if half is None else half
        us = np.linspace(-half, half, samples)
        if h >= FLOAT64_INSET_BELOW * max(1.0, abs(self.params.a)):
            values = np.asarray(self.expression(self.params.a + us), dtype=float) - self.f_a
        else:
            values = self._local_values(us)
        return np.column_stack([us, values])

    def _local_values(self, us: np.ndarray) -> np.ndarray:
        function, a = self._mp_function, mpmath.mpf(self.params.a)
        with mpmath.workdps(30):
            fa = function(a)
            values = []
            for u in us:
                try:
                    value = function(a + mpmath.mpf(float(u))) - fa
                    values.append(float(value.real) if isinstance(value, mpmath.mpc) else float(value))
                except (ValueError, ZeroDivisionError):
                    values.append(float("nan"))
        return np.array(values)

    @property
    def _mp_function(self) -> Callable[[Any], Any]:
        cached = self.__dict__.get("_mp_cache")
        if cached is None:
            symbol = sympy.Symbol("x", real=True)
            cached = sympy.lambdify(symbol, self.expression.sympy_expr, modules="mpmath")
            object.__setattr__(self, "_mp_cache", cached)
        return cached

    @staticmethod
    def h_at(log10_h: float) -> float:
        return 10.0**log10_h

    def to_json(self) -> dict[str, Any]:
        p = self.params
        return {
            **plan_header(p, function=self.expression.text),
            "function_tex": self.function_tex,
            "a": p.a,
            "f_a": self.f_a,
            "derivative": self.derivative,
            "derivative_exists": self.corner is None,
            "corner": self.corner.to_json() if self.corner is not None else None,
            "derivative_function": str(self.expression.derivative().sympy_expr),
            "checkpoints": [c.to_json() for c in self.checkpoints],
            "float_breakdown": [row.to_json() for row in self.breakdown] if self.breakdown else None,
            "breakdown_reason": self.breakdown_reason or None,
            "window": list(self.window),
            "duration": self.duration,
            "poster_time": self.poster_time,
        }


def _plain(tex: str) -> str:
    """A TeX line of the breakdown reason as caption words."""
    words = tex.replace(r"\text{", "").replace("}", "").replace("{", "").replace(r"\ ", " ")
    return words.replace(r"\cdot 10^", "e").replace("  ", " ").strip()


def plan(params: SecantToTangentParams) -> SecantToTangentPlan:
    """Compute every number the clip shows."""
    expression = parse_expression(params.function)
    float64 = float64_as_typed(params.function)
    expr, a = expression.sympy_expr, params.a
    corner = corner_at(expr, a)
    _check_defined_as_typed(float64, params, corner is not None)
    checkpoints = tuple(_checkpoint(expression, float64, a, h, corner is not None) for h in params.hs)
    derivative = None if corner is not None else derivative_value(expr, a)
    h_max = max(params.hs)
    half = 1.5 * max(h_max, 0.5)
    window = curve_window(expression, a - half, a + half)
    breakdown: tuple[BreakdownRow, ...] = ()
    if params.float_breakdown and corner is None:
        breakdown = tuple(_breakdown_row(expression, float64, a, h) for h in params.breakdown_hs)
    f_a_exact = expr.subs(sympy.Symbol("x", real=True), sympy.Rational(a))
    return SecantToTangentPlan(
        params=params,
        expression=expression,
        float64=float64,
        f_a_exact=f_a_exact,
        derivative_exact=derivative,
        corner=corner,
        checkpoints=checkpoints,
        window=window,
        curve_corners=tuple(c.x for c in corners_between(expr, window[0], window[1])),
        breakdown=breakdown,
    )


def _check_defined_as_typed(float64: Callable[..., Any], params: SecantToTangentParams, both_sides: bool) -> None:
    """The function as typed must have a value at every point the clip evaluates: ``x/x`` is 1 to
    sympy but 0/0 at 0 as written, and its secants there do not exist."""
    a = params.a
    points = [("a", a)] + [("hs", a + h) for h in params.hs] + ([("hs", a - h) for h in params.hs] if both_sides else [])
    with np.errstate(all="ignore"):
        for field_name, point in points:
            value = float(float64(point))
            if not np.isfinite(value):
                raise ParamError(
                    f"f as typed ({params.function}) has no value at x = {point:g} (it evaluates to {value}, "
                    f"e.g. 0/0); choose another a or write f so it is defined there",
                    field=field_name,
                )


def _checkpoint(expression: Expression, float64: Callable[..., Any], a: float, h: float, both_sides: bool) -> SecantCheckpoint:
    expr = expression.sympy_expr
    exact = forward_difference_exact(expr, a, h)
    slope_float64 = forward_difference_float64(float64, a, h)
    left: dict[str, Any] = {}
    if both_sides:
        left_exact = forward_difference_exact(expr, a, -h)
        left = {
            "left_slope_exact": float(exact_fraction(left_exact)),
            "left_label": fixed_text(left_exact, TABLE_DECIMALS),
            "left_q": (a - h, float(expression(a - h))),
        }
    return SecantCheckpoint(
        h=h,
        slope_exact=float(exact_fraction(exact)),
        label=fixed_text(exact, TABLE_DECIMALS),
        slope_float64=slope_float64,
        float64_label=fixed_text(slope_float64, TABLE_DECIMALS),
        q=(a + h, float(expression(a + h))),
        **left,
    )


def _breakdown_row(expression: Expression, float64: Callable[..., Any], a: float, h: float) -> BreakdownRow:
    prediction = predicted_float64_error(expression.sympy_expr, float64, a, h)
    exact = exact_fraction(forward_difference_exact(expression.sympy_expr, a, h))
    rounding_error = Fraction(prediction.quotient) - exact
    return BreakdownRow(
        h=h,
        slope_exact=float(exact),
        slope_float64=prediction.quotient,
        rounding_error=float(rounding_error),
        rounding_error_tex=scientific_tex(rounding_error),
        error=prediction.error,
        error_bound=prediction.error_bound,
        a_plus_h_equals_a=prediction.x_plus == prediction.a,
    )
