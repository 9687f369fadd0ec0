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



def test_a_diverging_run_is_drawn_until_it_first_leaves_the_view() -> None:
    """ravine (x^2 + 10 y^2)/2, eta = 0.21 from (-3.5, 1.5): x_k = -3.5 (0.79)^k, y_k = 1.5 (-1.1)^k. |y_3| = 1.9965 is
    inside y in [-2, 2]; y_4 = 2.196 is not, so the run leaves through y = 2 during step 4."""
    p = plan(GradientDescentParams(surface="ravine", learning_rates=(0.21,)))
    run = p.runs[0]
    y3, y4 = 1.5 * (-1.1) ** 3, 1.5 * (-1.1) ** 4
    t = (2 - y3) / (y4 - y3)
    x3, x4 = -3.5 * 0.79**3, -3.5 * 0.79**4
    step, (x, y) = run.view_exit
    assert step == pytest.approx(3 + t) and x == pytest.approx(x3 + t * (x4 - x3)) and y == pytest.approx(2.0)
    assert run.escaped and run.drawn_until == pytest.approx(3 + t)
    assert run.run.status == "diverged" and run.run.stopped_at == 11  # 1.5 * 1.1^11 = 4.28 > 2 + 50% of 4
    data = p.to_json()["runs"][0]
    assert data["view_exit"]["step"] == pytest.approx(3 + t)


def test_runs_that_stay_in_view_have_no_exit_and_the_legend_says_eta() -> None:
    p = plan(GradientDescentParams())
    assert [r.view_exit is None for r in p.runs] == [True, True, False]
    assert [r.label_tex for r in p.runs] == [r"\eta = 0.02", r"\eta = 0.1", r"\eta = 0.21"]
    assert [r.status_word for r in p.runs] == ["still moving", "converged", "diverged"]
    assert all("lr" not in text for text, _ in p.captions)


def test_the_loss_inset_is_logarithmic_from_the_known_minimum() -> None:
    """ravine: f* = 0. gd at eta = 0.1: x_k = -3.5 (0.9)^k, y_k = 0 from step 1, so f_80 = 0.5 * 3.5^2 * 0.81^80."""
    p = plan(GradientDescentParams())
    assert p.loss_reference == 0.0 and p.inset_label_tex == r"\text{loss}"
    curve = p.runs[1].inset_curve
    assert curve[-1, 0] == 80 and curve[-1, 1] == pytest.approx(math.log10(0.5 * 3.5**2 * 0.81**80))
    low, high = p.inset_range
    assert low <= curve[:, 1].min() and curve[:, 1].max() <= high
    diverged = p.runs[2].inset_curve
    assert diverged[-1, 1] == pytest.approx(high) and diverged[-1, 0] < 11  # cut where it leaves the top
    assert [tex for _, tex in p.inset_ticks] == [tex for _, tex in p.inset_ticks if tex.startswith("10^{") or tex in ("1", "10")]
    # six-hump camel: f* is its global minimum -1.0316 (two minima), so f - f* is positive along every run
    camel = plan(GradientDescentParams(surface="six-hump-camel", learning_rates=(0.01,)))
    assert camel.loss_reference == pytest.approx(-1.0316284534898774, rel=1e-9)
    assert r"f^{*} \approx -1.03" in camel.inset_label_tex  # rounded: never "= -1.03"


def test_rmsprop_and_schedules_through_params_with_the_convention_in_inspect() -> None:
    params = GradientDescentParams.from_mapping(
        {"optimizer": "rmsprop", "alpha": 0.9, "schedule": "exponential", "gamma": 0.5, "steps": 4, "learning_rates": [0.1]}
    )
    data = json.loads(json.dumps(plan(params).to_json()))
    assert "PyTorch RMSprop" in data["convention"] and data["runs"][0]["convention"].startswith("PyTorch RMSprop")
    assert data["schedule"]["kind"] == "exponential"
    rates = [point["learning_rate"] for point in data["runs"][0]["trajectory"][:-1]]
    assert rates == [0.1, 0.05, 0.025, 0.0125]  # eta gamma^k
    # ravine from (-3.5, 1.5), first rmsprop step by hand: v = 0.1 g^2, x <- x - 0.1 g / (sqrt(0.1) |g| + 1e-8)
    g = (-3.5, 15.0)
    expected = [c - 0.1 * gc / (math.sqrt(0.1 * gc * gc) + 1e-8) for c, gc in zip((-3.5, 1.5), g)]
    first = data["runs"][0]["trajectory"][1]
    assert (first["x"], first["y"]) == pytest.approx(expected, rel=1e-12)
    assert "nesterov=True" in " ".join(row.help for row in GradientDescentParams.describe())


def test_run_colours_never_look_like_a_status_colour_in_any_theme() -> None:
    from calcanim.scenes.descent_parts import STATUS_COLOUR_DISTANCE, _distance, run_colours
    from calcanim.style.themes import load_theme, theme_names

    for name in theme_names():
        theme = load_theme(name)
        colours = run_colours(theme, 6)
        assert len(colours) == 6 and len(set(colours)) == 6
        for colour in colours:
            assert min(_distance(colour, theme.good), _distance(colour, theme.bad)) > STATUS_COLOUR_DISTANCE, (name, colour)
