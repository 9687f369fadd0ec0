"""Zooming in local coordinates: u = x - a and v = f(a + u) - f(a), evaluated precisely enough that
every digit a zoom clip shows is right, however deep the zoom and however far the point from 0.

In float64, f(a + u) - f(a) - f'(a) u cancels catastrophically at deep zooms: for x^2 at a = 1000
and w = 2e-6 the true gap w^2 = 4e-12 is below one ulp of f(a) = 10^6 (1.2e-10). Here every
quantity is evaluated with mpmath from the exact point (the shortest decimal of the float a user
typed) and the gaps are recomputed at higher precision until two precisions agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy

from calcanim.errors import ParamError
from calcanim.numerics.exact_numbers import exact_decimal
from calcanim.numerics.linearity import GAP_GRID_POINTS, ZoomCheckpoint

#: Significant digits two precisions must agree on before a gap is accepted (the clip shows 3).
GAP_AGREEMENT_DIGITS = 8
#: Working precision (decimal digits) of the first pass, the step between passes, and the cap.
START_DIGITS = 30
MAX_DIGITS = 640
#: From this precision on, a gap that stays at the rounding floor of two passes is zero (f is a line).
ZERO_CHECK_DIGITS = 100
ZERO_GAP = mpmath.mpf(10) ** (-(MAX_DIGITS // 2))
#: The float64 curve is used while its rounding error stays below this fraction of the window's height.
FLOAT_CURVE_TOLERANCE = 1e-4
#: Seconds sympy gets to find where f is discontinuous in a window.
DOMAIN_SECONDS = 0.5
#: |f| this many times larger than the window's other values next to a break point counts as a pole.
POLE_FACTOR = 1e12



def _mp(value: sympy.Expr) -> mpmath.mpf:
    """An exact sympy number as an mpf at the current working precision."""
    if value.is_Rational:
        return mpmath.mpf(int(value.p)) / int(value.q)
    return mpmath.mpf(sympy.N(value, mpmath.mp.dps + 5))


@dataclass(frozen=True)
class LocalGaps:
    """The zoom checkpoints and whether any window holds a pole (where the gap is unbounded)."""

    checkpoints: tuple[ZoomCheckpoint, ...]
    unbounded: tuple[bool, ...]
    digits: tuple[int, ...]  # working precision that settled each checkpoint


class LocalFunction:
    """f around x = a in local coordinates, evaluable at any precision (mpmath) or fast (float64)."""

    def __init__(self, expr: sympy.Expr, a: float | sympy.Expr, numpy_f: Callable[[np.ndarray], Any] | None = None) -> None:
        expr = sympy.sympify(expr)
        symbols = sorted(expr.free_symbols, key=lambda s: s.name)
        if len(symbols) > 1:
            raise ParamError(f"expected an expression in x only, got {expr}")
        self.x = sympy.Symbol(symbols[0].name, real=True) if symbols else sympy.Symbol("x", real=True)
        self.expr = expr.xreplace({symbols[0]: self.x}) if symbols else expr
        self.a = exact_decimal(a)
        self.a_float = float(self.a)
        self._mp_function = sympy.lambdify(self.x, self.expr, modules="mpmath")
        self._numpy_f = numpy_f or sympy.lambdify(self.x, self.expr, modules="numpy")
        self.fa_float = float(self._at(mpmath.mpf(0), 30))

    # -- precise values -----------------------------------------------------------------------

    def _value(self, x: mpmath.mpf) -> mpmath.mpf | None:
        """f(x) at the working precision, None where it is undefined or not real."""
        try:
            y = self._mp_function(x)
        except (ZeroDivisionError, ValueError, OverflowError):
            return None
        if isinstance(y, mpmath.mpc):
            if y.imag != 0:
                return None
            y = y.real
        y = mpmath.mpf(y)
        return y if mpmath.isfinite(y) else None

    def _at(self, u: mpmath.mpf, digits: int) -> mpmath.mpf:
        with mpmath.workdps(digits):
            value = self._value(_mp(self.a) + u)
        if value is None:
            raise ParamError(f"f is undefined at a = {self.a}")
        return value

    def offsets(self, us: Sequence[float] | np.ndarray, digits: int) -> np.ndarray:
        """v = f(a + u) - f(a) for float offsets u, computed at ``digits`` and rounded to float64 (nan: undefined)."""
        out = np.full(len(us), np.nan)
        with mpmath.workdps(digits):
            a = _mp(self.a)
            fa = self._value(a)
            if fa is None:
                raise ParamError(f"f is undefined at a = {self.a}")
            for i, u in enumerate(us):
                y = self._value(a + mpmath.mpf(float(u)))
                if y is not None:
                    out[i] = float(y - fa)
        return out

    def curve_offsets(self, us: np.ndarray, half_height: float) -> np.ndarray:
        """v(u) for drawing: float64 when its rounding error is far below a pixel, else mpmath.

        float64 evaluates f(a + u) with an error of a few ulps of |f|; once that is more than
        FLOAT_CURVE_TOLERANCE of the window's half height, the curve would show rounding noise.
        """
        us = np.asarray(us, dtype=float)
        with np.errstate(all="ignore"):
            ys = np.asarray(self._numpy_f(self.a_float + us), dtype=float)
            ys = np.broadcast_to(ys, us.shape).astype(float)
            values = ys - self.fa_float
        finite = np.isfinite(ys)
        size = max(abs(self.fa_float), float(np.max(np.abs(ys[finite]))) if finite.any() else 0.0)
        # a + u itself is rounded too: that moves the point along x by ulp(a), i.e. v by |f'| ulp(a).
        noise = 8 * np.finfo(float).eps * size
        if noise <= FLOAT_CURVE_TOLERANCE * half_height:
            return values
        digits = 20 + int(math.ceil(math.log10(max(size, 1e-300) / half_height)))
        return self.offsets(us, max(digits, 20))

    # -- gaps ---------------------------------------------------------------------------------

    def _grid_gaps(self, w: sympy.Expr, slope: sympy.Expr | None, digits: int) -> tuple[mpmath.mpf, mpmath.mpf]:
        """(largest |f(a + u) - f(a) - m u| on the grid, the size of the values) at ``digits``."""
        with mpmath.workdps(digits):
            a, w_mp = _mp(self.a), _mp(w)
            fa = self._value(a)
            if fa is None:
                raise ParamError(f"f is undefined at a = {self.a}")
            n = GAP_GRID_POINTS - 1
            us = [w_mp * (mpmath.mpf(2 * i - n) / n) for i in range(GAP_GRID_POINTS)]
            ys = [self._value(a + u) for u in us]
            m = _mp(slope) if slope is not None else self._fallback_slope(fa, ys[0], ys[-1], w_mp)
            best, size = mpmath.mpf(0), abs(fa)
            for u, y in zip(us, ys):
                if y is None:
                    continue
                best = max(best, abs(y - fa - m * u))
                size = max(size, abs(y), abs(m * u))
            return best, size

    def _fallback_slope(
        self, fa: mpmath.mpf, left: mpmath.mpf | None, right: mpmath.mpf | None, w: mpmath.mpf
    ) -> mpmath.mpf:
        """Where f'(a) does not exist: the secant over the window (one-sided where f is undefined on a side)."""
        if left is not None and right is not None:
            return (right - left) / (2 * w)
        if right is not None:
            return (right - fa) / w
        if left is not None:
            return (fa - left) / w
        raise ParamError(f"f is undefined on both sides of a = {self.a} at half width {w}")

    def max_gap(self, w: sympy.Expr, slope: sympy.Expr | None) -> tuple[float, int]:
        """Largest gap on the window's grid, with the precision at which two passes agreed."""
        precisions = [START_DIGITS, START_DIGITS + 20]
        while precisions[-1] < MAX_DIGITS:
            precisions.append(min(2 * precisions[-1], MAX_DIGITS))
        tolerance = mpmath.mpf(10) ** (-GAP_AGREEMENT_DIGITS)
        previous, _ = self._grid_gaps(w, slope, precisions[0])
        for before, digits in zip(precisions, precisions[1:]):
            gap, size = self._grid_gaps(w, slope, digits)
            if gap > 0 and abs(gap - previous) <= tolerance * gap:
                return float(gap), digits
            noise = mpmath.mpf(10) ** (5 - before) * max(size, 1)
            if digits >= ZERO_CHECK_DIGITS and gap <= noise and previous <= noise:
                return 0.0, digits  # both passes at their rounding floor: f is a line here
            previous = gap
        if previous <= ZERO_GAP * max(size, 1):
            return 0.0, precisions[-1]
        raise ParamError(f"the gap to the line at a = {self.a} did not settle at {MAX_DIGITS} digits")

    def has_pole(self, w: sympy.Expr) -> bool:
        """True when f is unbounded somewhere in [a - w, a + w] (a pole such as 1/x at 0).

        sympy finds where f is discontinuous in the window; a 50-digit value of |f| 10^-30 from
        such a point (or from an end of the window) that dwarfs the window's scale is a pole.
        """
        from calcanim.numerics.alarm import TimeUp
        from calcanim.numerics.linearity import _call_with_time_limit, _NoTimer
        from sympy.calculus.util import continuous_domain

        window = sympy.Interval(self.a - w, self.a + w)
        try:
            domain = _call_with_time_limit(lambda: continuous_domain(self.expr, self.x, window), DOMAIN_SECONDS)
        except (TimeUp, _NoTimer, Exception):
            return False
        breaks = sorted(set(_boundaries(domain)), key=float)  # the window's ends too: 1/x on [0, 2]
        with mpmath.workdps(50):
            scale = 1 + abs(_mp(self.a)) + abs(mpmath.mpf(self.fa_float))
            for p in breaks:
                for side in (-1, 1):
                    near = _mp(p) + side * mpmath.mpf(10) ** -30
                    value = self._value(near)
                    if value is not None and abs(value) > POLE_FACTOR * scale:
                        return True
        return False


def _boundaries(domain: sympy.Set) -> list[sympy.Expr]:
    if isinstance(domain, sympy.Union):
        return [b for part in domain.args for b in _boundaries(part)]
    if isinstance(domain, sympy.Interval):
        return [domain.start, domain.end]
    if isinstance(domain, sympy.FiniteSet):
        return list(domain.args)
    return []


def exact_slope(f: LocalFunction, slope: float | None) -> sympy.Expr | None:
    """f'(a) as an exact sympy number when sympy's derivative gives a finite real there, else the float slope.

    slope is the checked derivative (None where f'(a) does not exist).
    """
    if slope is None:
        return None
    try:
        exact = sympy.diff(f.expr, f.x).subs(f.x, f.a)
        number = complex(sympy.N(exact, 30))
        if math.isfinite(number.real) and number.imag == 0 and abs(number.real - slope) <= 1e-9 * max(1.0, abs(slope)):
            return exact
    except Exception:  # sympy could not evaluate it: the checked float slope is accurate to an ulp
        pass
    return sympy.Float(slope, 30)


def precise_zoom_checkpoints(
    f: LocalFunction, slope: float | None, zooms: Iterable[float], base_half_width: float
) -> LocalGaps:
    """Largest gap between f and the line through (a, f(a)) in each zoom's window, and gap / w, to
    GAP_AGREEMENT_DIGITS significant digits; w = base_half_width / zoom, both taken as the decimals typed.

    slope None means f'(a) does not exist: each window then uses its secant, as in
    calcanim.numerics.linearity.zoom_checkpoints. A pole in the window makes the gap infinite.

    >>> f = LocalFunction(sympy.Symbol("x") ** 2, 1000.0)
    >>> gaps = precise_zoom_checkpoints(f, 2000.0, [1e6], 2.0)
    >>> gaps.checkpoints[0].relative_gap
    2e-06
    """
    if not (math.isfinite(base_half_width) and base_half_width > 0.0):
        raise ParamError(f"base_half_width must be a positive number, got {base_half_width!r}")
    m = exact_slope(f, slope)
    checkpoints, unbounded, digits = [], [], []
    for zoom in zooms:
        if not (math.isfinite(zoom) and zoom > 0.0):
            raise ParamError(f"zoom factors must be positive numbers, got {zoom!r}")
        w = exact_decimal(base_half_width) / exact_decimal(zoom)
        if f.has_pole(w):
            checkpoints.append(ZoomCheckpoint(float(zoom), float(w), math.inf, math.inf))
            unbounded.append(True)
            digits.append(0)
            continue
        gap, used = f.max_gap(w, m)
        with mpmath.workdps(40):
            relative = float(mpmath.mpf(gap) / _mp(w))
        checkpoints.append(ZoomCheckpoint(float(zoom), float(w), gap, relative))
        unbounded.append(False)
        digits.append(used)
    return LocalGaps(tuple(checkpoints), tuple(unbounded), tuple(digits))
