"""descent-1d from a start close to the minimum (2.5e-3 on x^2, 1e-9, 3.001 on (x - 3)^2): the derived domain
holds the start and its mirror point across the minimum, by the closed form m - (start - m) (issue: the default
function x**2 with --set start=0.001 answered "x_range must be [lo, hi] with finite lo < hi, got [0.001, 0.001]")."""

from __future__ import annotations

from fractions import Fraction

import pytest

from calcanim.params.descent_1d import Descent1DParams
from calcanim.plans.descent_1d import plan


@pytest.mark.parametrize(("function", "minimum", "start"), [
    ("x**2", 0, 1e-3), ("x**2", 0, 2.5e-3), ("x**2", 0, -1e-9), ("x**2", 0, 1e-13), ("x**2", 0, 0.0),
    ("x**2", 0, -0.0), ("abs(x)", 0, 1e-3), ("(x - 3)**2", 3, 3.001), ("(x - 3)**2", 3, 2.99), ("0.5*(x + 0.1)**2", Fraction(-1, 10), -0.1004),
])
def test_a_start_near_the_minimum_gets_a_domain_holding_it_and_its_mirror(function: str, minimum: Fraction | int,
                                                                        start: float) -> None:
    p = plan(Descent1DParams(function=function, start=start, learning_rates=(0.1, 0.45)))
    lo, hi = p.x_range
    mirror = 2 * Fraction(minimum) - Fraction(start)
    assert Fraction(lo) <= min(Fraction(start), mirror) and max(Fraction(start), mirror) <= Fraction(hi)
    assert lo < hi
    for run in p.runs:  # from near the minimum: nothing diverges (abs's steps of eta stay within 0.45 of it)
        assert run.run.status != "diverged", run.run.reason
        assert run.run.losses[-1] <= run.run.losses[0] * (1 + 1e-9) + 1e-300  # abs: back to 0.001 up to rounding
