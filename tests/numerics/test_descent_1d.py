"""Gradient descent on a curve against the closed form of gd on a quadratic: x_k - c = (1 - 2 a eta)^k (x_0 - c)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calcanim.expr import parse_expression
from calcanim.numerics.descent import OptimizerSettings
from calcanim.numerics.descent_1d import derived_x_range, downhill_minimum, run_descent_1d


def quadratic_text(a: Fraction, c: Fraction) -> str:
    """a (x - c)^2 written with integers only, so the parser keeps it exact."""
    return f"{a.numerator}*(x - ({c.numerator})/({c.denominator}))**2/{a.denominator}"


def gd_on_quadratic(a: Fraction, c: Fraction, eta: Fraction, x0: Fraction, steps: int, x_range: tuple[float, float]):  # type: ignore[no-untyped-def]
    f = parse_expression(quadratic_text(a, c))
    return run_descent_1d(f, f.derivative(), x_range, OptimizerSettings("gd", float(eta)), float(x0), steps)


dyadic_small = st.integers(min_value=-16, max_value=16).map(lambda n: Fraction(n, 4))


@settings(max_examples=80, deadline=None)
@given(
    a=st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(2), Fraction(4)]),
    c=dyadic_small,
    offset=st.integers(min_value=1, max_value=12).map(lambda n: Fraction(n, 2)),
    eta_bits=st.integers(min_value=1, max_value=31),
    sign=st.sampled_from([-1, 1]),
)
def test_gd_on_a_quadratic_is_exactly_the_geometric_sequence(a, c, offset, eta_bits, sign) -> None:  # type: ignore[no-untyped-def]
    """Dyadic a, c, x_0 and eta (5 bits) keep every float operation exact for 6 steps: compare with == ."""
    eta = Fraction(eta_bits, 32) / a  # eta * a = eta_bits / 32 in (0, 1)
    x0 = c + sign * offset
    steps = 6
    run = gd_on_quadratic(a, c, eta, x0, steps, (float(c) - 1e6, float(c) + 1e6))
    ratio = 1 - 2 * a * eta
    expected = [c + ratio**k * (x0 - c) for k in range(steps + 1)]
    assert [Fraction(float(x)) for x in run.points[:, 0]] == expected
    # the loss squares a number of up to ~40 bits: one rounding, so it is the correctly rounded exact loss
    assert [float(v) for v in run.losses] == [float(a * (x - c) ** 2) for x in expected]


@settings(max_examples=60, deadline=None)
@given(
    a_=st.integers(min_value=100, max_value=10_000).map(lambda n: Fraction(n, 1000)),
    c_=st.integers(min_value=-5000, max_value=5000).map(lambda n: Fraction(n, 1000)),
    distance=st.floats(min_value=0.5, max_value=5.0),
    sign=st.sampled_from([-1.0, 1.0]),
    r=st.floats(min_value=0.02, max_value=0.98),
)
def test_random_quadratics_follow_the_closed_form(a_, c_, distance, sign, r) -> None:  # type: ignore[no-untyped-def]
    a, c = float(a_), float(c_)
    eta = r / a
    x0 = c + sign * distance
    run = gd_on_quadratic(a_, c_, Fraction(eta), Fraction(x0), 30, (c - 10.0, c + 10.0))
    ratio = 1 - 2 * Fraction(a) * Fraction(eta)
    expected = np.array([float(c_ + ratio**k * (Fraction(x0) - c_)) for k in range(31)])
    scale = abs(c) + abs(a) * (abs(c) + distance) + distance  # rounding of a x - a c: relative to |x|, not |x - c|
    np.testing.assert_allclose(run.points[:, 0], expected, rtol=0, atol=1e-13 * scale * 31)


def statuses(a: Fraction, c: Fraction, x0: Fraction, eta: Fraction, steps: int = 100) -> str:
    f = parse_expression(quadratic_text(a, c))
    x_range = derived_x_range(f, float(x0))
    return run_descent_1d(f, f.derivative(), x_range, OptimizerSettings("gd", float(eta)), float(x0), steps).status


quadratics = st.tuples(
    st.sampled_from([Fraction(1, 8), Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(4), Fraction(8)]),
    st.integers(min_value=-12, max_value=12).map(lambda n: Fraction(n, 4)),
    st.integers(min_value=2, max_value=16).map(lambda n: Fraction(n, 4)),
    st.sampled_from([-1, 1]),
)


@settings(max_examples=60, deadline=None)
@given(quadratic=quadratics, r=st.floats(min_value=0.1, max_value=0.9))
def test_below_one_over_a_it_converges(quadratic, r) -> None:  # type: ignore[no-untyped-def]
    a, c, distance, sign = quadratic
    assert statuses(a, c, c + sign * distance, Fraction(r) / a) == "converged"  # |1 - 2r| <= 0.8: 0.8^100 ~ 2e-10


@settings(max_examples=60, deadline=None)
@given(quadratic=quadratics, r=st.floats(min_value=1.1, max_value=5.0))
def test_above_one_over_a_it_diverges(quadratic, r) -> None:  # type: ignore[no-untyped-def]
    a, c, distance, sign = quadratic
    assert statuses(a, c, c + sign * distance, Fraction(r) / a) == "diverged"  # |1 - 2r| >= 1.2 leaves any box


@settings(max_examples=40, deadline=None)
@given(quadratic=quadratics)
def test_at_exactly_one_over_a_it_bounces_between_two_points_for_ever(quadratic) -> None:  # type: ignore[no-untyped-def]
    """eta = 1/a: x_k - c = (-1)^k (x_0 - c). It neither settles nor leaves: 'running' with all steps kept."""
    a, c, distance, sign = quadratic
    x0 = c + sign * distance
    f = parse_expression(quadratic_text(a, c))
    x_range = derived_x_range(f, float(x0))
    run = run_descent_1d(f, f.derivative(), x_range, OptimizerSettings("gd", float(1 / a)), float(x0), 40)
    assert run.status == "running" and len(run.points) == 41
    assert [Fraction(float(x)) for x in run.points[:4, 0]] == [x0, 2 * c - x0, x0, 2 * c - x0]


@settings(max_examples=40, deadline=None)
@given(quadratic=quadratics, r=st.floats(min_value=0.9, max_value=0.9999))
def test_a_derived_domain_keeps_the_overshoot_inside(quadratic, r) -> None:  # type: ignore[no-untyped-def]
    """Issue 18: with eta just under 2/f'' = 1/a an iterate lands near its mirror point 2c - x_0: still drawn."""
    a, c, distance, sign = quadratic
    x0 = c + sign * distance
    f = parse_expression(quadratic_text(a, c))
    lo, hi = derived_x_range(f, float(x0))
    assert lo < float(min(x0, 2 * c - x0)) and float(max(x0, 2 * c - x0)) < hi
    run = run_descent_1d(f, f.derivative(), (lo, hi), OptimizerSettings("gd", float(Fraction(r) / a)), float(x0), 30)
    assert np.all((lo <= run.points[:, 0]) & (run.points[:, 0] <= hi))


def test_downhill_minimum_finds_the_nearest_valley_or_none() -> None:
    # x^4 - 3x^2 + x: f' = 4x^3 - 6x + 1 = 0 at x ~ 1.1309 (right valley) and ~ -1.3008 (left valley)
    f = parse_expression("x**4 - 3*x**2 + x")
    assert downhill_minimum(f, 2.0) == pytest.approx(1.130901, abs=1e-5)
    assert downhill_minimum(f, -2.0) == pytest.approx(-1.300839, abs=1e-5)
    assert downhill_minimum(parse_expression("exp(x)"), 0.0) is None
    assert downhill_minimum(parse_expression("log(x)"), 1.0) is None  # falls until it stops being defined
