"""The limit (1 + 1/n)^n -> e, computed to full float64 accuracy for n up to 10^15."""

from __future__ import annotations

import math

#: Largest n the clip accepts: beyond it 1/n is below float64's resolution near 1 in any form.
MAX_N = 10**15


def _log_of_term_minus_one(n: float) -> float:
    """n*ln(1 + 1/n) - 1, without cancellation: the alternating series in 1/n for large n."""
    if n < 64:
        return n * math.log1p(1.0 / n) - 1.0
    u = 1.0 / n
    total, power = 0.0, 1.0
    for k in range(1, 12):
        power *= u
        total += (-1) ** k * power / (k + 1)
    return total


def compound_interest_limit(n: float) -> float:
    """a_n = (1 + 1/n)^n for n >= 1 (real n too: the curve between integers), to float64 accuracy.

    The naive power (1 + 1/n)**n rounds 1 + 1/n first and loses about log10(n) digits.

    >>> compound_interest_limit(1), compound_interest_limit(2)
    (2.0, 2.25)
    >>> round(compound_interest_limit(10), 4)
    2.5937
    >>> compound_interest_limit(10**15) < math.e
    True
    """
    if n < 1:
        raise ValueError(f"n must be a positive integer, got {n}")
    return math.e * math.exp(_log_of_term_minus_one(n))


def gap_to_e(n: int) -> float:
    """e - a_n, computed directly (not as a difference of two nearly equal numbers).

    >>> round(gap_to_e(1), 12) == round(math.e - 2, 12)
    True
    """
    if n < 1:
        raise ValueError(f"n must be a positive integer, got {n}")
    return -math.e * math.expm1(_log_of_term_minus_one(n))


def gap_bounds(n: int) -> tuple[float, float]:
    """The classical bounds e/(2n+2) < e - a_n < e/(2n+1).

    >>> lo, hi = gap_bounds(1)
    >>> lo < math.e - 2 < hi
    True
    """
    return math.e / (2 * n + 2), math.e / (2 * n + 1)
