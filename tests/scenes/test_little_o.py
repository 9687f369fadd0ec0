"""little-o: params validation, the ratios against mpmath and the lesson's verdicts, a real render."""

from __future__ import annotations

import json
import math
from pathlib import Path

import mpmath
import numpy as np
import pytest

from calcanim.errors import ParamError
from calcanim.params.little_o import LittleOParams
from calcanim.plans.little_o import plan
from tests.scenes.video_checks import render_and_check


def exp_ratio(eps: float) -> float:
    with mpmath.workdps(60):
        e = mpmath.mpf(eps)
        return float((mpmath.exp(e) - 1 - e) / e)


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"value_offset": 0, "slope_offset": 0}, "slope_offset", "cannot both be 0"),
        ({"eps_values": [0.1, 1]}, "eps_values", "largest first"),
        ({"eps_values": [1]}, "eps_values", "at least 2"),
        ({"eps_values": [1, 0]}, "eps_values", ">= 1e-12"),
        ({"function": "log(x)"}, "function", "finite and real at x0 + eps = 0"),
        ({"function": "sqrt(x)", "x0": 0}, "x0", "differentiable"),
        ({"function": "exp(y)"}, "function", "y"),
        ({"slope_offset": 20}, "slope_offset", "<= 10"),
    ],
)
def test_invalid_params_name_the_field_and_value(values: dict, field: str, fragment: str) -> None:
    with pytest.raises(ParamError) as info:
        LittleOParams.from_mapping(values)
    assert f"'{field}'" in str(info.value) and fragment in str(info.value)


def test_exp_remainder_ratio_goes_to_zero_while_2eps_stays_near_2() -> None:
    p = plan(LittleOParams())
    data = json.loads(json.dumps(p.to_json()))
    assert data["remainder_is_little_o"] is True and data["offset_error_is_little_o"] is False
    assert [row["eps"] for row in data["rows"]] == [1, 0.1, 0.01, 0.001, 0.0001]
    for row in data["rows"]:
        assert row["remainder_ratio"] == pytest.approx(exp_ratio(row["eps"]), rel=1e-14)
        assert row["offset_ratio"] == pytest.approx(exp_ratio(row["eps"]) + 2, rel=1e-14)
    assert data["rows"][0]["remainder_ratio"] == pytest.approx(float(mpmath.e) - 2, rel=1e-15)
    # the drawn curves agree with the table where they meet
    for row, u in zip(p.rows, p.stops):
        assert p.point_at("good", u)[1] == pytest.approx(row.good_ratio, rel=1e-9)
    assert p.duration > p.poster_time > 0


def test_constant_offset_ratio_blows_up() -> None:
    p = plan(LittleOParams(value_offset=2, slope_offset=1))  # error eps + 2 beyond the tangent's
    ratios = [row.bad_ratio for row in p.rows]
    for row in p.rows:
        assert row.bad_ratio == pytest.approx(exp_ratio(row.eps) + 1 + 2 / row.eps, rel=1e-14)
    assert ratios[-1] > 1e4 and p.bad_leaves_plot() and not p.bad_is_little_o


@pytest.mark.parametrize(("function", "x0"), [("x**2", 1.0), ("sin(x)", 1.0), ("x**3", 2.0)])
def test_smooth_functions_give_little_o(function: str, x0: float) -> None:
    p = plan(LittleOParams(function=function, x0=x0))
    assert p.remainder_is_little_o and not p.bad_is_little_o
    if function == "x**2":  # r(eps) = eps^2 exactly, so the ratio is eps
        assert [row.good_ratio for row in p.rows] == pytest.approx([row.eps for row in p.rows], rel=1e-15)


def test_scene_builds_with_no_arguments() -> None:
    from calcanim.scenes.little_o import LittleOScene

    assert LittleOScene().plan.remainder_is_little_o


@pytest.mark.render
def test_real_render(tmp_path: Path) -> None:
    render_and_check("little-o", {"eps_values": [1, 0.01], "seconds": 1.5}, tmp_path)


# Exact decimal literals, corners, the picture, and every shown digit -----------------------------

import decimal  # noqa: E402
from fractions import Fraction  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from calcanim.plans.little_o import RATIO_DIGITS  # noqa: E402


@pytest.mark.parametrize("function", ["sin(4*x) + 0.1*x**2", "0.5*x**2 + 0.3*x", "exp(0.5*x)"])
def test_decimal_literals_keep_the_verdict_true(function: str) -> None:
    # issue 13: with 53-bit Floats these reported remainder_is_little_o false at x0 = 0.7
    p = plan(LittleOParams(function=function, x0=0.7, eps_values=(1, 1e-3, 1e-6, 1e-9, 1e-12)))
    assert p.remainder_is_little_o and not p.bad_is_little_o
    assert abs(p.rows[-1].good_ratio) < 1e-10


def mp_function(c: list[str]):
    """f(x) = c0*x**2 + c1*sin(c2*x) + exp(c3*x) and its derivative in closed form, at the working
    precision, coefficients exactly the decimals typed."""
    k = [mpmath.mpf(Fraction(v).numerator) / Fraction(v).denominator for v in c]
    f = lambda t: k[0] * t**2 + k[1] * mpmath.sin(k[2] * t) + mpmath.exp(k[3] * t)  # noqa: E731
    df = lambda t: 2 * k[0] * t + k[1] * k[2] * mpmath.cos(k[2] * t) + k[3] * mpmath.exp(k[3] * t)  # noqa: E731
    return f, df


coefficients = st.lists(
    st.decimals(min_value=-3, max_value=3, places=2, allow_nan=False, allow_infinity=False).map(str), min_size=4, max_size=4
)


@settings(max_examples=12, deadline=None)
@given(c=coefficients, x0=st.sampled_from([-1.5, 0.0, 0.7, 2.0]))
def test_smooth_functions_with_decimal_coefficients(c: list[str], x0: float) -> None:
    text = f"{c[0]}*x**2 + {c[1]}*sin({c[2]}*x) + exp({c[3]}*x)"
    p = plan(LittleOParams(function=text, x0=x0, eps_values=(1, 1e-2, 1e-5, 1e-9, 1e-12), seconds=1))
    assert p.remainder_is_little_o
    with mpmath.workdps(60):
        g, dg = mp_function(c)
        a = mpmath.mpf(x0)
        slope = dg(a)
        for row in p.rows:
            e = mpmath.mpf(row.eps)
            ratio = (g(a + e) - g(a) - slope * e) / e
            # r(eps)/eps is the 60-digit value rounded once to float (either side of an exact tie, which a 60-digit
            # reference cannot place: 0.45 eps^2 / eps at the binary eps = 0.01 is one)...
            half_ulp = mpmath.mpf(math.ulp(row.good_ratio)) / 2
            assert row.good_ratio == float(ratio) or abs(row.good_ratio - ratio) <= half_ulp * (1 + mpmath.mpf(10) ** -40)
            # ...and the table shows it rounded once to RATIO_DIGITS significant digits
            assert row.good_tex == reference_ratio_tex(ratio)


def reference_ratio_tex(value: mpmath.mpf) -> str:
    with decimal.localcontext(decimal.Context(prec=120, rounding=decimal.ROUND_HALF_EVEN)):
        exact = decimal.Decimal(mpmath.nstr(value, 50, strip_zeros=False))
        if exact == 0:
            return "0"
        mantissa, _, power = f"{exact:.{RATIO_DIGITS - 1}e}".partition("e")
        power_value = int(power)
        if not -3 <= power_value < 4:
            return rf"{mantissa} \cdot 10^{{{power_value}}}"
        return format(exact.quantize(decimal.Decimal(1).scaleb(-(RATIO_DIGITS - 1 - power_value))), "f")


@pytest.mark.parametrize(("function", "x0"), [("relu(x)", 0.0), ("abs(x - 1)", 1.0), ("max(x, 2*x)", 0.0), ("min(x, x**3)", 1.0)])
def test_corners_are_refused_with_their_slopes(function: str, x0: float) -> None:
    with pytest.raises(ParamError, match="'x0'.*corner at x0.*no tangent"):
        LittleOParams(function=function, x0=x0)


def test_picture_zooms_both_axes_and_the_tangent_gap_is_r() -> None:
    p = plan(LittleOParams())
    first = p.picture_box(1.0)
    for eps in (0.1, 1e-4):
        box = p.picture_box(eps)
        assert box == pytest.approx(tuple(v * eps for v in first), rel=1e-12)
        with mpmath.workdps(50):
            r = mpmath.exp(mpmath.mpf(eps)) - 1 - mpmath.mpf(eps)
        gap = p.curve_rise(np.array([eps]), eps)[0] - p.tangent_rise(eps)
        assert gap == pytest.approx(float(r), rel=1e-6)
        assert p.tangent_rise(eps) - p.offset_rise(eps) == pytest.approx(2 * eps, rel=1e-12)


def test_function_is_shown_as_typed() -> None:
    assert plan(LittleOParams(function="0.5*x**2 + 0.3*x", x0=0.7)).function_tex == "0.5x^{2} + 0.3x"


def test_cli_refuses_a_corner_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from calcanim.cli import main

    monkeypatch.chdir(tmp_path)
    for scene, point in (("little-o", "x0=0"), ("secant-to-tangent", "a=0")):
        extra = ["--set", "float_breakdown=true"] if scene == "secant-to-tangent" else []
        result = CliRunner().invoke(main, ["inspect", scene, "--set", "function=relu(x)", "--set", point, *extra], catch_exceptions=False)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("calcanim: error: ")
        assert "corner" in lines[0] and "Traceback" not in result.output


def _exp_remainder(eps: float) -> mpmath.mpf:
    """r(eps) for exp at 0, at 50 digits: e^eps - 1 - eps (f'(0) = 1)."""
    with mpmath.workdps(50):
        e = mpmath.mpf(eps)
        return mpmath.exp(e) - 1 - e


@pytest.mark.parametrize("eps_values", [(1.0, 0.1, 0.01, 0.001, 0.0001), (0.01, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12)])
def test_the_inset_magnifies_the_gap_to_a_third_to_three_quarters_of_its_height(eps_values: tuple[float, ...]) -> None:
    """Issue 15 (little-o): below eps = 1 the gap r(eps) is a sliver of the zoomed picture; the inset magnifies it
    by the least 1-2-5 step that makes it fill at least 0.3 of its height (so at most 0.75), gap from mpmath."""
    from calcanim.plans.little_o import INSET_FRACTION

    p = plan(LittleOParams(eps_values=eps_values))
    ladder = [m * 10**k for k in range(16) for m in (1, 2, 5)]
    for eps in np.geomspace(eps_values[0], eps_values[-1], 37):
        m, k = p.inset_magnification(float(eps))
        magnification = m * 10**k
        assert magnification in ladder
        window = p.picture_box(float(eps))[3] - p.picture_box(float(eps))[2]
        assert 2 * p.inset_window(float(eps), 1.0)[1] == pytest.approx(window * INSET_FRACTION / magnification, rel=1e-12)
        filled = float(abs(_exp_remainder(float(eps)))) * magnification / (window * INSET_FRACTION)
        smaller = ladder[ladder.index(magnification) - 1] if magnification > 1 else None
        if smaller is None:
            assert filled <= 0.75 + 1e-9
        else:
            assert 0.3 - 1e-9 <= filled <= 0.75 + 1e-9, (eps, magnification, filled)
            assert filled * smaller / magnification < 0.3  # the step below would leave it under 0.3
        assert (m, k) in p.magnification_steps()  # typeset before the clip starts


def test_the_inset_is_centred_on_the_gap_and_draws_f_exactly_where_float64_cannot() -> None:
    """The inset works in offsets from the gap's middle (f'(0) eps + r/2 for exp at 0): f there, at the gap's two
    ends and a box-width away, matches mpmath even at eps = 1e-12, where r = 5e-25 and float64 has no digit of it
    (nor can it tell u = eps from u = eps + the box's width); sin at 0 has r = -eps^3/6, 1.7e-37 at 1e-12."""
    for function, eps_values in (("exp(x)", (0.01, 1e-6, 1e-12)), ("sin(x)", (1.0, 1e-3, 1e-12))):
        p = plan(LittleOParams(function=function, eps_values=eps_values))
        for eps in eps_values:
            with mpmath.workdps(80):
                e = mpmath.mpf(eps)
                f = mpmath.exp if function == "exp(x)" else mpmath.sin
                r = f(e) - f(0) - e  # f'(0) = 1 for both
                middle = f(0) + e + r / 2
            half_w, half_h = p.inset_window(eps, 1.5)
            assert half_w / half_h == pytest.approx(1.5, rel=1e-12)
            offsets = np.array([0.0, -half_w, half_w])
            got = p.inset_curve(eps, offsets, half_h)
            with mpmath.workdps(80):
                want = [float(f(e + mpmath.mpf(float(d))) - middle) for d in offsets]
            assert got[0] == pytest.approx(float(r / 2), rel=1e-6)  # f is the gap's top end
            assert got == pytest.approx(want, rel=1e-6, abs=1e-9 * half_h)
            assert p.remainder_at(eps) == pytest.approx(float(r), rel=1e-9)


def test_magnifications_are_written_in_tex() -> None:
    from calcanim.plans.little_o import LittleOPlan

    tex = LittleOPlan.magnification_tex
    assert [tex(1, 0), tex(2, 1), tex(5, 3), tex(1, 4), tex(2, 12)] == [
        r"\times 1", r"\times 20", r"\times 5000", r"\times 10^{4}", r"\times 2 \cdot 10^{12}"]
