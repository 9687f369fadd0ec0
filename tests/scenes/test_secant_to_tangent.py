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
