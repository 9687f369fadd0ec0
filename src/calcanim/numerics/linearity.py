"""Local linearity: zoom into y = f(x) at x = a (both axes equally) and measure how straight it looks.

For a differentiable f the largest gap between the curve and its tangent over [a - w, a + w]
is about |f''(a)| w^2 / 2, so gap / w (the gap as a fraction of the visible window) shrinks
like w. At a corner (|x| at 0) no line fits and gap / w stays put at every zoom.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from calcanim.errors import ParamError
from calcanim.numerics.alarm import TimeUp, alarm_available, call_with_alarm
from calcanim.numerics.exact_numbers import exact_decimal

#: Grid points on [a - w, a + w] (endpoints included) used to find the largest gap.
GAP_GRID_POINTS = 2001

#: Time budget, in seconds, for sympy.limit of both one-sided quotients before falling back to numerics.
SYMPY_LIMIT_SECONDS = 0.5

#: Relative tolerance of the numeric one-sided derivative check (50-digit evaluation).
NUMERIC_SLOPE_TOLERANCE = 1e-9

#: Steps of the numeric one-sided check: far below float64 resolution, fine at 50 digits.
_NUMERIC_STEPS = (sympy.Rational(1, 10**16), sympy.Rational(1, 10**20))
_NUMERIC_DIGITS = 50

#: Functions whose sympy derivative is wrong or undefined at isolated points (sign(0) = 0, ...).
_NON_SMOOTH = (
    sympy.Abs,
    sympy.sign,
    sympy.Heaviside,
    sympy.Piecewise,
    sympy.floor,
    sympy.ceiling,
    sympy.frac,
    sympy.Min,
    sympy.Max,
    sympy.re,
    sympy.im,
    sympy.arg,
)


@dataclass(frozen=True)
class ZoomCheckpoint:
    """One zoom level: the window half width w, the largest curve-to-line gap, and gap / w."""

    zoom: float
    half_width: float
    max_gap: float
    relative_gap: float

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# --- zoom gaps (numpy callables) ---------------------------------------------------------------


def _values(f: Callable[[np.ndarray], Any], xs: np.ndarray) -> np.ndarray:
    """f on xs as a float array (nan where f is undefined), whatever shape f returns."""
    with np.errstate(all="ignore"):
        ys = np.asarray(f(xs), dtype=float)
    return np.broadcast_to(ys, xs.shape).astype(float)


def _fallback_slope(f: Callable[[np.ndarray], Any], a: float, w: float, fa: float) -> float:
    """Slope of the best line through (a, f(a)) when f'(a) does not exist: the secant over the window.

    The symmetric secant (f(a + w) - f(a - w)) / 2w is used; when f is undefined on one side
    (sqrt at 0) the one-sided secant from (a, f(a)) to the defined end is used instead.
    For |x| at 0 this is the flat line y = 0, which is the minimax line through the corner.
    """
    left, right = _values(f, np.array([a - w, a + w]))
    if math.isfinite(left) and math.isfinite(right):
        return float((right - left) / (2.0 * w))
    if math.isfinite(right):
        return float((right - fa) / w)
    if math.isfinite(left):
        return float((fa - left) / w)
    raise ParamError(f"f is undefined on both sides of a = {a} at half width {w}")


def zoom_checkpoints(
    f: Callable[[np.ndarray], Any],
    a: float,
    slope: float | None,
    zooms: Iterable[float],
    base_half_width: float,
) -> list[ZoomCheckpoint]:
    """Largest gap between f and the line through (a, f(a)) in the window of each zoom, and gap / w.

    w = base_half_width / zoom; the gap is maximised over GAP_GRID_POINTS points on [a - w, a + w]
    (ends included), ignoring points where f is undefined. slope None means f'(a) does not
    exist: each window then uses its secant slope (see _fallback_slope), so a corner keeps
    gap / w of order 1 at every zoom.

    >>> [round(c.relative_gap, 6) for c in zoom_checkpoints(np.abs, 0.0, None, [1, 1000], 1.0)]
    [1.0, 1.0]
    """
    if not (math.isfinite(base_half_width) and base_half_width > 0.0):
        raise ParamError(f"base_half_width must be a positive number, got {base_half_width!r}")
    fa = float(_values(f, np.array([float(a)]))[0])
    if not math.isfinite(fa):
        raise ParamError(f"f is undefined at a = {a}")
    checkpoints = []
    for zoom in zooms:
        if not (math.isfinite(zoom) and zoom > 0.0):
            raise ParamError(f"zoom factors must be positive numbers, got {zoom!r}")
        w = base_half_width / zoom
        m = _fallback_slope(f, a, w, fa) if slope is None else float(slope)
        xs = np.linspace(a - w, a + w, GAP_GRID_POINTS)
        with np.errstate(all="ignore"):
            gaps = np.abs(_values(f, xs) - (fa + m * (xs - a)))
        max_gap = float(np.nanmax(gaps)) if np.any(np.isfinite(gaps)) else math.nan
        checkpoints.append(ZoomCheckpoint(float(zoom), w, max_gap, max_gap / w))
    return checkpoints


# --- exact slopes (sympy expressions) ----------------------------------------------------------


class _NoTimer(Exception):
    """A time limit cannot be set here (not the main thread, no setitimer, or a timer already runs)."""


def _call_with_time_limit(func: Callable[[], Any], seconds: float) -> Any:
    """func() under a SIGALRM time limit; raises TimeUp when it runs out, _NoTimer if none can be set."""
    if not alarm_available():
        raise _NoTimer
    return call_with_alarm(func, seconds)


def _variable(expr: sympy.Expr) -> sympy.Symbol | None:
    """The one free symbol of expr (x in practice); None for a constant."""
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    if not symbols:
        return None
    if len(symbols) > 1:
        raise ParamError(f"expected an expression in x only, got {expr} with symbols {symbols}")
    return symbols[0]



def _finite_real(value: sympy.Expr) -> float | None:
    """value as a float when it is a finite real number, else None (complex, infinite, nan, symbolic)."""
    if isinstance(value, sympy.Basic) and value.has(sympy.Derivative, sympy.Subs, sympy.Limit):
        return None  # sympy could not evaluate it (diff(floor(x)), ...): not a number we can trust
    try:
        z = complex(sympy.N(value, 30))
    except Exception:  # sympy cannot turn it into a number: not one we can trust
        return None
    if not (math.isfinite(z.real) and math.isfinite(z.imag)):
        return None
    if abs(z.imag) > 1e-12 * max(1.0, abs(z.real)):
        return None
    return z.real


def _one_sided_sympy(
    expr: sympy.Expr, x: sympy.Symbol, a: sympy.Expr, fa: sympy.Expr
) -> tuple[float | None, float | None]:
    """Right and left derivatives as limits h -> 0+ (None: not a finite real number).

    Both sides use a positive h (a + h and a - h), so Abs, sign and Piecewise conditions resolve
    before the limit: sympy.limit(..., dir="-") mishandles Piecewise.
    """
    h = sympy.Dummy("h", positive=True)
    right = sympy.limit((expr.subs(x, a + h) - fa) / h, h, 0, dir="+")
    left = sympy.limit((fa - expr.subs(x, a - h)) / h, h, 0, dir="+")
    return _finite_real(right), _finite_real(left)


def _one_sided_numeric(expr: sympy.Expr, x: sympy.Symbol, a: sympy.Expr, fa: sympy.Expr) -> float | None:
    """f'(a) from 50-digit one-sided quotients at h = 1e-16 and 1e-20, or None if they disagree.

    Both sides must settle (the two steps agree) and match each other to NUMERIC_SLOPE_TOLERANCE
    relative to max(1, |slope|); a corner, a cusp or an infinite slope fails that.
    """
    sides = []
    for direction in (1, -1):
        quotients = []
        for step in _NUMERIC_STEPS:
            h = direction * step
            q = _finite_real(((expr.subs(x, a + h) - fa) / h).evalf(_NUMERIC_DIGITS))
            if q is None:
                return None
            quotients.append(q)
        if abs(quotients[0] - quotients[1]) > NUMERIC_SLOPE_TOLERANCE * max(1.0, abs(quotients[1])):
            return None
        sides.append(quotients[1])
    right, left = sides
    if abs(right - left) > NUMERIC_SLOPE_TOLERANCE * max(1.0, abs(right), abs(left)):
        return None
    return 0.5 * (right + left)


def _has_non_smooth_parts(expr: sympy.Expr) -> bool:
    """True when expr uses a function whose sympy derivative can be wrong at isolated points."""
    return any(expr.has(kind) for kind in _NON_SMOOTH)


def _derivative(expr: sympy.Expr, x: sympy.Symbol, a: sympy.Expr, fa: sympy.Expr) -> float | None:
    """f'(a) given the exact value f(a), or None where the two one-sided derivatives are not one finite number."""
    derivative_there = _finite_real(sympy.diff(expr, x).subs(x, a))
    if derivative_there is not None and not _has_non_smooth_parts(expr):
        return derivative_there
    try:
        right, left = _call_with_time_limit(lambda: _one_sided_sympy(expr, x, a, fa), SYMPY_LIMIT_SECONDS)
    except (TimeUp, Exception):  # timeout, no timer (_NoTimer), or any sympy failure (PoleError, ...)
        return _one_sided_numeric(expr, x, a, fa)
    if right is None or left is None:
        return None
    if abs(right - left) > 1e-12 * max(1.0, abs(right)):
        return None
    return right


def _real_form(expr: sympy.Expr) -> tuple[sympy.Expr, sympy.Symbol | None]:
    """expr rewritten in a real symbol x (so Abs differentiates to sign), with that symbol."""
    expr = sympy.sympify(expr)
    variable = _variable(expr)
    if variable is None:
        return expr, None
    x_real = sympy.Symbol(variable.name, real=True)
    return expr.subs(variable, x_real), x_real


def derivative_at(expr: sympy.Expr, a: float | sympy.Expr) -> float | None:
    """Exact f'(a) from sympy, or None where f'(a) does not exist (corner, cusp, infinite slope, undefined).

    Smooth expressions (no Abs, sign, Piecewise, floor, Min/Max, ...) whose derivative is finite
    at a take the fast path diff-then-substitute. Otherwise the one-sided limits of
    (f(a + h) - f(a)) / h must agree; sympy.limit gets SYMPY_LIMIT_SECONDS for both (main
    thread only), and on a timeout or failure a 50-digit numeric one-sided check decides.

    >>> x = sympy.Symbol("x")
    >>> derivative_at(x**2, 1.0), derivative_at(sympy.Abs(x), 0.0), derivative_at(sympy.sqrt(x), 0.0)
    (2.0, None, None)
    """
    expr, x = _real_form(expr)
    if x is None:
        return 0.0 if _finite_real(expr) is not None else None
    a_exact = exact_decimal(a)
    fa = expr.subs(x, a_exact)
    if _finite_real(fa) is None:
        return None
    return _derivative(expr, x, a_exact, fa)


def second_derivative_at(expr: sympy.Expr, a: float | sympy.Expr) -> float | None:
    """Exact f''(a), or None where f'(a) or f''(a) does not exist (x|x| at 0 has f' but no f'').

    >>> x = sympy.Symbol("x")
    >>> second_derivative_at(x**3, 2.0), second_derivative_at(x * sympy.Abs(x), 0.0)
    (12.0, None)
    """
    expr, x = _real_form(expr)
    if x is None:
        return 0.0 if _finite_real(expr) is not None else None
    first = derivative_at(expr, a)
    if first is None:
        return None
    a_exact = exact_decimal(a)
    derivative = sympy.diff(expr, x)
    exact_first = derivative.subs(x, a_exact)
    if _has_non_smooth_parts(expr) or _finite_real(exact_first) is None:
        # diff() can be wrong exactly at a (sign(0) = 0): use the checked value of f'(a) instead.
        exact_first = sympy.Float(first, 30)
    return _derivative(derivative, x, a_exact, exact_first)


# --- windows ---------------------------------------------------------------------------------------


def visible_window(
    a: float, fa: float, half_width: float, aspect: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """x_range and y_range centred on (a, f(a)) with equal scale on both axes (aspect = width / height).

    >>> visible_window(1.0, 1.0, 0.5, 2.0)
    ((0.5, 1.5), (0.75, 1.25))
    """
    if not (half_width > 0.0 and aspect > 0.0):
        raise ParamError(f"half_width and aspect must be positive, got {half_width!r}, {aspect!r}")
    half_height = half_width / aspect
    return (a - half_width, a + half_width), (fa - half_height, fa + half_height)


def unequal_window(
    a: float, fa: float, half_width: float, aspect: float, base_half_width: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The contrast window: x zoomed to half_width but y kept at zoom 1 (base_half_width / aspect).

    >>> unequal_window(1.0, 1.0, 0.01, 2.0, 1.0)
    ((0.99, 1.01), (0.5, 1.5))
    """
    x_range, _ = visible_window(a, fa, half_width, aspect)
    _, y_range = visible_window(a, fa, base_half_width, aspect)
    return x_range, y_range


# --- drawing inside a window -------------------------------------------------------------------


def clip_polyline(xs: np.ndarray, ys: np.ndarray, y_low: float, y_high: float) -> list[np.ndarray]:
    """The parts of the polyline (xs, ys) inside y_low <= y <= y_high, as (n, 2) arrays of points.

    Segments that cross the window's top or bottom are cut exactly at the edge; non-finite
    values (poles, undefined points) break the line. Parts with fewer than two points are dropped.

    >>> [p.tolist() for p in clip_polyline(np.array([0.0, 1.0, 2.0]), np.array([0.0, 2.0, 0.0]), -1.0, 1.0)]
    [[[0.0, 0.0], [0.5, 1.0]], [[1.5, 1.0], [2.0, 0.0]]]
    """
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    if not y_low < y_high:
        raise ParamError(f"need y_low < y_high, got {y_low!r}, {y_high!r}")
    finite = np.isfinite(xs) & np.isfinite(ys)
    inside = finite & (ys >= y_low) & (ys <= y_high)
    parts: list[np.ndarray] = []
    current: list[tuple[float, float]] = []

    def edge_point(i: int, j: int) -> tuple[float, float]:
        """Where segment i -> j (i inside, j outside but finite) meets the edge it crosses."""
        edge = y_high if ys[j] > y_high else y_low
        t = (edge - ys[i]) / (ys[j] - ys[i])
        return float(xs[i] + t * (xs[j] - xs[i])), float(edge)

    def close() -> None:
        if len(current) >= 2:
            parts.append(np.array(current))
        current.clear()

    for i in range(len(xs)):
        if inside[i]:
            if not current and i > 0 and finite[i - 1]:
                current.append(edge_point(i, i - 1))
            current.append((float(xs[i]), float(ys[i])))
        elif current:
            if finite[i]:
                current.append(edge_point(i - 1, i))
            close()
        elif i > 0 and finite[i] and finite[i - 1] and (ys[i] - y_high) * (ys[i - 1] - y_high) < 0 \
                and (ys[i] - y_low) * (ys[i - 1] - y_low) < 0:
            # Both ends outside on opposite sides: the segment crosses the whole window.
            low_end, high_end = sorted((i - 1, i), key=lambda k: ys[k])
            enter = (y_low - ys[low_end]) / (ys[high_end] - ys[low_end])
            leave = (y_high - ys[low_end]) / (ys[high_end] - ys[low_end])
            points = [
                (float(xs[low_end] + t * (xs[high_end] - xs[low_end])), edge)
                for t, edge in ((enter, y_low), (leave, y_high))
            ]
            parts.append(np.array(sorted(points)))
    close()
    return parts


def line_in_window(
    x0: float, y0: float, slope: float, x_range: tuple[float, float], y_range: tuple[float, float]
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """End points of the line through (x0, y0) with the given slope, cut to the window; None if it misses.

    >>> line_in_window(0.0, 1.0, 1.0, (-2.0, 2.0), (-1.0, 5.0))
    ((-2.0, -1.0), (2.0, 3.0))
    >>> line_in_window(0.0, 1.0, 10.0, (-2.0, 2.0), (-1.0, 5.0))
    ((-0.2, -1.0), (0.4, 5.0))
    """
    (x_lo, x_hi), (y_lo, y_hi) = x_range, y_range
    t_lo, t_hi = x_lo, x_hi
    if slope != 0.0:
        a, b = x0 + (y_lo - y0) / slope, x0 + (y_hi - y0) / slope
        t_lo, t_hi = max(t_lo, min(a, b)), min(t_hi, max(a, b))
    elif not y_lo <= y0 <= y_hi:
        return None
    if t_lo > t_hi:
        return None
    ends = [(t, min(max(y0 + slope * (t - x0), y_lo), y_hi)) for t in (t_lo, t_hi)]
    return (ends[0][0] + 0.0, ends[0][1] + 0.0), (ends[1][0] + 0.0, ends[1][1] + 0.0)
