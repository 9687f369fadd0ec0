"""tangent-plane: params validation, the plane from the gradient against the lesson's closed form, a real render."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from calcanim.errors import CalcanimError, ParamError
from calcanim.params.tangent_plane import TangentPlaneParams
from calcanim.plans.tangent_plane import plan
from calcanim.registry import get_scene
from calcanim.rendering import RenderOptions, render_clip
from tests.scenes.test_gradient_descent import check_video


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"point": [9.0, 0.0]}, "point"),
        ({"point": [1.0]}, "point"),
        ({"w0_range": [2, 1]}, "w0_range"),
        ({"plane_size": 0}, "plane_size"),
        ({"duration": 1}, "duration"),
    ],
)
def test_invalid_params_name_the_field(values: dict, field: str) -> None:
    with pytest.raises(ParamError, match=f"'{field}'"):
        TangentPlaneParams.from_mapping(values)


def test_bad_function_is_a_user_error() -> None:
    with pytest.raises(CalcanimError):
        plan(TangentPlaneParams(function="sin(w2)"))


def test_lesson_function_sin_w0_at_the_lesson_point_minus_1_5_1() -> None:
    p = plan(TangentPlaneParams(point=(-1.5, 1.0)))
    assert p.value == pytest.approx(math.sin(-1.5), abs=1e-15)
    assert p.gradient == pytest.approx((math.cos(-1.5), 0.0), abs=1e-15)
    data = json.loads(json.dumps(p.to_json(), allow_nan=False))
    assert data["point"] == [-1.5, 1.0] and data["gradient"][1] == 0.0
    # the plane touches the surface at the point and has the gradient's slopes
    u, v, z = np.moveaxis(p.plane_grid, -1, 0)
    np.testing.assert_allclose(z, math.sin(-1.5) + math.cos(-1.5) * (u + 1.5), rtol=1e-12, atol=1e-12)
    assert sum(s for _, s in p.captions) == pytest.approx(p.duration)


def test_the_default_point_tilts_the_plane_visibly() -> None:
    """Issue 15: at the lesson's (-1.5, 1) the gradient is (cos 1.5, 0) = (0.07, 0), a flat plane."""
    p = plan(TangentPlaneParams())
    assert math.hypot(*p.gradient) > 0.5
    assert p.gradient == pytest.approx((math.cos(p.params.point[0]), 0.0), abs=1e-15)
    assert p.gradient_arrow is not None


def test_readouts_are_rounded_truly_and_say_approx() -> None:
    """sin(0.3) = 0.29552..., cos(0.3) = 0.95533...: 3 significant digits, marked with approx."""
    p = plan(TangentPlaneParams(point=(0.3, 1.0)))
    assert p.readouts_tex[1:] == [r"p = (0.3,\ 1)", r"g(p) \approx 0.296", r"\nabla g(p) \approx (0.955,\ 0)"]
    assert p.plane_tex == r"z \approx 0.296 + 0.955\,(w_0 - 0.3)"
    small = plan(TangentPlaneParams(function="w0**2 + w1**2", point=(0.001, 0.0)))
    assert small.readouts_tex[2:] == [r"g(p) = 0.000001", r"\nabla g(p) = (0.002,\ 0)"]
    tiny = plan(TangentPlaneParams(function="exp(w0) - 1", point=(0.0000003, 0.0)))
    assert tiny.readouts_tex[2] == r"g(p) \approx 3.00 \cdot 10^{-7}"  # e^(3e-7) - 1 = 3.0000005e-7


@pytest.mark.parametrize(
    ("function", "point"),
    [("abs(w0) + w1**2", (0.0, 1.0)), ("relu(w0 + w1)", (1.0, -1.0)), ("max(w0, w1)", (1.0, 1.0)),
     ("min(w0, w1)", (2.0, 2.0)), ("abs(w0 - w1)", (0.5, 0.5)), ("relu(w1) * 3", (0.0, 0.0))],
)
def test_a_kink_has_no_tangent_plane_and_is_refused_in_one_line(function: str, point: tuple) -> None:
    with pytest.raises(ParamError) as caught:
        plan(TangentPlaneParams(function=function, point=point))
    message = str(caught.value)
    assert "'point'" in message and "no tangent plane" in message and "\n" not in message


def test_a_kink_elsewhere_does_not_matter() -> None:
    p = plan(TangentPlaneParams(function="abs(w0) + w1**2", point=(1.0, 1.0)))
    assert p.gradient == (1.0, 2.0)


@pytest.mark.parametrize("duration", [4.0, 4.5, 6.0, 120.0])
def test_beats_are_positive_and_fill_the_clip(duration: float) -> None:
    p = plan(TangentPlaneParams(duration=duration))
    assert all(b > 0 for b in p.beats) and sum(p.beats) == pytest.approx(duration)
    assert p.beats[3] >= 0.25 * duration - 1e-12
    assert 0 < p.poster_time < duration


def test_plane_of_a_paraboloid_against_hand_derivatives() -> None:
    # g = w0^2 + 3 w0 w1 at (1, 2): g = 7, dg/dw0 = 2 w0 + 3 w1 = 8, dg/dw1 = 3 w0 = 3
    p = plan(TangentPlaneParams(function="w0**2 + 3*w0*w1", point=(1.0, 2.0)))
    assert p.value == pytest.approx(7.0) and p.gradient == pytest.approx((8.0, 3.0))
    assert "8" in p.plane_tex and "w_1" in p.plane_tex


def test_scene_class_builds_with_defaults() -> None:
    from calcanim.scenes.tangent_plane import TangentPlaneScene

    assert TangentPlaneScene().plan.value == pytest.approx(math.sin(0.3))


@pytest.mark.render
def test_real_low_quality_render(tmp_path: Path) -> None:
    entry = get_scene("tangent-plane")
    params = entry.params_class.from_mapping({"duration": 4, "resolution": 20})  # the documented minimum (issue 14)
    result = render_clip(entry, params, RenderOptions(quality="low"), tmp_path / "clip.mp4", progress=False)
    check_video(result.path, entry.plan(params).duration)


def test_the_lessons_point_tilts_the_plane_visibly() -> None:
    """scenes/derivatives.toml's tangent-plane clip: |grad sin(w0)| = |cos w0| well above the flat 0.07 of (-1.5, 1)."""
    import tomllib

    lesson = tomllib.loads((Path(__file__).parents[2] / "scenes" / "derivatives.toml").read_text(encoding="utf-8"))
    clip = next(c for c in lesson["clip"] if c["scene"] == "tangent-plane")
    p = plan(TangentPlaneParams(**{k: tuple(v) if isinstance(v, list) else v for k, v in clip["params"].items()}))
    w0 = float(clip["params"]["point"][0])
    assert p.gradient == pytest.approx((math.cos(w0), 0.0), abs=1e-15)
    assert abs(math.cos(w0)) > 0.5


@pytest.mark.parametrize("theta", [-170.0, -125.0, -95.0, -85.0, -75.0, -10.0])
def test_the_w1_axis_runs_along_the_side_the_camera_sees(theta: float) -> None:
    """Issue 15 review (light, 1:1): with the camera turned past the front, the w1 axis lay under the surface
    and its label floated on it. The camera sits at (cos theta, sin theta) (manim's convention): w1 goes up
    the side edge on that side of the box, w0 along the front edge and g up the front-left corner."""
    import math

    from calcanim.params.tangent_plane import TangentPlaneParams
    from calcanim.plans.tangent_plane import plan

    p = plan(TangentPlaneParams.from_mapping({"w0_range": [-2.0, 4.0], "w1_range": [-1.0, 1.0]}))
    (w0, w1, g) = p.axis_segments(theta)
    camera_side = math.copysign(1.0, math.cos(math.radians(theta)))
    assert w1[0][0] == w1[1][0] == (4.0 if camera_side > 0 else -2.0)
    assert (w1[0][1], w1[1][1]) == (-1.0, 1.0)  # pointing to growing w1
    assert (w0[0][0], w0[1][0]) == (-2.0, 4.0) and w0[0][1] == w0[1][1] == -1.0
    assert tuple(g[0][:2]) == tuple(g[1][:2]) == (-2.0, -1.0) and g[1][2] > g[0][2]


@pytest.mark.parametrize("theta", [-125.0, -95.0, -90.0, -85.0, -75.0])
def test_the_part_of_the_w1_axis_the_surface_hides_is_found_by_its_sight_lines(theta: float) -> None:
    """Issue 12 review: with the camera facing the front, the w1 axis (on the floor's side edge) lies under the
    sheet of sin(w0) and was only a faint ghost. The plan marks the hidden part (the scene dashes it over the
    surface). Reference: each sight line from an edge point to the eye, in closed form (sin, the box's affine
    map, the floor's exit by the slab method): the point is hidden when the line starts under the sheet and is
    above it where it leaves the floor (it crosses the sheet, by the intermediate value theorem), visible when
    it never passes over the floor or ends still under the sheet."""
    from calcanim.numerics.projection import PERSPECTIVE_DISTANCE

    p = plan(TangentPlaneParams())
    (x0, x1), (y0, y1), (z0, z1) = p.surface.x_range, p.surface.y_range, p.surface.z_range
    assert (x0, x1, y0, y1) == (-3.0, 3.0, -3.0, 3.0)  # a square floor: box half extents 1, 1; height 1
    radius = math.sqrt(1 + 1 + 0.25)
    phi, th = math.radians(p.params.camera_phi), math.radians(theta)
    eye = PERSPECTIVE_DISTANCE * radius * np.array([math.sin(phi) * math.cos(th), math.sin(phi) * math.sin(th),
                                                    math.cos(phi)])

    def sheet(bx: float, by: float) -> float:  # z of sin(w0) in box units
        return (2 * (min(max(math.sin(3.0 * bx), z0), z1) - z0) / (z1 - z0) - 1) * 0.5

    (points, hidden) = p.axis_pieces(theta)[1]
    expected = []
    for w0, w1, _ in points:
        start = np.array([w0 / 3.0, w1 / 3.0, -0.5])
        d = eye - start
        # the sight line leaves the floor's square [-1, 1]^2 at t_exit (slab method); it starts on its edge
        inward = all(abs(start[k] + 1e-6 * d[k]) <= 1 for k in (0, 1))
        if not inward:  # straight out of the box's side: never over the floor
            expected.append(False)
            continue
        exits = [(math.copysign(1.0, d[k]) - start[k]) / d[k] for k in (0, 1) if abs(d[k]) > 1e-12]
        at_exit = start + min(t for t in exits if t > 1e-12) * d
        expected.append(sheet(*start[:2]) > start[2] and at_exit[2] > sheet(at_exit[0], at_exit[1]) + 1e-6)
    assert hidden.tolist() == expected
    if -98.0 < theta < -81.0:  # facing the front: a part of the axis lies under the sheet (dashed)
        assert hidden.any()
    else:  # seen from its own side, the whole edge shows
        assert not hidden.any()
