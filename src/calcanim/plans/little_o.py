"""The numbers the little-o clip shows: r(eps)/eps for the tangent and for an offset approximation,
and the zoomed picture of f, its tangent and the offset line near x0 where the gaps are drawn."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy

from calcanim.correctly_rounded import fixed_text, scientific_parts, scientific_tex
from calcanim.expr import Expression, parse_expression
from calcanim.expression_as_typed import tex_as_typed
from calcanim.numerics.little_o import (
    EPS,
    is_little_o,
    linearization_remainder,
    offset_ratios,
    ratio_curve,
    ratio_digits,
    remainder_is_little_o,
    remainder_ratios,
)
from calcanim.params.little_o import LittleOParams
from calcanim.plans.base import plan_header

INTRO_SECONDS = 2.5
HOLD_SECONDS = 0.5
ENDING_SECONDS = 3.5
#: Samples per decade of eps on the drawn curves.
SAMPLES_PER_DECADE = 40


#: The picture's window around (x0, f(x0)) in multiples of eps: u from -0.4 eps to 1.6 eps.
PICTURE_LEFT, PICTURE_RIGHT = -0.4, 1.6
#: Below this eps (relative to max(1, |x0|)) the picture's curve is computed with mpmath instead of float64.
FLOAT64_PICTURE_BELOW = 1e-8
#: The inset draws f in float64 while its box is at least this share of max(1, |f|) high, else with mpmath.
FLOAT64_INSET_ABOVE = 1e-7
#: Significant digits of the ratios in the table.
RATIO_DIGITS = 5
#: The magnifier inset's height as a fraction of the picture's; it magnifies the gap r(eps) at x0 + eps.
INSET_FRACTION = 0.4
#: The inset magnifies by the smallest 1-2-5 step that makes the gap at least this fraction of its height
#: (so, steps being at most 2.5 apart, at most 2.5 times it: 0.3 to 0.75 of the inset).
INSET_GAP_AT_LEAST = 0.3


@dataclass(frozen=True)
class RatioRow:
    eps: float
    good_ratio: float
    bad_ratio: float
    good_digits: str = ""  # the ratio to 30 significant digits, rounded once for the table
    bad_digits: str = ""

    @property
    def eps_tex(self) -> str:
        return eps_tex(self.eps)

    @property
    def good_tex(self) -> str:
        return ratio_tex(Fraction(self.good_digits) if self.good_digits else self.good_ratio)

    @property
    def bad_tex(self) -> str:
        return ratio_tex(Fraction(self.bad_digits) if self.bad_digits else self.bad_ratio)

    def to_json(self) -> dict[str, Any]:
        return {"eps": self.eps, "remainder_ratio": self.good_ratio, "offset_ratio": self.bad_ratio}


def eps_tex(eps: float) -> str:
    """eps as the table writes it: the shortest decimal that reads back as the float; a power of ten below 0.001.

    >>> eps_tex(0.01), eps_tex(1e-12), eps_tex(2.5e-7), eps_tex(1.0)
    ('0.01', '10^{-12}', '2.5 \\\\cdot 10^{-7}', '1')
    """
    text = repr(float(eps))
    if eps >= 1e-3 and "e" not in text:
        return text[:-2] if text.endswith(".0") else text
    mantissa, _, exponent = f"{eps:e}".partition("e")
    short = repr(float(mantissa)).removesuffix(".0")
    return f"10^{{{int(exponent)}}}" if short == "1" else rf"{short} \cdot 10^{{{int(exponent)}}}"


def ratio_tex(value: Any) -> str:
    """A ratio rounded once to RATIO_DIGITS significant digits, as m \\cdot 10^{k} when tiny or huge.

    >>> ratio_tex(Fraction(7182818, 10**7)), ratio_tex(5.0e-5), ratio_tex(Fraction(50167084, 10**10)), ratio_tex(2)
    ('0.71828', '5.0000 \\\\cdot 10^{-5}', '0.0050167', '2.0000')
    """
    mantissa, power = scientific_parts(value, RATIO_DIGITS)
    if Fraction(mantissa) == 0:
        return "0"
    if not -3 <= power < 4:
        return rf"{mantissa} \cdot 10^{{{power}}}"
    return fixed_text(value, RATIO_DIGITS - 1 - power, keep_zeros=True)


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
    slope: sympy.Expr  # f'(x0), exact
    picture_y: tuple[float, float]  # the picture's y range (relative to f(x0)) at the first eps

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
        """f as the user typed it (term order and decimals kept)."""
        return tex_as_typed(self.params.function)

    # The picture: f, its tangent and the offset line near x0, zoomed with eps ----------------------

    def picture_box(self, eps: float) -> tuple[float, float, float, float]:
        """(u_min, u_max, y_min, y_max) around (x0, f(x0)) at this eps: the first eps's box scaled by eps / eps0.

        Both axes zoom by the same factor, so slopes keep their look, the tangent's gap r(eps)
        shrinks on screen while the offset line's gap (a multiple of eps) does not.
        """
        scale = eps / self.params.eps_values[0]
        eps0 = self.params.eps_values[0]
        return (PICTURE_LEFT * eps0 * scale, PICTURE_RIGHT * eps0 * scale, self.picture_y[0] * scale, self.picture_y[1] * scale)

    def tangent_rise(self, u: float) -> float:
        """f'(x0) u: the tangent's height above f(x0)."""
        return float(self.slope) * u

    def offset_rise(self, u: float) -> float:
        """The offset approximation's height above f(x0): f'(x0) u - (value_offset + slope_offset u)."""
        p = self.params
        return float(self.slope) * u - (p.value_offset + p.slope_offset * u)

    def curve_rise(self, us: np.ndarray, eps: float) -> np.ndarray:
        """f(x0 + u) - f(x0), in float64 while eps is large enough that rounding f (about 1e-16 |f|)
        stays far below a pixel of the picture, else at enough digits that the gap to the tangent survives."""
        if eps >= FLOAT64_PICTURE_BELOW * max(1.0, abs(self.params.x0)):
            with np.errstate(all="ignore"):
                return np.asarray(self.expression(self.params.x0 + us), dtype=float) - float(self.expression(self.params.x0))
        decades = max(0, math.ceil(-math.log10(eps)))
        function, x0 = self._mp_function, mpmath.mpf(self.params.x0)
        values = []
        with mpmath.workdps(25 + 2 * decades):
            base = function(x0)
            for u in us:
                value = function(x0 + mpmath.mpf(float(u))) - base
                values.append(float(value.real) if isinstance(value, mpmath.mpc) else float(value))
        return np.array(values)

    def remainder_at(self, eps: float) -> float:
        """See _remainder_at; kept per eps, as a frame asks for it several times."""
        cache: dict[float, float] = self.__dict__.setdefault("_remainder_cache", {})
        if eps not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[eps] = self._remainder_at(eps)
        return cache[eps]

    def _remainder_at(self, eps: float) -> float:
        """r(eps) = f(x0 + eps) - f(x0) - f'(x0) eps, with enough digits that the cancellation leaves it exact to
        float64 (at eps = 1e-10, r is about 1e-20 of f: far below float64's rounding of f)."""
        function, x0, e = self._mp_function, mpmath.mpf(self.params.x0), mpmath.mpf(float(eps))
        decades = max(0, math.ceil(-math.log10(abs(float(eps))))) if eps else 0
        with mpmath.workdps(30 + 3 * decades):
            value = function(x0 + e) - function(x0) - mpmath.mpf(self._mp_slope) * e
            return float(value.real) if isinstance(value, mpmath.mpc) else float(value)

    @property
    def _mp_slope(self) -> Any:
        """f'(x0) at 60 digits (exact sympy value evaluated)."""
        return sympy.N(self.slope, 60)

    def inset_magnification(self, eps: float, fraction: float = INSET_FRACTION) -> tuple[int, int]:
        """(m, k) with the inset's magnification m * 10**k, m in 1, 2, 5: the smallest 1-2-5 step (at least 1)
        at which the gap r(eps) fills INSET_GAP_AT_LEAST of the inset (``fraction`` of the picture's height), which
        shows the picture's scale times it.
        It grows as eps shrinks exactly as r(eps)/eps falls: the gap shrinks faster than the window, i.e. than eps.

        >>> from calcanim.params.little_o import LittleOParams
        >>> pl = plan(LittleOParams(function="x**2"))  # r = eps^2; the window is 7.1424 eps high
        >>> pl.inset_magnification(1.0), pl.inset_magnification(0.001)  # need 0.12 * 7.1424e-3 / 1e-6 = 857
        ((1, 0), (1, 3))
        """
        gap = abs(self.remainder_at(eps))
        window = (self.picture_y[1] - self.picture_y[0]) * eps / self.params.eps_values[0]
        if gap == 0.0:
            return 1, 0
        need = INSET_GAP_AT_LEAST * fraction * window / gap
        if need <= 1.0:
            return 1, 0
        k = math.floor(math.log10(need))
        for m in (1, 2, 5, 10):
            if m * 10.0**k >= need * (1 - 1e-12):
                return (1, k + 1) if m == 10 else (m, k)
        raise AssertionError("unreachable")

    def magnification_steps(self, fraction: float = INSET_FRACTION) -> list[tuple[int, int]]:
        """Every 1-2-5 step the inset may show while eps shrinks (from the smallest to the largest it takes on the
        ratio curve's grid, one step more each side), so the clip can typeset them all before it starts."""
        taken = [self.inset_magnification(float(eps), fraction) for eps in 10.0 ** (-self.curve_u)]
        low, high = min(m * 10.0**k for m, k in taken), max(m * 10.0**k for m, k in taken)
        steps = [(m, k) for k in range(0, max(1, math.ceil(math.log10(high))) + 2) for m in (1, 2, 5)]
        values = [m * 10.0**k for m, k in steps]
        first = max(0, next(i for i, v in enumerate(values) if v >= low * (1 - 1e-12)) - 1)
        last = min(len(steps) - 1, next(i for i, v in enumerate(values) if v >= high * (1 - 1e-12)) + 1)
        return steps[first : last + 1]

    @staticmethod
    def magnification_tex(m: int, k: int) -> str:
        r""""\times 20", "\times 5000", "\times 2 \cdot 10^{4}".

        >>> LittleOPlan.magnification_tex(2, 1), LittleOPlan.magnification_tex(5, 3), LittleOPlan.magnification_tex(1, 6)
        ('\\times 20', '\\times 5000', '\\times 10^{6}')
        """
        if k <= 3:
            return rf"\times {m * 10**k}"
        return rf"\times 10^{{{k}}}" if m == 1 else rf"\times {m} \cdot 10^{{{k}}}"

    def inset_window(self, eps: float, aspect: float, fraction: float = INSET_FRACTION) -> tuple[float, float]:
        """(half width, half height) the inset shows around the gap's middle (u = eps, y = f'(x0) eps + r(eps)/2):
        the picture's scale times the magnification, ``aspect`` (width / height) as the inset's frame. The inset
        works in offsets from that middle: at eps = 1e-12 a box 1e-36 wide is below float64's spacing at u = eps."""
        m, k = self.inset_magnification(eps, fraction)
        height = (self.picture_y[1] - self.picture_y[0]) * eps / self.params.eps_values[0] * fraction / (m * 10.0**k)
        return height * aspect / 2, height / 2

    def inset_curve(self, eps: float, offsets: np.ndarray, half_height: float) -> np.ndarray:
        """f(x0 + eps + d) - (f(x0) + f'(x0) eps + r(eps)/2) for offsets d: f in the inset, measured from the gap's
        middle, at enough digits that the inset's height is many digits above rounding."""
        x0, middle = self.params.x0, self.tangent_rise(eps) + self.remainder_at(eps) / 2
        scale = max(1.0, abs(float(self.expression(x0))), abs(middle), abs(x0 + eps))
        width = float(np.max(np.abs(offsets))) if offsets.size else 0.0
        if min(half_height, width) >= FLOAT64_INSET_ABOVE * scale:  # float64's rounding is 1e-9 of the box
            with np.errstate(all="ignore"):
                values = np.asarray(self.expression(x0 + eps + offsets), dtype=float) - float(self.expression(x0))
            return values - middle
        digits = 20 + max(0, math.ceil(math.log10(scale / max(half_height, 1e-300))))
        function, slope = self._mp_function, self._mp_slope
        values_mp = []
        with mpmath.workdps(digits):
            x, e = mpmath.mpf(x0), mpmath.mpf(float(eps))
            base = function(x)
            centre = base + slope * e + (function(x + e) - base - slope * e) / 2
            for d in offsets:
                value = function(x + e + mpmath.mpf(float(d))) - centre
                values_mp.append(float(value.real) if isinstance(value, mpmath.mpc) else float(value))
        return np.array(values_mp)

    @property
    def _mp_function(self) -> Callable[[Any], Any]:
        cached = self.__dict__.get("_mp_cache")
        if cached is None:
            cached = sympy.lambdify(sympy.Symbol("x", real=True), self.expression.sympy_expr, modules="mpmath")
            object.__setattr__(self, "_mp_cache", cached)
        return cached

    @property
    def bad_error_tex(self) -> str:
        """The bad approximation's extra error, e.g. 2\\varepsilon or \\varepsilon + 2."""
        p = self.params
        offset = sympy.nsimplify(p.value_offset) + sympy.nsimplify(p.slope_offset) * sympy.Symbol("varepsilon")
        return sympy.latex(offset)

    @property
    def x0_label(self) -> str:
        return repr(float(self.params.x0)).removesuffix(".0")

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
    rows = tuple(
        RatioRow(g["eps"], g["ratio"], b["ratio"], ratio_digits(remainder, g["eps"]), ratio_digits(bad_error, g["eps"]))
        for g, b in zip(good_rows, bad_rows, strict=True)
    )
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
    x = sympy.Symbol("x", real=True)
    slope = sympy.diff(expression.sympy_expr, x).subs(x, sympy.Rational(params.x0))
    good_is_little_o = remainder_is_little_o(expression.sympy_expr, params.x0)
    return LittleOPlan(
        params=params,
        expression=expression,
        remainder=remainder,
        bad_error=bad_error,
        remainder_is_little_o=good_is_little_o,
        bad_is_little_o=_offset_is_little_o(good_is_little_o, params, bad_error),
        rows=rows,
        curve_u=curve_u,
        good_curve=good_curve,
        bad_curve=bad_curve,
        y_range=y_range,
        slope=slope,
        picture_y=_picture_y(expression, params, float(slope)),
    )


def _offset_is_little_o(good_is_little_o: bool, params: LittleOParams, bad_error: sympy.Expr) -> bool:
    """(r + v + s eps)/eps = r/eps + v/eps + s: with r = o(eps) its limit is s when v = 0 and infinite
    otherwise, so it is o(eps) only for v = s = 0 (which params rule out); else the limits decide."""
    if good_is_little_o:
        return params.value_offset == 0.0 and params.slope_offset == 0.0
    return is_little_o(bad_error, EPS, EPS)


def _picture_y(expression: Expression, params: LittleOParams, slope: float) -> tuple[float, float]:
    """The picture's y range at the first eps: room for the tangent, the offset line and the curve
    (the curve only up to twice the lines' spread, so a steep f does not flatten the picture)."""
    eps0 = params.eps_values[0]
    us = np.linspace(PICTURE_LEFT * eps0, PICTURE_RIGHT * eps0, 200)
    tangent = slope * us
    offset = tangent - (params.value_offset + params.slope_offset * us)
    lines = np.concatenate([tangent, offset, [0.0]])
    lo, hi = float(lines.min()), float(lines.max())
    spread = max(hi - lo, 1e-300)
    curve = np.asarray(expression(params.x0 + us), dtype=float) - float(expression(params.x0))
    curve = curve[np.isfinite(curve)]
    if curve.size:
        lo = min(lo, max(float(curve.min()), lo - 2 * spread))
        hi = max(hi, min(float(curve.max()), hi + 2 * spread))
    pad = 0.12 * (hi - lo)
    return lo - pad, hi + pad
