"""tangent-slide: params validation, tangents against sympy and mpmath, a real render."""

from __future__ import annotations

import json
from pathlib import Path

import mpmath
import pytest

from calcanim.errors import ParamError
from calcanim.params.tangent_slide import WIGGLY_FUNCTION, TangentSlideParams
from calcanim.plans.tangent_slide import plan
from tests.scenes.video_checks import render_and_check


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"x_min": 3, "x_max": 1}, "x_max", "greater than x_min"),
        ({"start": 9}, "start", "within [x_min, x_max]"),
        ({"start": 1, "end": 1}, "end", "differ from start"),
        ({"function": "log(x)"}, "function", "no tangent at x = -2.64"),
        ({"function": "1/x"}, "function", "no tangent at x = 0"),
        ({"function": "sin(x"}, "function", "sin(x"),
        ({"seconds": 0}, "seconds", ">= 1"),
        ({"second_order": 1}, "second_order", "true or false"),
    ],
)
def test_invalid_params_name_the_field_and_value(values: dict, field: str, fragment: str) -> None:
    with pytest.raises(ParamError) as info:
        TangentSlideParams.from_mapping(values)
    assert f"'{field}'" in str(info.value) and fragment in str(info.value)


def test_tangents_of_the_lessons_wiggly_function_match_mpmath() -> None:
    p = plan(TangentSlideParams(function=WIGGLY_FUNCTION, second_order=True))
    g = lambda w: mpmath.sin(4 * w) + mpmath.mpf("0.1") * w**2  # noqa: E731
    for t in p.samples:
        assert t.y0 == pytest.approx(float(g(t.x0)), abs=1e-14)
        assert t.slope == pytest.approx(float(mpmath.diff(g, t.x0)), abs=1e-12)
        assert t.curvature == pytest.approx(float(mpmath.diff(g, t.x0, 2)), abs=1e-10)
        # the quadratic matches f to third order: error ~ |f'''| d^3 / 6 for a small step d
        d = 1e-3
        assert abs(float(t.quadratic(t.x0 + d)) - float(g(t.x0 + d))) < 70 * d**3


def test_sin_tangent_is_cos_and_json_shape() -> None:
    p = plan(TangentSlideParams())
    data = json.loads(json.dumps(p.to_json()))
    assert data["derivative_function"] == "cos(x)" and data["path"] == [-2.64, 2.64]
    assert len(data["tangents"]) == 9
    for t in data["tangents"]:
        assert t["slope"] == pytest.approx(float(mpmath.cos(t["x0"])), abs=1e-15)
    assert data["duration"] == p.duration and 0 < p.poster_time < p.duration
    x_min, x_max, y_min, y_max = p.window
    assert x_min == -3 and x_max == 3 and y_min < -1 and y_max > 1


def test_tangent_segment_has_fixed_screen_length_and_stays_in_window() -> None:
    p = plan(TangentSlideParams(function=WIGGLY_FUNCTION))
    for t in p.samples:
        (x0, y0), (x1, y1) = p.tangent_segment(t, 1.5, 2.0, 1.0)
        assert (y1 - y0) == pytest.approx(t.slope * (x1 - x0))
        assert ((2 * (x1 - x0)) ** 2 + (y1 - y0) ** 2) ** 0.5 <= 3.0 + 1e-9
        assert p.window[0] <= x0 <= x1 <= p.window[1]


def test_scene_builds_with_no_arguments() -> None:
    from calcanim.scenes.tangent_slide import TangentSlideScene

    assert TangentSlideScene().plan.field.first.text.startswith("d/dx")


@pytest.mark.render
def test_real_render(tmp_path: Path) -> None:
    render_and_check("tangent-slide", {"function": WIGGLY_FUNCTION, "second_order": True, "seconds": 2}, tmp_path)
