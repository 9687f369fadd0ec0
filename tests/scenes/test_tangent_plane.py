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


def test_lesson_default_sin_w0_at_minus_1_5_1() -> None:
    p = plan(TangentPlaneParams())
    assert p.value == pytest.approx(math.sin(-1.5), abs=1e-15)
    assert p.gradient == pytest.approx((math.cos(-1.5), 0.0), abs=1e-15)
    data = json.loads(json.dumps(p.to_json(), allow_nan=False))
    assert data["point"] == [-1.5, 1.0] and data["gradient"][1] == 0.0
    # the plane touches the surface at the point and has the gradient's slopes
    u, v, z = np.moveaxis(p.plane_grid, -1, 0)
    np.testing.assert_allclose(z, math.sin(-1.5) + math.cos(-1.5) * (u + 1.5), rtol=1e-12, atol=1e-12)
    assert sum(s for _, s in p.captions) == pytest.approx(p.duration)


def test_plane_of_a_paraboloid_against_hand_derivatives() -> None:
    # g = w0^2 + 3 w0 w1 at (1, 2): g = 7, dg/dw0 = 2 w0 + 3 w1 = 8, dg/dw1 = 3 w0 = 3
    p = plan(TangentPlaneParams(function="w0**2 + 3*w0*w1", point=(1.0, 2.0)))
    assert p.value == pytest.approx(7.0) and p.gradient == pytest.approx((8.0, 3.0))
    assert "8" in p.plane_tex and "w_1" in p.plane_tex


def test_scene_class_builds_with_defaults() -> None:
    from calcanim.scenes.tangent_plane import TangentPlaneScene

    assert TangentPlaneScene().plan.value == pytest.approx(math.sin(-1.5))


@pytest.mark.render
def test_real_low_quality_render(tmp_path: Path) -> None:
    entry = get_scene("tangent-plane")
    params = entry.params_class.from_mapping({"duration": 5, "resolution": 20})
    result = render_clip(entry, params, RenderOptions(quality="low"), tmp_path / "clip.mp4", progress=False)
    check_video(result.path, entry.plan(params).duration)
