"""Corners: points where f is continuous but its one-sided slopes differ, so f has no derivative.

relu(x), |x| and max/min of two smooth functions are smooth except where the switch changes
side (the argument of |.|, the difference of max's arguments crosses 0). There sympy's
derivative still returns a number (sign(0) = 0, Heaviside(0) = 1/2), which is not a slope of
anything. Here the slopes are taken from each side instead: f'(c - delta) and f'(c + delta) at
60 digits with delta = 1e-30, which are the one-sided derivatives of a piecewise smooth f.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy

#: Kinds of node whose derivative jumps where their switch crosses 0.
_SWITCHING = (sympy.Abs, sympy.Max, sympy.Min, sympy.Heaviside, sympy.sign)
_DIGITS = 60
_DELTA = sympy.Rational(1, 10**30)
#: One-sided slopes closer than this (relative to max(1, |slope|)) are one slope.
SAME_SLOPE = 1e-20
#: A one-sided slope this large is a vertical tangent, not a number to show.
STEEPEST = 1e12
#: Grid points per unit of x (at least 2001 in all) on which switches are searched for sign changes.
_GRID = 2001


@dataclass(frozen=True)
class Corner:
    """f has no derivative at x: its slope is `left` just left of x and `right` just right of it."""

    x: float
    left: float
    right: float

    def to_json(self) -> dict[str, float | None]:
        """Infinite slopes (a cusp) are null: JSON has no infinity."""
        return {
            "x": self.x,
            "left_slope": self.left if math.isfinite(self.left) else None,
            "right_slope": self.right if math.isfinite(self.right) else None,
        }


def has_switches(expr: sympy.Expr) -> bool:
    """True when expr uses |.|, max, min (relu) or a step, so its derivative can jump.

    >>> x = sympy.Symbol("x", real=True)
    >>> has_switches(sympy.Max(0, x)), has_switches(sympy.sin(x))
    (True, False)
    """
    return any(expr.has(kind) for kind in _SWITCHING)


def _variable(expr: sympy.Expr) -> sympy.Symbol | None:
    symbols = sorted(expr.free_symbols, key=str)
    return symbols[0] if len(symbols) == 1 else None


def one_sided_slopes(expr: sympy.Expr, a: Any) -> tuple[float, float]:
    """(left, right) derivatives of f at a (a float is taken as its exact binary value).

    >>> x = sympy.Symbol("x", real=True)
    >>> one_sided_slopes(sympy.Max(0, x), 0.0), one_sided_slopes(sympy.Abs(x - 1), 1.0)
    ((0.0, 1.0), (-1.0, 1.0))
    >>> one_sided_slopes(x**2, 1.5)
    (3.0, 3.0)
    """
    left, right = _raw_slopes(expr, a if isinstance(a, sympy.Basic) else sympy.Rational(float(a)))
    return _rounded(left), _rounded(right)


def _raw_slopes(expr: sympy.Expr, point: sympy.Expr) -> tuple[float, float]:
    """f' just left and just right of point, at 60 digits, rounded once to float."""
    x = _variable(expr)
    if x is None:
        return 0.0, 0.0
    slope = sympy.diff(expr, x)
    left, right = (_real(slope.subs(x, point + side * _DELTA).evalf(_DIGITS)) for side in (-1, 1))
    return left, right


def corner_at(expr: sympy.Expr, a: Any) -> Corner | None:
    """The corner at a, or None where the slopes from both sides agree (f is differentiable at a).

    >>> x = sympy.Symbol("x", real=True)
    >>> corner_at(sympy.Max(0, x), 0.0), corner_at(sympy.Max(0, x), 0.5)
    (Corner(x=0.0, left=0.0, right=1.0), None)
    """
    if not has_switches(expr):
        return None
    left, right = _raw_slopes(expr, a if isinstance(a, sympy.Basic) else sympy.Rational(float(a)))
    if _same(left, right):
        return None
    return Corner(float(a), _rounded(left), _rounded(right))


def corners_between(expr: sympy.Expr, lo: float, hi: float) -> list[Corner]:
    """Every corner of f with lo <= x <= hi, left to right, at the float nearest each.

    >>> x = sympy.Symbol("x", real=True)
    >>> corners_between(sympy.Abs(x) + sympy.Max(x - 1, 0), -3.0, 3.0)
    [Corner(x=0.0, left=-1.0, right=1.0), Corner(x=1.0, left=1.0, right=2.0)]
    >>> corners_between(sympy.Abs(x) ** 2, -1.0, 1.0)
    []
    """
    x = _variable(expr)
    if x is None or not has_switches(expr):
        return []
    found: list[Corner] = []
    for switch in _switches(expr):
        for root in _roots(switch, x, lo, hi):
            corner = _corner_at_root(expr, x, root)
            if corner is not None and all(abs(corner.x - c.x) > 1e-12 * max(1.0, abs(c.x)) for c in found):
                found.append(corner)
    return sorted(found, key=lambda c: c.x)


def _switches(expr: sympy.Expr) -> list[sympy.Expr]:
    """The expressions whose sign picks a branch: |u| -> u, max(p, q) -> p - q, ..."""
    switches = []
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, (sympy.Abs, sympy.Heaviside, sympy.sign)):
            switches.append(node.args[0])
        elif isinstance(node, (sympy.Max, sympy.Min)):
            args = node.args
            switches += [args[i] - args[j] for i in range(len(args)) for j in range(i + 1, len(args))]
    return switches


def _roots(switch: sympy.Expr, x: sympy.Symbol, lo: float, hi: float) -> list[mpmath.mpf]:
    """Where the switch changes sign on [lo, hi], each refined by bisection at 60 digits."""
    if not switch.has(x):
        return []
    function = sympy.lambdify(x, switch, modules="mpmath")
    count = max(_GRID, int(200 * (hi - lo)) + 1)
    with mpmath.workdps(30):
        grid = [mpmath.mpf(v) for v in np.linspace(lo, hi, count)]
        values = [_value_or_nan(function, v) for v in grid]
    roots: list[mpmath.mpf] = []
    for (x0, v0), (x1, v1) in zip(zip(grid, values), zip(grid[1:], values[1:])):
        if v0 == 0:
            roots.append(x0)
        elif not (mpmath.isnan(v0) or mpmath.isnan(v1)) and v0 * v1 < 0:
            roots.append(_bisect(function, x0, x1))
    if values and values[-1] == 0:
        roots.append(grid[-1])
    return roots


def _value_or_nan(function: Any, point: mpmath.mpf) -> mpmath.mpf:
    try:
        value = function(point)
    except (ValueError, ZeroDivisionError, TypeError):
        return mpmath.nan
    if isinstance(value, mpmath.mpc):
        return mpmath.nan if value.imag != 0 else value.real
    return mpmath.mpf(value)


def _bisect(function: Any, lo: mpmath.mpf, hi: mpmath.mpf) -> mpmath.mpf:
    with mpmath.workdps(_DIGITS):
        f_lo = function(lo)
        for _ in range(220):  # 2^-220 of a grid step: far below 60 digits
            mid = (lo + hi) / 2
            f_mid = function(mid)
            if f_mid == 0:
                return mid
            if (f_mid < 0) == (f_lo < 0):
                lo, f_lo = mid, f_mid
            else:
                hi = mid
        return (lo + hi) / 2


def _corner_at_root(expr: sympy.Expr, x: sympy.Symbol, root: mpmath.mpf) -> Corner | None:
    left, right = _raw_slopes(expr, sympy.Float(root, _DIGITS))
    if _same(left, right):
        return None
    return Corner(float(root), _rounded(left), _rounded(right))


def _real(value: sympy.Expr) -> float:
    try:
        z = complex(value)
    except (TypeError, ValueError):
        return math.nan
    return z.real if abs(z.imag) <= 1e-30 * max(1.0, abs(z.real)) else math.nan


def _rounded(value: float) -> float:
    """A slope to 12 significant digits (delta = 1e-30 leaves 1 + 1e-30, not a number to show);
    below 1e-15 it is 0 (x**3 just left of 0), at STEEPEST or more it is infinite (a cusp)."""
    if not math.isfinite(value):
        return value
    if abs(value) >= STEEPEST:
        return math.copysign(math.inf, value)
    return 0.0 if abs(value) < 1e-15 else float(f"{value:.12g}")


def _same(left: float, right: float) -> bool:
    if not (math.isfinite(left) and math.isfinite(right)):
        return False
    return abs(left - right) <= SAME_SLOPE * max(1.0, abs(left), abs(right))
