"""Little-o and the linearization remainder r(eps) = f(x + eps) - f(x) - f'(x) eps."""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy

from calcanim.errors import ParamError
from calcanim.numerics.little_o import (
    EPS,
    is_little_o,
    linearization_remainder,
    offset_ratios,
    remainder_ratios,
)

x = sympy.Symbol("x")
EPS_VALUES = [1e-1, 1e-2, 1e-4, 1e-8, 1e-12, 1e-16, 1e-30, 1e-100, -1e-3, -1e-9]


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (x, False),
        (x**2, True),
        (5 * x, False),
        (x**2 + x, False),
        (sympy.exp(x) - 1 - x, True),
        (sympy.sin(x) - x, True),
        (sympy.Abs(x), False),
        (x**2 * sympy.sin(1 / x), True),
        (x * sympy.sin(1 / x), False),  # f / g oscillates: no limit
    ],
)
def test_lesson_cases_against_x(f: sympy.Expr, expected: bool) -> None:
    assert is_little_o(f, x, x) is expected


def test_both_sides_must_vanish() -> None:
    one_sided = sympy.Piecewise((x, x < 0), (x**2, True))  # o(x) from the right only
    assert sympy.limit(one_sided / x, x, 0, dir="+") == 0
    assert not is_little_o(one_sided, x, x)


def test_little_o_at_other_points_and_at_infinity() -> None:
    assert is_little_o((x - 1) ** 2, x - 1, x, 1)
    assert not is_little_o(x - 1, x - 1, x, 1)
    assert is_little_o(sympy.log(x), x, x, sympy.oo)
    assert not is_little_o(x**2, x, x, sympy.oo)


def test_remainder_of_x_squared_at_1_is_eps_squared() -> None:
    assert linearization_remainder(x**2, 1) == EPS**2
    assert linearization_remainder(x**2, 1.0) == EPS**2
    for row in remainder_ratios(x**2, 1, EPS_VALUES):
        assert row["ratio"] == pytest.approx(row["eps"], rel=1e-15)
        assert row["remainder"] == pytest.approx(row["eps"] ** 2, rel=1e-15)


def _exp_ratio_reference(eps: float) -> float:
    """(e^eps - 1 - eps) / eps at eps's exact binary value, with digits to spare past the cancellation."""
    digits = 50 + 2 * max(0, math.ceil(-math.log10(abs(eps))))
    with mpmath.workdps(digits):
        e = mpmath.mpf(eps)
        return float((mpmath.exp(e) - 1 - e) / e)


def test_remainder_ratio_of_exp_at_0_is_about_half_eps() -> None:
    for row in remainder_ratios(sympy.exp(x), 0, EPS_VALUES):
        reference = _exp_ratio_reference(row["eps"])
        assert row["ratio"] == pytest.approx(reference, rel=1e-14)
        assert row["remainder"] == pytest.approx(reference * row["eps"], rel=1e-14)
        if abs(row["eps"]) <= 1e-4:
            assert row["ratio"] == pytest.approx(row["eps"] / 2, rel=1e-4)


def test_remainder_of_a_smooth_function_is_little_o_of_eps() -> None:
    for expr, x0 in [(sympy.sin(x), 1), (sympy.exp(x), 0), (x**3, 2), (sympy.log(x), 3)]:
        assert is_little_o(linearization_remainder(expr, x0), EPS, EPS)
        ratios = [abs(row["ratio"]) for row in remainder_ratios(expr, x0, [1e-1, 1e-3, 1e-6, 1e-9])]
        assert all(later < earlier for earlier, later in zip(ratios, ratios[1:]))


def test_sin_remainder_at_0_is_cubic_and_stays_accurate() -> None:
    for row in remainder_ratios(sympy.sin(x), 0, [1e-5, 1e-50]):
        assert row["ratio"] == pytest.approx(-row["eps"] ** 2 / 6, rel=1e-9)


def test_wrong_slope_keeps_the_ratio_away_from_zero() -> None:
    rows = offset_ratios(x**2, 1, [1e-1, 1e-3, 1e-6, 1e-9])  # error r + 2 eps
    assert [row["ratio"] for row in rows] == pytest.approx([2.1, 2.001, 2.000001, 2.000000001], rel=1e-14)
    assert not is_little_o(linearization_remainder(x**2, 1) + 2 * EPS, EPS, EPS)


def test_offset_approximation_ratio_blows_up() -> None:
    # error r + eps + 2
    rows = offset_ratios(sympy.exp(x), 0, [1e-1, 1e-3, 1e-6], value_offset=2.0, slope_offset=1.0)
    for row in rows:
        remainder = _exp_ratio_reference(row["eps"]) * row["eps"]
        assert row["remainder"] == pytest.approx(2 + row["eps"] + remainder, rel=1e-14)
    ratios = [row["ratio"] for row in rows]
    assert ratios[-1] > 1e6 and all(later > earlier for earlier, later in zip(ratios, ratios[1:]))


def test_remainder_that_sympy_cannot_tell_from_zero_reports_zero() -> None:
    rows = remainder_ratios(sympy.sin(x) ** 2 + sympy.cos(x) ** 2, 0.5, [1e-3])
    assert rows == [{"eps": 1e-3, "remainder": 0.0, "ratio": 0.0}]


def test_eps_zero_is_rejected() -> None:
    with pytest.raises(ParamError):
        remainder_ratios(x**2, 1, [0.0])


def test_complex_remainder_is_rejected() -> None:
    with pytest.raises(ParamError):
        remainder_ratios(sympy.sqrt(x), 0, [-1e-3])


def test_ratio_curve_matches_independent_references() -> None:
    from calcanim.numerics.little_o import ratio_curve

    eps_values = [1.0, 1e-2, 1e-5, 1e-9, -1e-3]
    exp_error = linearization_remainder(sympy.exp(x), 0)
    for eps, value in zip(eps_values, ratio_curve(exp_error, eps_values)):
        assert value == pytest.approx(_exp_ratio_reference(eps), rel=1e-14)
    # x^2 at 1: r = eps^2, so r/eps = eps; with the 2 eps offset it is eps + 2
    square = linearization_remainder(x**2, 1)
    assert ratio_curve(square + 2 * EPS, [0.5, 1e-7]) == pytest.approx([2.5, 2.0000001], rel=1e-15)
    with pytest.raises(ParamError):
        ratio_curve(square, [0.0])
