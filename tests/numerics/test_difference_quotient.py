"""Secant to tangent for f(x) = 3x^2 - 4x + 5, and where float64 breaks the limit."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from calcanim.errors import ParamError
from calcanim.numerics.difference_quotient import (
    EPS,
    derivative_value,
    evaluation_scale,
    float64_error_bound,
    forward_difference_exact,
    forward_difference_float64,
    predicted_float64_error,
    secant_checkpoints,
)

x = sympy.Symbol("x")
EXPR = 3 * x**2 - 4 * x + 5
HS = [10.0**-k for k in range(1, 17)]


def f(t):
    return 3 * t**2 - 4 * t + 5


def f_exact(t: Fraction) -> Fraction:
    return 3 * t * t - 4 * t + 5


def test_lesson_values() -> None:
    assert EXPR.subs(x, 3) == 20
    assert derivative_value(EXPR, 3) == 14
    assert derivative_value(EXPR, -3) == -22
    assert derivative_value(EXPR, sympy.Rational(2, 3)) == 0
    assert derivative_value(EXPR, Fraction(2, 3)) == 0


@given(st.fractions(min_value=-10, max_value=10).filter(lambda h: h != 0))
def test_exact_secant_slope_at_3_is_14_plus_3h(h: Fraction) -> None:
    assert (f_exact(3 + h) - f_exact(Fraction(3))) / h == 14 + 3 * h
    assert forward_difference_exact(EXPR, 3, h) == 14 + 3 * h


@pytest.mark.parametrize("h", HS)
def test_exact_quotient_uses_the_binary_value_of_float_inputs(h: float) -> None:
    expected = 14 + 3 * Fraction(h)
    assert forward_difference_exact(EXPR, 3.0, h) == expected
    assert isinstance(forward_difference_exact(EXPR, 3.0, h), Fraction)


def test_float64_quotient_follows_the_naive_formula() -> None:
    for h in HS:
        assert forward_difference_float64(f, 3.0, h) == (f(3.0 + h) - f(3.0)) / h


@pytest.mark.parametrize("h", HS + [-1e-8, 3e-14, 0.25])
def test_float64_quotient_is_reproduced_from_the_rounded_intermediates(h: float) -> None:
    p = predicted_float64_error(EXPR, f, 3.0, h)
    # fl(a + h), and the step actually taken
    assert p.x_plus == 3.0 + h
    assert p.h_effective == Fraction(p.x_plus) - 3
    # the float64 values of f, as f computes them
    assert p.f_plus == f(p.x_plus) and p.f_a == f(3.0) == 20.0
    # (fl(f(a+h)) - fl(f(a))) / h in exact rationals, rounded once, is the float64 result
    reproduced = float((Fraction(p.f_plus) - Fraction(p.f_a)) / Fraction(h))
    assert reproduced == p.reproduced_quotient == p.quotient == forward_difference_float64(f, 3.0, h)


@pytest.mark.parametrize("h", HS + [-1e-8, 3e-14])
def test_error_splits_into_truncation_step_and_evaluation_rounding(h: float) -> None:
    p = predicted_float64_error(EXPR, f, 3.0, h)
    hq = Fraction(h)
    assert p.truncation_error == float(3 * hq)  # exact secant 14 + 3h minus 14
    assert p.step_rounding_error == float((f_exact(Fraction(p.x_plus)) - f_exact(3 + hq)) / hq)
    evaluation = ((Fraction(p.f_plus) - f_exact(Fraction(p.x_plus))) - (Fraction(p.f_a) - 20)) / hq
    assert p.evaluation_rounding_error == float(evaluation)
    assert p.error == float(Fraction(p.quotient) - 14)
    assert abs(p.division_rounding_error) <= np.spacing(abs(p.quotient)) / 2
    parts = (p.truncation_error, p.step_rounding_error, p.evaluation_rounding_error, p.division_rounding_error)
    assert abs(sum(parts) - p.error) <= 2 * EPS * (sum(abs(part) for part in parts) + abs(p.error))


@pytest.mark.parametrize("h", HS + [-1e-8, 3e-14, 0.25])
def test_float64_error_respects_the_ieee_bound(h: float) -> None:
    p = predicted_float64_error(EXPR, f, 3.0, h)
    assert abs(p.error) <= p.error_bound
    assert p.error_bound == float64_error_bound(EXPR, 3.0, h)


def test_bound_has_the_expected_shape() -> None:
    assert evaluation_scale(EXPR, 3) == 44.0  # 27 + 12 + 5
    for h in (1e-12, 1e-14):
        rounding = 2 * EPS * 44 / h
        assert rounding <= float64_error_bound(EXPR, 3.0, h) <= 2 * rounding + 3 * h + 1e-12
    # at large h the truncation |f''| h / 2 = 3h dominates
    assert float64_error_bound(EXPR, 3.0, 0.1) == pytest.approx(0.3, rel=1e-9)


def test_small_error_at_1e_8() -> None:
    p = predicted_float64_error(EXPR, f, 3.0, 1e-8)
    assert abs(p.error) < 1e-6
    assert abs(p.error) <= p.error_bound


@pytest.mark.parametrize("h", [1e-13, 1e-14, 1e-15])
def test_rounding_swamps_truncation_for_tiny_h(h: float) -> None:
    p = predicted_float64_error(EXPR, f, 3.0, h)
    assert abs(p.error) > 1e-4
    assert abs(p.error) > 1e6 * abs(p.truncation_error)
    assert abs(p.error) > 100 * abs(predicted_float64_error(EXPR, f, 3.0, 1e-8).error)


def test_quotient_is_exactly_zero_once_a_plus_h_rounds_to_a() -> None:
    p = predicted_float64_error(EXPR, f, 3.0, 1e-16)
    assert 3.0 + 1e-16 == 3.0
    assert p.x_plus == 3.0 and p.h_effective == 0
    assert p.quotient == 0.0 == forward_difference_float64(f, 3.0, 1e-16)
    assert p.error == -14.0


def test_error_first_falls_then_rises() -> None:
    errors = [abs(predicted_float64_error(EXPR, f, 3.0, h).error) for h in HS]
    best = errors.index(min(errors))
    assert 5 <= best <= 9  # around h = 1e-8, where 3h meets eps * S / h
    assert all(later < earlier for earlier, later in zip(errors[:5], errors[1:6]))
    assert errors[-1] == 14.0


def test_secant_checkpoints() -> None:
    rows = secant_checkpoints(EXPR, f, 3.0, [0.1, 1e-8, 1e-16])
    assert [row["h"] for row in rows] == [0.1, 1e-8, 1e-16]
    for row in rows:
        assert row["slope_exact"] == float(14 + 3 * Fraction(row["h"]))
        assert row["slope_float64"] == forward_difference_float64(f, 3.0, row["h"])
    assert rows[-1]["slope_float64"] == 0.0


def test_works_for_transcendental_functions() -> None:
    p = predicted_float64_error(sympy.exp(x), np.exp, 1.0, 1e-10)
    assert p.quotient == p.reproduced_quotient
    assert p.derivative == pytest.approx(np.e, rel=1e-15)
    assert abs(p.error) <= p.error_bound
    assert json.loads(json.dumps(p.to_json()))["h"] == 1e-10
    assert float(forward_difference_exact(sympy.exp(x), 0, sympy.Rational(1, 2))) == pytest.approx(
        2 * (np.exp(0.5) - 1), rel=1e-15
    )


@pytest.mark.parametrize("h", [0.0, float("nan"), float("inf")])
def test_zero_or_non_finite_step_is_rejected(h: float) -> None:
    with pytest.raises(ParamError):
        forward_difference_float64(f, 3.0, h)
    with pytest.raises(ParamError):
        forward_difference_exact(EXPR, 3.0, h)


@pytest.mark.parametrize("a", [-3.0, 2 / 3, 0.1, 7.5])
@pytest.mark.parametrize("h", [1e-2, 1e-6, 1e-9, 1e-12, 1e-14, 1e-15])
def test_bound_and_reproduction_hold_at_other_points(a: float, h: float) -> None:
    p = predicted_float64_error(EXPR, f, a, h)
    assert p.quotient == forward_difference_float64(f, a, h)
    assert p.quotient == float((Fraction(p.f_plus) - Fraction(p.f_a)) / Fraction(h))
    assert abs(p.error) <= p.error_bound
    assert p.truncation_error == float(3 * Fraction(h))
