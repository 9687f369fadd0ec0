"""ln as the mirror image of exp across y = x: the points and the plot window the exp-log clip needs."""

from __future__ import annotations

import math

from calcanim.errors import ParamError


def mirror_across_identity(x: float, y: float) -> tuple[float, float]:
    """Reflect a point across the line y = x: (x, y) on the graph of f lands on the graph of f^-1.

    >>> mirror_across_identity(0.0, 1.0)
    (1.0, 0.0)
    """
    return float(y), float(x)


def exp_log_window(k: float, low: float = -2.5, high: float = 4.5, margin: float = 0.6) -> tuple[float, float]:
    """One range [lo, hi] for both axes (so the mirror is a true reflection) holding (k, e^k) and (e^k, k).

    >>> exp_log_window(1.5) == (-2.5, round(math.exp(1.5) + 0.6, 12))
    True
    >>> exp_log_window(-3.0)
    (-3.6, 4.5)
    """
    try:
        exp_k = math.exp(k)
    except OverflowError:
        raise ParamError(f"k = {k} is too large to draw e^k") from None
    lo = min(low, k - margin)
    hi = max(high, round(exp_k + margin, 12))
    return lo, hi
