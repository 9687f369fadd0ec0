"""little-o: params validation, the ratios against mpmath and the lesson's verdicts, a real render."""

from __future__ import annotations

import json
from pathlib import Path

import mpmath
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
