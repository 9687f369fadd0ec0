"""(1 + 1/n)^n against mpmath at 50 digits and against the lesson's values."""

import math
from fractions import Fraction

import mpmath
import pytest

from calcanim.numerics.limits import MAX_N, compound_interest_limit, gap_bounds, gap_to_e

mpmath.mp.dps = 50

SAMPLE_N = [1, 2, 3, 7, 10, 63, 64, 65, 100, 999, 1000, 12345, 10**5, 10**6, 10**7, 123456789,
            10**9, 10**12, 3 * 10**13, 10**15]


def reference(n: int) -> mpmath.mpf:
    return (1 + mpmath.mpf(1) / n) ** n


@pytest.mark.parametrize("n", SAMPLE_N)
def test_matches_mpmath_to_float64(n: int) -> None:
    # within 2 ulp of the correctly rounded value (about 4e-16 relative)
    exact = float(reference(n))
    assert abs(compound_interest_limit(n) - exact) <= 2 * math.ulp(exact)


@pytest.mark.parametrize("n", [10**6, 10**7, 10**12, 10**15])
def test_naive_power_is_worse_where_the_stable_formula_is_not(n: int) -> None:
    exact = float(reference(n))
    naive_error = abs((1 + 1 / n) ** n - exact)
    assert abs(compound_interest_limit(n) - exact) <= 2 * math.ulp(exact) < naive_error


def test_lesson_values() -> None:
    assert compound_interest_limit(1) == 2.0
    assert compound_interest_limit(2) == 2.25
    assert compound_interest_limit(10) == pytest.approx(float(Fraction(11, 10) ** 10), rel=1e-15)
    assert f"{compound_interest_limit(10):.4f}" == "2.5937"
    assert f"{compound_interest_limit(100):.4f}" == "2.7048"
    assert f"{compound_interest_limit(1000):.4f}" == "2.7169"
    assert f"{compound_interest_limit(10**6):.5f}" == "2.71828"


@pytest.mark.parametrize("n", SAMPLE_N)
def test_always_below_e_and_inside_the_classical_bounds(n: int) -> None:
    assert compound_interest_limit(n) < math.e
    gap = mpmath.e - reference(n)
    lo, hi = gap_bounds(n)
    assert mpmath.e / (2 * n + 2) < gap < mpmath.e / (2 * n + 1)
    assert lo == pytest.approx(float(mpmath.e / (2 * n + 2)), rel=1e-15)
    assert hi == pytest.approx(float(mpmath.e / (2 * n + 1)), rel=1e-15)
    assert gap_to_e(n) == pytest.approx(float(gap), rel=1e-12)


def test_rejects_n_below_one() -> None:
    with pytest.raises(ValueError):
        compound_interest_limit(0)
    with pytest.raises(ValueError):
        gap_to_e(0)


def test_max_n_is_ten_to_the_fifteen() -> None:
    assert MAX_N == 10**15
