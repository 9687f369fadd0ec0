"""tangent-slide: params validation, tangents against sympy and mpmath, a real render."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
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


# Equal axes, corners, exact literals and the digits shown ----------------------------------------

import decimal  # noqa: E402

from calcanim.numerics.tangent_line import equal_unit_area  # noqa: E402
from calcanim.plans.tangent_slide import READOUT_DECIMALS  # noqa: E402


def rounded(value: mpmath.mpf, places: int) -> str:
    with decimal.localcontext(decimal.Context(prec=120, rounding=decimal.ROUND_HALF_EVEN)):
        text = format(decimal.Decimal(mpmath.nstr(value, 60, strip_zeros=False)).quantize(decimal.Decimal(1).scaleb(-places)), "f")
    return "0.00" if text == "-0.00" else text


@pytest.mark.parametrize("aspect", [(12.3, 4.6), (7.1, 6.9)])
def test_default_sine_gets_equal_units(aspect: tuple[float, float]) -> None:
    p = plan(TangentSlideParams())
    width, height, (x_min, x_max, y_min, y_max), equal = equal_unit_area(p.window, *aspect)
    assert equal and width <= aspect[0] + 1e-12 and height <= aspect[1] + 1e-12
    assert width / (x_max - x_min) == pytest.approx(height / (y_max - y_min), rel=1e-12)
    assert (x_min, x_max) == p.window[:2] and y_min <= p.window[2] and y_max >= p.window[3]


def test_corners_on_the_ride_are_stops_without_tangents() -> None:
    p = plan(TangentSlideParams(function="abs(x) + relu(x - 1)"))
    data = json.loads(json.dumps(p.to_json()))
    assert data["corners"] == [
        {"x": 0.0, "left_slope": -1.0, "right_slope": 1.0},
        {"x": 1.0, "left_slope": 1.0, "right_slope": 2.0},
    ]
    legs = p.legs()
    assert [leg[1] for leg in legs] == [0.0, 1.0, 2.64] and [leg[3] for leg in legs][:2] == list(p.corners)
    assert sum(leg[2] for leg in legs) == pytest.approx(p.params.seconds)
    assert p.duration == pytest.approx(2.0 + 8.0 + 2 * p.corner_seconds + 2.0)
    assert p.corner_near(0.0) is not None and p.corner_near(1e-9) is None
    # no sampled tangent sits on a corner (the ninth sample, x = 0, is one)
    assert all(abs(t.x0) > 1e-12 and abs(t.x0 - 1) > 1e-12 for t in p.samples) and len(p.samples) == 8
    (x0, y0), (x1, y1) = p.ray(p.corners[0], -1, 1.5, 2.0, 1.0)
    assert x1 == 0.0 and x0 < 0 and (y1 - y0) / (x1 - x0) == pytest.approx(-1.0)


@pytest.mark.parametrize("text", ["max(x, 0.5*x**3)", "min(sin(x), cos(x))"])
def test_max_min_corners_are_found(text: str) -> None:
    p = plan(TangentSlideParams(function=text))
    assert p.corners, text
    for corner in p.corners:
        assert corner.left != corner.right


def test_readouts_are_the_true_values_rounded_once() -> None:
    """At sampled moments of the ride the x_0 and f'(x_0) readouts equal the 50-digit values rounded to 2 places."""
    from calcanim.scenes.tangent_slide import TangentSlideScene

    scene = TangentSlideScene(TangentSlideParams(function=WIGGLY_FUNCTION))
    pl = scene.plan
    readout = scene.number(0.0, READOUT_DECIMALS)
    with mpmath.workdps(50):
        for progress in [i / 40 for i in range(41)]:
            x = pl.params.path[0] + (pl.params.path[1] - pl.params.path[0]) * progress
            t = mpmath.mpf(x)
            slope = 4 * mpmath.cos(4 * t) + mpmath.mpf(2) / 10 * t  # d/dx of sin(4x) + x^2/10, with 0.1 exactly 1/10
            assert readout._get_num_string(pl.slope_shown(x)) == rounded(slope, READOUT_DECIMALS)
            assert readout._get_num_string(pl.x_shown(x)) == rounded(t, READOUT_DECIMALS)


def test_function_is_shown_as_typed() -> None:
    assert plan(TangentSlideParams(function=WIGGLY_FUNCTION)).function_tex == r"\sin\left(4x\right) + 0.1x^{2}"


@pytest.mark.render
def test_real_render_with_a_corner(tmp_path: Path) -> None:
    render_and_check("tangent-slide", {"function": "abs(x - 0.5)", "seconds": 2}, tmp_path)


def _built(values: dict, aspect: str) -> Any:
    """The scene built and played through (no video) in the frame of ``aspect``."""
    from manim import tempconfig

    from calcanim.scenes.tangent_slide import TangentSlideScene
    from calcanim.style.layout import make_layout

    layout = make_layout("low", aspect)
    settings = {"dry_run": True, "frame_rate": 5, "pixel_width": layout.pixel_width, "pixel_height": layout.pixel_height,
                "frame_width": layout.frame_width, "frame_height": layout.frame_height}
    with tempconfig(settings):
        scene = TangentSlideScene(TangentSlideParams.from_mapping({"seconds": 1, **values}))
        scene.render()
        scene.frame = (layout.frame_width, layout.frame_height)
    return scene


@pytest.mark.parametrize(
    ("values", "aspect"),
    [({}, "9:16"), ({}, "1:1"), ({}, "4:3"), ({"function": WIGGLY_FUNCTION}, "9:16"),
     ({"function": "0.1*sin(x)", "x_min": -10, "x_max": 10}, "16:9")],
)
def test_equal_axes_in_every_frame_shape(values: dict, aspect: str) -> None:
    """Issue 15: the slope is read by eye, so one unit of x and one of y are the same length on screen
    (9:16 fell back to "axes not to scale" for sin(x)); measured on the drawn axes, inside the frame."""
    scene = _built(values, aspect)
    axes = scene.axes
    origin = axes.c2p(0, 0)
    x_unit, y_unit = axes.c2p(1, 0)[0] - origin[0], axes.c2p(0, 1)[1] - origin[1]
    assert scene.equal_axes and x_unit == pytest.approx(y_unit, rel=1e-9)
    width, height = scene.frame
    assert axes.width <= width and axes.height <= height
    # the whole curve is in the window, and the plot is not a squiggle in a tower of empty axes
    (x_min, x_max), (y_min, y_max) = axes.x_range[:2], axes.y_range[:2]
    p = scene.plan
    xs = np.linspace(p.params.x_min, p.params.x_max, 2001)
    ys = np.array([float(p.expression(x)) for x in xs])
    assert y_min <= ys.min() and ys.max() <= y_max
    assert axes.y_axis.height <= 1.0001 * max(axes.x_axis.width, (ys.max() - ys.min()) * y_unit)


def test_a_curve_too_tall_for_the_frame_keeps_the_fallback() -> None:
    p = plan(TangentSlideParams(function="exp(x)"))  # e^3 / e^-3 = 403: equal units would leave a sliver
    assert not equal_unit_area(p.window, 6.1, 9.0)[3]  # the 9:16 plot area
    assert equal_unit_area(plan(TangentSlideParams(function="x**2")).window, 6.1, 9.0)[3]
