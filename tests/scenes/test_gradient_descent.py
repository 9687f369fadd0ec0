"""gradient-descent: params validation, plan JSON shape, status rules in `show`, real renders of each view."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from calcanim.errors import CalcanimError, ParamError
from calcanim.number_format import tick_text
from calcanim.numerics.surfaces import PRESETS
from calcanim.params.gradient_descent import SURFACES, GradientDescentParams
from calcanim.plans.gradient_descent import plan
from calcanim.registry import get_scene
from calcanim.rendering import RenderOptions, render_clip


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"learning_rates": [0.1, -0.1]}, "learning_rates"),
        ({"learning_rates": [0.1] * 7}, "learning_rates"),
        ({"surface": "rosenbrok"}, "surface"),
        ({"surface": "custom"}, "loss"),
        ({"loss": "x**2"}, "loss"),
        ({"optimizer": "sgd"}, "optimizer"),
        ({"view": "3d"}, "view"),
        ({"steps": 0}, "steps"),
        ({"beta": 1.0}, "beta"),
        ({"x_range": [1, -1]}, "x_range"),
        ({"start": [1.0]}, "start"),
        ({"camera_phi": 95}, "camera_phi"),
    ],
)
def test_invalid_params_name_the_field(values: dict[str, Any], field: str) -> None:
    with pytest.raises(ParamError, match=f"'{field}'"):
        GradientDescentParams.from_mapping(values)


def test_unknown_key_suggests_the_nearest() -> None:
    with pytest.raises(ParamError, match="did you mean 'learning_rates'"):
        GradientDescentParams.from_mapping({"learning_rate": [0.1]})


def test_start_outside_the_domain_and_bad_custom_loss_are_user_errors() -> None:
    with pytest.raises(ParamError, match="start"):
        plan(GradientDescentParams(surface="bowl", start=(9.0, 0.0)))
    with pytest.raises(CalcanimError):
        plan(GradientDescentParams(surface="custom", loss="x**2 + z"))


def test_surface_choices_match_the_numerics_presets() -> None:
    assert set(SURFACES) == set(PRESETS) | {"custom"}


def test_status_rules_are_in_the_help_shown_by_calcanim_show() -> None:
    help_text = " ".join(row.help for row in GradientDescentParams.describe())
    for status in ("converged", "diverged", "running"):
        assert f"'{status}'" in help_text


def test_default_plan_is_the_classic_comparison_with_json_runs_and_trajectories() -> None:
    p = plan(GradientDescentParams())
    data = json.loads(json.dumps(p.to_json()))  # plain JSON, no NaN
    runs = data["runs"]
    assert [r["learning_rate"] for r in runs] == [0.02, 0.1, 0.21]
    assert [r["status"] for r in runs] == ["running", "converged", "diverged"]  # crawls, converges, diverges
    assert data["surface"]["max_stable_learning_rate"] == pytest.approx(0.2)  # ravine: 2 / L, L = 10
    steps = data["params"]["steps"]
    for run in runs:
        assert run["optimizer"] == "gd" and set(run) >= {"optimizer", "learning_rate", "status", "trajectory"}
        trajectory = run["trajectory"]
        assert [point["step"] for point in trajectory] == list(range(len(trajectory)))
        assert all(math.isfinite(point[k]) for point in trajectory for k in ("x", "y", "loss"))
        if run["status"] != "diverged":
            assert len(trajectory) == steps + 1
        else:
            assert len(trajectory) < steps + 1
    # the ravine (x^2 + 10 y^2)/2 from (-3.5, 1.5): gd's first step by hand, lr = 0.1: (-3.5 + 0.35, 1.5 - 1.5)
    assert (runs[1]["trajectory"][1]["x"], runs[1]["trajectory"][1]["y"]) == pytest.approx((-3.15, 0.0))
    assert data["duration"] == pytest.approx(p.duration) and 0 < data["poster_time"] <= p.duration
    assert sum(c["seconds"] for c in data["captions"]) == pytest.approx(p.duration)


def test_the_classic_comparison_from_the_brief_is_one_set_away() -> None:
    p = plan(GradientDescentParams.from_mapping({"learning_rates": [0.01, 0.1, 0.55]}))
    assert [r.run.status for r in p.runs] == ["running", "converged", "diverged"]


def test_diverged_run_is_drawn_only_inside_the_domain() -> None:
    p = plan(GradientDescentParams(surface="ravine", learning_rates=(0.21,)))
    run = p.runs[0]
    assert run.run.status == "diverged" and run.escape is not None
    (x0, x1), (y0, y1) = p.surface.x_range, p.surface.y_range
    for x, y in run.escape:
        assert x0 - 1e-9 <= x <= x1 + 1e-9 and y0 - 1e-9 <= y <= y1 + 1e-9
    lx, ly, _ = run.last_inside
    assert p.surface.contains(lx, ly)
    curve = run.inset_curve
    assert curve[:, 1].max() <= p.inset_range[1] + 1e-12  # the loss inset cuts the diverging curve at its top


def test_custom_loss_and_other_optimizers_plan_cleanly() -> None:
    for optimizer in ("momentum", "nesterov", "adam"):
        p = plan(GradientDescentParams(surface="custom", loss="x**2 + 3*sin(y)", optimizer=optimizer, steps=30))
        json.dumps(p.to_json(), allow_nan=False)
        assert all(len(r.run.points) == 31 or r.run.status == "diverged" for r in p.runs)


def test_path_samples_ride_on_the_surface_and_end_at_the_last_iterate() -> None:
    p = plan(GradientDescentParams(surface="himmelblau", learning_rates=(0.01,), steps=20))
    run = p.runs[0]
    x, y, z = run.samples.T
    np.testing.assert_allclose(z, (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2, rtol=1e-12)
    np.testing.assert_allclose(run.samples[-1, :2], run.run.points[-1])
    assert run.sample_steps[0] == 0 and run.sample_steps[-1] == 20 and np.all(np.diff(run.sample_steps) > 0)


def test_tick_text_rounds_to_the_axis_scale() -> None:
    assert tick_text(0.0004, 12.0) == "0" and tick_text(17.375, 18.0) == "17" and tick_text(0.123, 0.5) == "0.12"


def test_scene_class_builds_with_defaults() -> None:
    from calcanim.scenes.gradient_descent import GradientDescentScene

    scene = GradientDescentScene()
    assert scene.params == GradientDescentParams() and scene.plan.runs


def check_video(path: Path, duration: float) -> None:
    """Opens, 854x480 at 15 fps, the planned length, and not one flat colour."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (854, 480)
        assert round(float(stream.average_rate)) == 15
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    assert abs(len(frames) / 15 - duration) <= 0.2
    middle = frames[len(frames) // 2]
    assert np.ptp(middle.reshape(-1, 3), axis=0).max() > 50
    assert any(not np.array_equal(frames[0], frame) for frame in frames[1:])


@pytest.mark.render
@pytest.mark.parametrize("view", ["surface", "contour", "both"])
def test_real_low_quality_render_of_each_view(view: str, tmp_path: Path) -> None:
    entry = get_scene("gradient-descent")
    params = entry.params_class.from_mapping(
        {"view": view, "steps": 20, "duration": 1.5, "resolution": 24, "learning_rates": [0.05, 0.19, 0.25]}
    )
    result = render_clip(entry, params, RenderOptions(quality="low"), tmp_path / "clip.mp4", progress=False)
    check_video(result.path, entry.plan(params).duration)


@pytest.mark.parametrize("surface", ["bowl", "ravine", "rosenbrock", "himmelblau", "six-hump-camel"])
def test_empty_learning_rates_give_the_surface_s_classic_comparison(surface: str) -> None:
    """Too small crawls (still running), good settles lower, too large diverges, on every preset with a minimum."""
    params = GradientDescentParams.from_mapping({"surface": surface, "learning_rates": []})
    small, good, large = params.learning_rates
    assert 0 < small < good < large
    runs = {run["learning_rate"]: run for run in get_scene("gradient-descent").plan(params).to_json()["runs"]}
    assert runs[small]["status"] == "running"
    assert runs[large]["status"] == "diverged"
    assert runs[good]["status"] != "diverged"
    assert runs[good]["trajectory"][-1]["loss"] < runs[small]["trajectory"][-1]["loss"]


def test_ravine_classic_rates_straddle_two_over_L() -> None:
    small, good, large = GradientDescentParams().learning_rates
    assert good < 2 / 10 < large  # ravine (x^2 + 10 y^2)/2 has L = 10

