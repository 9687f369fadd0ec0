"""b^x and its tangent at 0: slope ln b, equal to 1 exactly at b = e."""

from __future__ import annotations

import math

import mpmath
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calcanim.errors import ParamError
from calcanim.numerics.exponentials import (
    difference_quotient_table,
    exponential_difference_quotient,
    is_locked,
    natural_log_readouts,
    tangent_line_at_zero,
    tangent_slope_at_zero,
    unit_slope_base,
)

HS = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5]


def test_slope_is_below_one_for_2_and_above_one_for_3() -> None:
    assert tangent_slope_at_zero(2.0) < 1.0 < tangent_slope_at_zero(3.0)


def test_slope_is_one_at_e() -> None:
    assert abs(tangent_slope_at_zero(math.e) - 1.0) <= 1e-15


def test_tangent_line_passes_through_0_1_with_slope_ln_b() -> None:
    assert tangent_line_at_zero(2.0) == (math.log(2.0), 1.0)


def test_base_one_is_a_flat_line() -> None:
    assert tangent_slope_at_zero(1.0) == 0.0


@pytest.mark.parametrize("base", [0.0, -1.0, -math.e, math.nan, math.inf])
def test_non_positive_or_non_finite_base_is_rejected_by_name(base: float) -> None:
    with pytest.raises(ParamError, match="base"):
        tangent_slope_at_zero(base)


def test_zero_step_is_rejected() -> None:
    with pytest.raises(ParamError):
        exponential_difference_quotient(2.0, 0.0)


def _mp_quotient(base: float, h: float) -> mpmath.mpf:
    """(b^h - 1)/h at 50 digits, with b and h the exact float inputs."""
    with mpmath.workdps(50):
        return (mpmath.power(mpmath.mpf(base), mpmath.mpf(h)) - 1) / mpmath.mpf(h)


@pytest.mark.parametrize("base", [0.5, 2.0, math.e, 3.0, 10.0])
def test_difference_quotient_matches_50_digit_reference(base: float) -> None:
    for h in HS + [1e-10, 1e-15, -1e-3]:
        reference = _mp_quotient(base, h)
        assert abs(exponential_difference_quotient(base, h) - float(reference)) <= 1e-14 * abs(float(reference))


@pytest.mark.parametrize("base", [0.5, 2.0, 3.0, 10.0])
def test_quotient_error_over_h_tends_to_half_ln_b_squared(base: float) -> None:
    ln_b = mpmath.log(mpmath.mpf(base))
    target = float(ln_b**2 / 2)
    deviations = []
    for h in HS:
        error = _mp_quotient(base, h) - ln_b
        float_error = exponential_difference_quotient(base, h) - math.log(base)
        assert abs(float_error - float(error)) <= 1e-14 + 1e-6 * abs(float(error))
        deviations.append(abs(float(error / h) / target - 1.0))
    assert all(later < earlier for earlier, later in zip(deviations, deviations[1:]))
    assert deviations[-1] < 1e-4


def test_difference_quotient_approaches_ln_b() -> None:
    rows = difference_quotient_table(2.0, HS)
    errors = [abs(row["error"]) for row in rows]
    assert all(later < earlier for earlier, later in zip(errors, errors[1:]))
    assert rows[0]["slope"] == math.log(2.0)
    assert rows[-1]["error"] == rows[-1]["quotient"] - math.log(2.0)


def test_unit_slope_base_is_e() -> None:
    b = unit_slope_base()
    assert abs(b - math.e) <= 1e-12
    assert abs(mpmath.mpf(b) - mpmath.e) <= 1e-12


def test_unit_slope_base_needs_a_bracket_around_e() -> None:
    with pytest.raises(ParamError):
        unit_slope_base(3.0, 4.0)
    with pytest.raises(ParamError):
        unit_slope_base(-1.0, 4.0)


def test_lock_in_is_a_tolerance_on_the_slope() -> None:
    assert is_locked(math.e, 1e-12)
    assert is_locked(2.72, 1e-3)
    assert not is_locked(2.8, 1e-3)


@given(st.floats(min_value=-700.0, max_value=700.0))
def test_ln_undoes_exp(k: float) -> None:
    readouts = natural_log_readouts(k)
    assert readouts["ln_1"] == 0.0
    assert readouts["ln_exp_k_exact"] == k
    assert abs(readouts["ln_exp_k"] - k) <= 4 * math.ulp(max(abs(k), 1.0))


@pytest.mark.parametrize("k", [710.0, -760.0, math.nan])
def test_ln_readouts_reject_k_whose_exp_is_not_a_normal_float(k: float) -> None:
    with pytest.raises(ParamError):
        natural_log_readouts(k)


def test_lock_interval_is_where_ln_b_is_within_tolerance_of_1() -> None:
    from calcanim.numerics.exponentials import lock_interval

    lo, hi = lock_interval(0.01)
    assert float(mpmath.log(lo)) == pytest.approx(0.99, abs=1e-15)
    assert float(mpmath.log(hi)) == pytest.approx(1.01, abs=1e-15)
    assert is_locked(lo * 1.0001, 0.01) and not is_locked(lo * 0.9999, 0.01)
    with pytest.raises(ParamError):
        lock_interval(0.0)


def test_root_finding_with_a_wide_bracket_still_gives_e() -> None:
    assert abs(unit_slope_base(1.0001, 50.0) - float(mpmath.e)) <= 1e-12
