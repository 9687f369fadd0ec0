"""Secant to tangent: (f(a + h) - f(a)) / h -> f'(a) as h shrinks, until float64 rounding takes over.

The lesson's f(x) = 3x^2 - 4x + 5 has f'(3) = 14 and exact secant slope 14 + 3h at a = 3.
In float64 the quotient first improves, then (h below about 1e-8) rounding of a + h and of
f(a + h), f(a) dominates, and once a + h == a it is exactly 0. Everything here compares the
float64 result with exact rational arithmetic on the same binary inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeAlias

import numpy as np
import sympy

from calcanim.errors import ParamError
from calcanim.numerics.exact_numbers import exact_binary
from calcanim.numerics.one_variable import single_variable

#: float64 machine epsilon, 2^-52 (the gap between 1 and the next float).
EPS = 2.0**-52

#: Digits used when an exact value is not rational (exp, sin, ...) and must be turned into a float.
_DIGITS = 40

ExactNumber: TypeAlias = "Fraction | sympy.Expr"




def _as_fraction_or_expr(value: sympy.Expr) -> ExactNumber:
    """A sympy Rational as a Fraction; any other exact value unchanged."""
    if isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    return value


def _to_float(value: ExactNumber) -> float:
    """The float nearest to an exact value (correctly rounded for rationals)."""
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, sympy.Rational):
        return float(Fraction(int(value.p), int(value.q)))
    return float(sympy.N(value, _DIGITS))


def _checked_step(h: float) -> float:
    """h as a float, or ParamError when the quotient is undefined (h = 0) or h is not finite."""
    step = float(h)
    if step == 0.0 or not math.isfinite(step):
        raise ParamError(f"h must be a nonzero finite number, got {h!r}")
    return step


def _exact_value(expr: sympy.Expr, point: Any) -> sympy.Expr:
    """f(point) exactly (a Rational for polynomials at rational points)."""
    return expr.subs(single_variable(expr), exact_binary(point))


def _sym(value: ExactNumber) -> sympy.Expr:
    """A Fraction or sympy value as a sympy value, for mixed exact arithmetic."""
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    return sympy.sympify(value)


def forward_difference_float64(f: Callable[[Any], Any], a: float, h: float) -> float:
    """(f(a + h) - f(a)) / h in plain float64, the naive way the lesson computes it.

    >>> f = lambda x: 3 * x**2 - 4 * x + 5
    >>> forward_difference_float64(f, 3.0, 0.5)
    15.5
    >>> forward_difference_float64(f, 3.0, 1e-16)
    0.0
    """
    a64, h64 = np.float64(a), np.float64(_checked_step(h))
    return float((np.float64(f(a64 + h64)) - np.float64(f(a64))) / h64)


def forward_difference_exact(expr: sympy.Expr, a: float | Fraction, h: float | Fraction) -> ExactNumber:
    """The secant slope (f(a + h) - f(a)) / h in exact arithmetic, a and h taken as their exact binary values.

    A Fraction when f is rational (polynomials), else an exact sympy number.

    >>> x = sympy.Symbol("x")
    >>> forward_difference_exact(3 * x**2 - 4 * x + 5, 3.0, 0.5)
    Fraction(31, 2)
    """
    a_exact, h_exact = exact_binary(a), exact_binary(h)
    if h_exact == 0:
        raise ParamError(f"h must be nonzero, got {h!r}")
    quotient = (_exact_value(expr, a_exact + h_exact) - _exact_value(expr, a_exact)) / h_exact
    return _as_fraction_or_expr(quotient)


def derivative_value(expr: sympy.Expr, a: Any) -> sympy.Expr:
    """f'(a) exactly via sympy (floats are taken as their exact binary value).

    >>> x = sympy.Symbol("x")
    >>> derivative_value(3 * x**2 - 4 * x + 5, 3), derivative_value(3 * x**2 - 4 * x + 5, sympy.Rational(2, 3))
    (14, 0)
    """
    x = single_variable(expr)
    return sympy.diff(expr, x).subs(x, exact_binary(a))


def evaluation_scale(expr: sympy.Expr, a: Any) -> float:
    """S = sum of |term(a)| over the additive terms of expand(f): the size float64 rounds while computing f(a).

    With no cancellation S = |f(a)|; for 3x^2 - 4x + 5 at 3 it is 27 + 12 + 5 = 44.
    """
    point = exact_binary(a)
    terms = sympy.Add.make_args(sympy.expand(expr))
    x = single_variable(expr)
    return sum(abs(_to_float(_as_fraction_or_expr(term.subs(x, point)))) for term in terms)


@dataclass(frozen=True)
class Float64Prediction:
    """The float64 forward difference step by step, and what exact arithmetic says about each step.

    x_plus = fl(a + h); h_effective = x_plus - a exactly (the step actually taken);
    f_plus, f_a = the float64 values f returns; numerator = fl(f_plus - f_a);
    quotient = fl(numerator / h), the float64 result; reproduced_quotient = the exact
    (f_plus - f_a) / h rounded once to float64, which equals quotient whenever the
    subtraction is exact (Sterbenz: f_plus and f_a within a factor 2). The error of the
    quotient against f'(a) splits exactly into truncation (exact secant at the binary h
    minus f'(a)), step rounding (h_effective != h), evaluation rounding (f_plus, f_a) and the
    rounding of the final division (at most half an ulp of the quotient).
    """

    a: float
    h: float
    x_plus: float
    h_effective: Fraction
    f_plus: float
    f_a: float
    numerator: float
    quotient: float
    reproduced_quotient: float
    exact_secant: float
    derivative: float
    error: float
    truncation_error: float
    step_rounding_error: float
    evaluation_rounding_error: float
    division_rounding_error: float
    error_bound: float

    def to_json(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values["h_effective"] = float(self.h_effective)
        return values


def float64_error_bound(expr: sympy.Expr, a: float, h: float) -> float:
    """Bound on |float64 quotient - f'(a)|: about 2 eps S / |h| + |f'| ulp(a) / (2|h|) + |f''| |h| / 2.

    Rounding: each float64 evaluation of f is off by at most about eps * S (S = evaluation_scale,
    = |f(a)| without cancellation), so the numerator by 2 eps S; rounding a + h moves the step
    by at most half an ulp, which changes f(a + h) by |f'| ulp / 2. Truncation is taken exactly
    as |exact secant - f'(a)| (= |f''| |h| / 2 for a quadratic). A final eps-relative term covers
    the division. Assumes f evaluates expr term by term in float64.
    """
    step = _checked_step(h)
    derivative = derivative_value(expr, a)
    slope = abs(_to_float(_as_fraction_or_expr(derivative)))
    truncation = abs(_to_float(_as_fraction_or_expr(_sym(forward_difference_exact(expr, a, step)) - derivative)))
    scale = evaluation_scale(expr, a)
    ulp = max(math.ulp(float(a)), math.ulp(float(a) + step))
    rounding = (2.0 * EPS * scale + 0.5 * ulp * (slope + 2.0 * truncation)) / abs(step)
    return rounding + truncation + EPS * (slope + truncation + rounding)


def predicted_float64_error(expr: sympy.Expr, f: Callable[[Any], Any], a: float, h: float) -> Float64Prediction:
    """The float64 forward difference step by step, recomputed from its rounded intermediates exactly.

    >>> x = sympy.Symbol("x")
    >>> p = predicted_float64_error(3 * x**2 - 4 * x + 5, lambda t: 3 * t**2 - 4 * t + 5, 3.0, 1e-16)
    >>> p.x_plus == 3.0, p.quotient, p.error
    (True, 0.0, -14.0)
    """
    a64, h64 = np.float64(a), np.float64(_checked_step(h))
    x_plus = a64 + h64
    f_plus, f_a = np.float64(f(x_plus)), np.float64(f(a64))
    numerator = f_plus - f_a
    quotient = float(numerator / h64)

    a_q, h_q, x_plus_q = Fraction(float(a64)), Fraction(float(h64)), Fraction(float(x_plus))
    f_plus_q, f_a_q = Fraction(float(f_plus)), Fraction(float(f_a))
    reproduced = float((f_plus_q - f_a_q) / h_q)

    f_a_exact = _exact_value(expr, a_q)
    f_plus_exact = _exact_value(expr, x_plus_q)
    f_step_exact = _exact_value(expr, a_q + h_q)
    derivative = derivative_value(expr, a_q)
    exact_secant = _sym(forward_difference_exact(expr, a_q, h_q))
    h_s = _sym(h_q)

    def as_float(value: sympy.Expr) -> float:
        return _to_float(_as_fraction_or_expr(value))

    return Float64Prediction(
        a=float(a64),
        h=float(h64),
        x_plus=float(x_plus),
        h_effective=x_plus_q - a_q,
        f_plus=float(f_plus),
        f_a=float(f_a),
        numerator=float(numerator),
        quotient=quotient,
        reproduced_quotient=reproduced,
        exact_secant=as_float(exact_secant),
        derivative=as_float(derivative),
        error=as_float(_sym(Fraction(quotient)) - derivative),
        truncation_error=as_float(exact_secant - derivative),
        step_rounding_error=as_float((f_plus_exact - f_step_exact) / h_s),
        evaluation_rounding_error=as_float(((_sym(f_plus_q) - f_plus_exact) - (_sym(f_a_q) - f_a_exact)) / h_s),
        division_rounding_error=float(Fraction(quotient) - (f_plus_q - f_a_q) / h_q),
        error_bound=float64_error_bound(expr, float(a64), float(h64)),
    )


def secant_checkpoints(
    expr: sympy.Expr, f: Callable[[Any], Any], a: float, hs: Iterable[float]
) -> list[dict[str, float]]:
    """For each h: the exact secant slope (as a float) and the float64 one, side by side."""
    return [
        {
            "h": float(h),
            "slope_exact": _to_float(forward_difference_exact(expr, a, h)),
            "slope_float64": forward_difference_float64(f, a, h),
        }
        for h in hs
    ]
