"""zoom-linearity: params validation, the plan's JSON (slope, checkpoints, views), one real render."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy

from calcanim.errors import ParamError
from calcanim.params.zoom_linearity import ZoomLinearityParams
from calcanim.plans.zoom_linearity import ENDING_SECONDS, INTRO_SECONDS, plan
from calcanim.registry import get_scene
from tests.scenes.video_checks import render_and_check


def _error(**values: object) -> str:
    with pytest.raises(ParamError) as caught:
        ZoomLinearityParams.from_mapping(values)
    return str(caught.value)


@pytest.mark.parametrize(
    ("values", "fragments"),
    [
        ({"function": "foo(x)"}, ["'function'", "unknown function 'foo'", "foo(x)"]),
        ({"function": "__import__('os')"}, ["'function'", "__import__"]),
        ({"function": "x.real"}, ["'function'", "attribute access"]),
        ({"function": "x +"}, ["'function'", "cannot parse"]),
        ({"function": "log(x)", "point": -1}, ["'point'", "log(x)", "x = -1.0"]),
        ({"function": "sqrt(x)", "point": -3, "half_width": 1}, ["'point'", "sqrt(x)"]),
        ({"zooms": [10, 1]}, ["'zooms'", "increasing", "[10.0, 1.0]"]),
        ({"zooms": [0.5, 10]}, ["'zooms'", ">= 1", "0.5"]),
        ({"zooms": [1, 1e7]}, ["'zooms'", "10000000.0"]),
        ({"zooms": []}, ["'zooms'", "at least 1"]),
        ({"half_width": 0}, ["'half_width'", "> 0"]),
        ({"equal_axes": "no"}, ["'equal_axes'", "true or false"]),
        ({"zoom": [1]}, ["unknown parameter 'zoom'", "did you mean 'zooms'"]),
    ],
)
def test_bad_params_name_the_field_value_and_rule(values: dict, fragments: list[str]) -> None:
    message = _error(**values)
    for fragment in fragments:
        assert fragment in message


def _json(**values: object) -> dict:
    return json.loads(json.dumps(plan(ZoomLinearityParams.from_mapping(values)).to_json()))


@pytest.mark.parametrize(("point", "slope"), [(1, 2.0), (-1, -2.0)])
def test_parabola_slopes_from_the_lesson(point: float, slope: float) -> None:
    data = _json(point=point)
    assert data["slope"] == slope
    assert data["differentiable"] is True
    assert data["second_derivative"] == 2.0
    assert data["point"] == {"x": float(point), "y": 1.0}


def test_checkpoints_shape_and_values_for_x_squared() -> None:
    checkpoints = _json()["checkpoints"]
    assert [c["zoom"] for c in checkpoints] == [1, 10, 100, 1000]
    assert all(isinstance(c["zoom"], int) for c in checkpoints)
    for c in checkpoints:
        w = 2.0 / c["zoom"]
        assert c["half_width"] == pytest.approx(w, rel=1e-15)
        # (x - 1)^2 is the gap to the tangent 2x - 1: largest at the window's ends, w^2
        assert c["max_gap"] == pytest.approx(w**2, rel=1e-9)
        assert c["relative_gap"] == pytest.approx(w, rel=1e-9)


@pytest.mark.parametrize(("function", "point"), [("sin(4*x) + 0.1*x**2", 0.3), ("exp(x)", 0.5), ("x**3", -2)])
def test_relative_gap_falls_like_half_the_second_derivative_times_w(function: str, point: float) -> None:
    data = _json(function=function, point=point, zooms=[1, 100, 1000, 10000])
    x = sympy.Symbol("x", real=True)
    reference = sympy.sympify(function, locals={"x": x})  # the test's own reference, not calcanim.expr
    curvature = abs(float(sympy.diff(reference, x, 2).subs(x, sympy.Rational(str(point)))))
    assert data["slope"] == pytest.approx(float(sympy.diff(reference, x).subs(x, sympy.Rational(str(point)))), rel=1e-12)
    for c in data["checkpoints"][1:]:
        assert c["relative_gap"] / c["half_width"] == pytest.approx(curvature / 2, rel=0.02)


def test_corner_has_null_slope_and_a_gap_that_never_shrinks() -> None:
    data = _json(function="abs(x)", point=0)
    assert data["slope"] is None
    assert data["differentiable"] is False
    assert data["second_derivative"] is None
    assert [c["relative_gap"] for c in data["checkpoints"]] == pytest.approx([1.0] * 4, rel=1e-12)


def test_views_show_actual_coordinates_at_every_zoom() -> None:
    views = _json()["views"]
    assert views[-1]["x"]["labels"] == ["0.998", "0.999", "1.000", "1.001", "1.002"]
    for view in views:
        for axis in ("x", "y"):
            low, high = view[axis]["offset_range"]
            centre = view[axis]["centre"]
            assert all(low - 1e-12 <= t <= high + 1e-12 for t in view[axis]["tick_offsets"])
            labels = view[axis]["labels"]
            assert len(set(labels)) == len(labels) >= 3
            assert [float(s) for s in labels] == pytest.approx([centre + t for t in view[axis]["tick_offsets"]], abs=1e-12)


def test_equal_axes_false_zooms_only_x() -> None:
    equal, stretched = _json()["views"], _json(equal_axes=False)["views"]
    assert [v["x"]["offset_range"] for v in stretched] == [v["x"]["offset_range"] for v in equal]
    assert all(v["y"]["offset_range"] == equal[0]["y"]["offset_range"] for v in stretched)


def test_duration_and_poster() -> None:
    p = plan(ZoomLinearityParams.from_mapping({"zoom_seconds": 2, "hold_seconds": 0.5}))
    assert p.duration == pytest.approx(INTRO_SECONDS + 0.5 + 3 * (2 + 0.5) + ENDING_SECONDS)
    assert 0 < p.poster_time < p.duration
    assert p.to_json()["duration"] == p.duration


def test_curve_is_clipped_to_the_window() -> None:
    p = plan(ZoomLinearityParams.from_mapping({"function": "x**4", "point": 1.5}))
    view = p.view(1.0)
    for part in p.curve_parts(view):
        assert part[:, 1].min() >= view.y.low - 1e-12 and part[:, 1].max() <= view.y.high + 1e-12
        assert part[:, 0].min() >= view.x.low - 1e-12 and part[:, 0].max() <= view.x.high + 1e-12


def test_scene_builds_with_no_arguments() -> None:
    from calcanim.scenes.zoom_linearity import ZoomLinearityScene

    scene = ZoomLinearityScene()
    assert scene.params == ZoomLinearityParams()
    assert scene.plan.slope == 2.0


def test_registry_lists_the_clip() -> None:
    assert get_scene("zoom-linearity").params_class is ZoomLinearityParams


@pytest.mark.render
def test_low_quality_render(tmp_path: Path) -> None:
    render_and_check("zoom-linearity", {"zooms": [1, 100], "zoom_seconds": 1.5, "hold_seconds": 0.4}, tmp_path)


@pytest.mark.render
def test_renders_at_the_edges_a_pole_in_the_window_and_the_deepest_zoom(tmp_path: Path) -> None:
    """Issue 14: an isolated pole (documented as allowed) crashed the render with OverflowError.
    1/x at 1 with half width 2 has the pole at 0 in the first window; the last zoom is the deepest allowed."""
    plan_ = render_and_check(
        "zoom-linearity",
        {"function": "1/x", "point": 1, "zooms": [1, 1e6], "zoom_seconds": 0.2, "hold_seconds": 0.2},
        tmp_path,
    )
    assert plan_.unbounded == (True, False)


@pytest.mark.render
def test_renders_far_from_zero_at_the_deepest_zoom(tmp_path: Path) -> None:
    """point = 1000 (the largest allowed) at zoom 10^6: offset tick labels are typeset and drawn."""
    plan_ = render_and_check(
        "zoom-linearity",
        {"point": 1000, "zooms": [1, 1e6], "zoom_seconds": 0.2, "hold_seconds": 0.2},
        tmp_path,
    )
    assert plan_.view(1e6).x.labels[0] == r"1000 - 10^{-6}"
