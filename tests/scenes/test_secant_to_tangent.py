"""secant-to-tangent: params validation, the plan's numbers against exact arithmetic and the lesson, a real render."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from calcanim.errors import ParamError
from calcanim.params.secant_to_tangent import SecantToTangentParams
from calcanim.plans.secant_to_tangent import plan
from tests.scenes.video_checks import render_and_check


def f_exact(t: Fraction) -> Fraction:
    return 3 * t * t - 4 * t + 5


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"function": "3*x^2"}, "function", "use ** for powers"),
        ({"function": "y + 1"}, "function", "y"),
        ({"function": "log(x)", "a": -1}, "a", "finite and real at a = -1"),
        ({"function": "1/(x - 4)"}, "hs", "a + h = 4"),
        ({"hs": [0.1, 1]}, "hs", "largest first"),
        ({"hs": [1, 0]}, "hs", "> 0"),
        ({"hs": []}, "hs", "at least 1"),
        ({"a": "three"}, "a", "a number"),
        ({"a": 1e6}, "a", "<= 50"),
        ({"breakdown_hs": [1e-2]}, "breakdown_hs", "<= 0.001"),
        ({"float_breakdown": "yes"}, "float_breakdown", "true or false"),
        ({"function": "sqrt(x)", "a": 0}, "a", "differentiable"),
    ],
)
def test_invalid_params_name_the_field_and_value(values: dict, field: str, fragment: str) -> None:
    with pytest.raises(ParamError) as info:
        SecantToTangentParams.from_mapping(values)
    message = str(info.value)
    assert f"'{field}'" in message and fragment in message


def test_unknown_key_suggests_the_nearest() -> None:
    with pytest.raises(ParamError, match="did you mean 'hs'"):
        SecantToTangentParams.from_mapping({"h": [1]})


def test_lesson_values() -> None:
    p = plan(SecantToTangentParams())
    assert p.f_a == 20.0 and p.derivative == 14.0
    assert plan(SecantToTangentParams(a=-3)).derivative == -22.0
    # f'(x) = 6x - 4 vanishes at 2/3; at the float nearest 2/3 it is 6 * fl(2/3) - 4 exactly
    near = plan(SecantToTangentParams(a=2 / 3)).derivative
    assert near == float(6 * Fraction(2 / 3) - 4) and abs(near) < 1e-15


def test_inspect_json_has_derivative_and_one_checkpoint_per_h() -> None:
    params = SecantToTangentParams.from_mapping({"hs": [1, 0.1, 0.01, 0.001]})
    data = json.loads(json.dumps(plan(params).to_json()))
    assert data["derivative"] == 14.0
    assert [c["h"] for c in data["checkpoints"]] == [1, 0.1, 0.01, 0.001]
    for c in data["checkpoints"]:
        assert {"h", "slope_exact", "slope_float64"} <= set(c)
        # exact secant slope 14 + 3h at the binary value of h, rounded once
        assert c["slope_exact"] == float(14 + 3 * Fraction(c["h"]))
        assert c["slope_float64"] == ((3 * (3 + c["h"]) ** 2 - 4 * (3 + c["h"]) + 5) - 20.0) / c["h"]
    assert [c["label"] for c in data["checkpoints"]] == ["17", "14.3", "14.03", "14.003"]
    assert data["float_breakdown"] is None
    assert data["duration"] == pytest.approx(plan(params).duration)


def test_float_breakdown_tail_drifts_then_hits_zero() -> None:
    p = plan(SecantToTangentParams(float_breakdown=True))
    rows = {row.h: row for row in p.breakdown}
    assert [row.h for row in p.breakdown][-2:] == [1e-15, 1e-16]
    # at 1e-16, 3 + h rounds to 3 (half an ulp of 3 is 2.2e-16): the rise is exactly 0
    assert 3.0 + 1e-16 == 3.0 and rows[1e-16].a_plus_h_equals_a and rows[1e-16].slope_float64 == 0.0
    # at 1e-8 float64 is still close; at 1e-15 rounding has swamped the answer
    assert abs(rows[1e-8].slope_float64 - 14) < 1e-6 and rows[1e-8].good
    assert abs(rows[1e-15].slope_float64 - 14) > 1 and not rows[1e-15].good
    for row in p.breakdown:
        assert row.slope_exact == float(14 + 3 * Fraction(row.h))
        assert abs(row.error) <= row.error_bound
    assert "quotient is 0" in " ".join(p.breakdown_reason)
    assert p.duration > plan(SecantToTangentParams()).duration


def test_plan_windows_hold_the_secants() -> None:
    p = plan(SecantToTangentParams())
    x_min, x_max, y_min, y_max = p.window
    for c in p.checkpoints:
        assert x_min <= c.q[0] <= x_max and y_min <= c.q[1] <= y_max
    (x0, y0), (x1, y1) = p.tangent_segment()
    assert (y1 - y0) / (x1 - x0) == pytest.approx(14.0)
    assert p.duration > p.poster_time > 0


def test_scene_builds_with_no_arguments() -> None:
    from calcanim.scenes.secant_to_tangent import SecantToTangentScene

    scene = SecantToTangentScene()
    assert scene.plan.derivative == 14.0


@pytest.mark.render
def test_real_render(tmp_path: Path) -> None:
    render_and_check(
        "secant-to-tangent",
        {"hs": [1, 0.01], "seconds_per_h": 0.6, "float_breakdown": True, "breakdown_hs": [1e-8, 1e-16]},
        tmp_path,
    )


# Exact decimal literals, f as typed, corners, and every shown digit ----------------------------------

import decimal  # noqa: E402

import mpmath  # noqa: E402
import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from calcanim.plans.secant_to_tangent import LIVE_H_DIGITS, LIVE_SLOPE_DECIMALS, TABLE_DECIMALS  # noqa: E402


def rounded(value: Fraction | mpmath.mpf | str, places: int) -> str:
    """The reference rounding: Python's decimal module, half to even, from a 60-digit decimal string."""
    with decimal.localcontext(decimal.Context(prec=120, rounding=decimal.ROUND_HALF_EVEN)):
        if isinstance(value, Fraction):
            exact = decimal.Decimal(value.numerator) / decimal.Decimal(value.denominator)
        else:
            exact = decimal.Decimal(mpmath.nstr(value, 60, strip_zeros=False) if not isinstance(value, str) else value)
        text = format(exact.quantize(decimal.Decimal(1).scaleb(-places)), "f")
    return text


def test_decimal_literal_keeps_the_tail_exact() -> None:
    # issue 13: 0.5*x**2 at a = 1 has exact secant slope 1 + h/2 at the binary h; at 1e-14 that is 1.000000000000005
    p = plan(SecantToTangentParams(function="0.5*x**2", a=1, float_breakdown=True))
    rows = {row.h: row for row in p.breakdown}
    for h, row in rows.items():
        exact = 1 + Fraction(h) / 2
        assert row.slope_exact == float(exact)
        # the float64 quotient, computed here as CPython computes the typed formula
        quotient = (0.5 * (1.0 + h) ** 2 - 0.5 * 1.0**2) / h
        assert row.slope_float64 == quotient
        assert row.rounding_error == float(Fraction(quotient) - exact)
    assert repr(rows[1e-14].slope_exact) == "1.000000000000005"
    assert rows[1e-14].rounding_error_tex == r"-8.0 \cdot 10^{-4}" and not rows[1e-14].good


def test_float64_tail_evaluates_the_typed_order() -> None:
    # sympy rewrites 1 + x**2 - 1 as x**2; the typed order rounds 1 + x**2 first, so float64 differs
    a, h = 0.001, 1e-5
    p = plan(SecantToTangentParams(function="1 + x**2 - 1", a=a, float_breakdown=True, breakdown_hs=(h,)))
    typed = ((1 + (a + h) ** 2 - 1) - (1 + a**2 - 1)) / h
    reordered = ((a + h) ** 2 - a**2) / h
    assert typed != reordered
    assert p.breakdown[0].slope_float64 == typed


@pytest.mark.parametrize("text", ["relu(x)", "abs(x)", "max(x, -x)", "min(x, 2*x)"])
def test_corners_have_no_derivative_and_two_one_sided_secant_limits(text: str) -> None:
    p = plan(SecantToTangentParams(function=text, a=0))
    data = json.loads(json.dumps(p.to_json()))
    assert p.derivative is None and data["derivative"] is None and data["derivative_exists"] is False
    slopes = {"relu(x)": (0, 1), "abs(x)": (-1, 1), "max(x, -x)": (-1, 1), "min(x, 2*x)": (2, 1)}[text]
    assert (data["corner"]["left_slope"], data["corner"]["right_slope"]) == slopes
    for c in p.checkpoints:  # piecewise linear: every secant from each side has that side's slope exactly
        assert (c.left_slope_exact, c.slope_exact) == slopes
    assert p.tangent_segment() is None and len(p.one_sided_rays()) == 2


def test_corner_with_the_float64_tail_is_refused() -> None:
    with pytest.raises(ParamError, match="'float_breakdown'.*corner at a = 0"):
        SecantToTangentParams(function="relu(x)", a=0, float_breakdown=True)


decimal_coefficient = st.decimals(min_value=-20, max_value=20, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(
    c2=decimal_coefficient,
    c1=decimal_coefficient,
    c0=decimal_coefficient,
    a=st.floats(min_value=-5, max_value=5, allow_nan=False).filter(lambda v: v == 0 or abs(v) >= 1e-100),  # params refuse tinier
    exponent=st.integers(min_value=3, max_value=15),
)
def test_slope_exact_is_the_exact_rational_quotient(c2, c1, c0, a: float, exponent: int) -> None:
    text = f"{c1}*x + {c2}*x**2 + {c0}"
    h = 10.0**-exponent
    p = plan(SecantToTangentParams(function=text, a=a, hs=(1.0,), float_breakdown=True, breakdown_hs=(h,)))
    q2, q1, q0 = (Fraction(str(c)) for c in (c2, c1, c0))
    f = lambda t: q1 * t + q2 * t * t + q0  # noqa: E731
    exact = (f(Fraction(a) + Fraction(h)) - f(Fraction(a))) / Fraction(h)
    assert p.breakdown[0].slope_exact == float(exact)
    assert p.breakdown[0].rounding_error == float(Fraction(p.breakdown[0].slope_float64) - exact)
    shown = rounded(f(Fraction(a) + 1) - f(Fraction(a)), TABLE_DECIMALS).rstrip("0").rstrip(".")
    assert p.checkpoints[0].label == ("0" if shown in ("-0", "") else shown)


@pytest.mark.parametrize(("text", "a"), [("3*x**2 - 4*x + 5", 3.0), ("sin(4*x) + 0.1*x**2", 0.7), ("exp(0.5*x)", -1.3)])
def test_live_readouts_are_the_true_values_rounded_once(text: str, a: float) -> None:
    """At sampled moments of the shrink (h anywhere between the first and last checkpoint), the h and
    slope readouts' digits equal the 50-digit mpmath values rounded to the digits shown."""
    from calcanim.scenes.secant_to_tangent import SecantToTangentScene

    scene = SecantToTangentScene(SecantToTangentParams(function=text, a=a))
    pl = scene.plan
    slope_readout = scene.number(0.0, LIVE_SLOPE_DECIMALS)
    mantissa_readout = scene.number(1.0, LIVE_H_DIGITS - 1)
    g = lambda t: mpmath.mpmathify(eval(text, {"__builtins__": {}}, {"x": t, "sin": mpmath.sin, "exp": mpmath.exp}))  # noqa: E731, S307
    with mpmath.workdps(50):
        for h in np.logspace(0, -3, 23):
            h = float(h)
            slope = (g(mpmath.mpf(a) + mpmath.mpf(h)) - g(mpmath.mpf(a))) / mpmath.mpf(h)
            assert slope_readout._get_num_string(pl.live_slope_shown(h)) == rounded(slope, LIVE_SLOPE_DECIMALS)
            mantissa, power = pl.live_h_shown(h)
            reference_mantissa, _, reference_power = f"{decimal.Decimal(h):.{LIVE_H_DIGITS - 1}e}".partition("e")
            assert (mantissa_readout._get_num_string(mantissa), power) == (reference_mantissa, int(reference_power))
    assert pl.derivative_label == rounded(mpmath.diff(g, mpmath.mpf(a)), TABLE_DECIMALS).rstrip("0").rstrip(".")


def test_h_readout_tells_1e_minus_5_apart() -> None:
    p = plan(SecantToTangentParams(hs=(1e-3, 1e-5)))
    assert p.live_h_shown(1e-5) == (1.0, -5) and p.live_h_shown(1.2e-5) == (1.2, -5)
    assert p.checkpoints[1].h_tex == "10^{-5}"


def test_function_is_shown_as_typed() -> None:
    assert plan(SecantToTangentParams(function="sin(4*x) + 0.1*x**2", a=0.7)).function_tex == r"\sin\left(4x\right) + 0.1x^{2}"
