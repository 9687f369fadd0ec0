"""b^x and its tangent at x = 0: the slope is ln b, and it is exactly 1 only at b = e."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from calcanim.errors import ParamError

#: Bracket [lo, hi] used by default when solving ln b = 1.
DEFAULT_BRACKET = (1.5, 4.0)


def _checked_base(base: float) -> float:
    """The base as a float, or ParamError when b^x is not a real exponential (b <= 0 or not finite)."""
    b = float(base)
    if not math.isfinite(b) or b <= 0.0:
        raise ParamError(f"base must be a positive finite number, got {base!r}")
    return b


def tangent_slope_at_zero(base: float) -> float:
    """Slope of y = b^x at x = 0, which is ln b (d/dx b^x = ln b * b^x and b^0 = 1).

    >>> tangent_slope_at_zero(math.e)
    1.0
    >>> round(tangent_slope_at_zero(2.0), 6)
    0.693147
    """
    return math.log(_checked_base(base))


def tangent_line_at_zero(base: float) -> tuple[float, float]:
    """(slope, intercept) of the tangent to b^x at x = 0: the line y = ln(b) x + 1.

    >>> tangent_line_at_zero(math.e)
    (1.0, 1.0)
    """
    return tangent_slope_at_zero(base), 1.0


def exponential_difference_quotient(base: float, h: float) -> float:
    """(b^h - 1)/h, the secant slope of b^x over [0, h], via expm1 so small h does not cancel.

    >>> round(exponential_difference_quotient(2.0, 1.0), 12)
    1.0
    >>> abs(exponential_difference_quotient(math.e, 1e-12) - 1.0) < 1e-11
    True
    """
    b = _checked_base(base)
    step = float(h)
    if step == 0.0 or not math.isfinite(step):
        raise ParamError(f"h must be a nonzero finite number, got {h!r}")
    return math.expm1(step * math.log(b)) / step


def difference_quotient_table(base: float, hs: Iterable[float]) -> list[dict[str, float]]:
    """One row per h: the secant slope (b^h - 1)/h, the tangent slope ln b, and their gap."""
    slope = tangent_slope_at_zero(base)
    rows = []
    for h in hs:
        quotient = exponential_difference_quotient(base, h)
        rows.append({"h": float(h), "quotient": quotient, "slope": slope, "error": quotient - slope})
    return rows


def unit_slope_base(lo: float = DEFAULT_BRACKET[0], hi: float = DEFAULT_BRACKET[1], tol: float = 0.0) -> float:
    """The base whose tangent at 0 has slope 1, found by bisection on g(b) = ln b - 1: that base is e.

    Bisection runs until the bracket is no wider than tol (tol = 0: until it cannot shrink in
    float64), so the result is e to within a couple of ulps.

    >>> abs(unit_slope_base() - math.e) < 1e-15
    True
    """
    lo, hi = float(lo), float(hi)
    if not (0.0 < lo < hi) or not math.isfinite(hi):
        raise ParamError(f"need 0 < lo < hi for the bracket, got lo={lo!r}, hi={hi!r}")
    g_lo, g_hi = math.log(lo) - 1.0, math.log(hi) - 1.0
    if g_lo > 0.0 or g_hi < 0.0:
        raise ParamError(f"the bracket [{lo}, {hi}] does not contain the base with slope 1 (e)")
    for _ in range(2000):
        mid = 0.5 * (lo + hi)
        if hi - lo <= tol or mid in (lo, hi):
            break
        if math.log(mid) - 1.0 < 0.0:
            lo = mid
        else:
            hi = mid
    return lo if abs(math.log(lo) - 1.0) <= abs(math.log(hi) - 1.0) else hi


def is_locked(base: float, tolerance: float) -> bool:
    """True when the slope at 0 is within tolerance of 1: the clip's "b = e" lock-in readout.

    >>> is_locked(2.718, 1e-3), is_locked(2.0, 1e-3)
    (True, False)
    """
    if not tolerance >= 0.0:
        raise ParamError(f"tolerance must be >= 0, got {tolerance!r}")
    return abs(tangent_slope_at_zero(base) - 1.0) < tolerance


def natural_log_readouts(k: float) -> dict[str, Any]:
    """Readouts for ln as the inverse of exp: ln 1 = 0 and ln(e^k) = k (computed, and the exact k).

    >>> natural_log_readouts(2.0)["ln_exp_k"]
    2.0
    """
    k = float(k)
    try:
        exp_k = math.exp(k)
    except OverflowError:
        exp_k = math.inf
    if not (math.isfinite(exp_k) and exp_k >= 2.2250738585072014e-308):
        raise ParamError(f"k must keep e^k a normal positive float64 (about -708 < k < 709.7), got {k!r}")
    return {"ln_1": math.log(1.0), "k": k, "exp_k": exp_k, "ln_exp_k": math.log(exp_k), "ln_exp_k_exact": k}


def lock_interval(tolerance: float) -> tuple[float, float]:
    """The bases b with |ln b - 1| < tolerance: the open interval (e^(1 - tol), e^(1 + tol)).

    >>> lo, hi = lock_interval(0.01)
    >>> round(lo, 4), round(hi, 4)
    (2.6912, 2.7456)
    """
    if not (math.isfinite(tolerance) and tolerance > 0.0):
        raise ParamError(f"tolerance must be a positive number, got {tolerance!r}")
    return math.exp(1.0 - tolerance), math.exp(1.0 + tolerance)
