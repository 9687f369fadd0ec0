"""tangent-bases: params validation, the plan's JSON, and one real low-quality render."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from calcanim.errors import ParamError
from calcanim.params.tangent_bases import TangentBasesParams
from calcanim.plans.tangent_bases import ENDING_SECONDS, INTRO_SECONDS, X_RANGE, Y_RANGE, TangentBasesPlan, plan
from calcanim.registry import get_scene
from tests.scenes.video_checks import render_and_check


def _error(**values: object) -> str:
    with pytest.raises(ParamError) as caught:
        TangentBasesParams.from_mapping(values)
    return str(caught.value)


@pytest.mark.parametrize(
    ("values", "fragments"),
    [
        ({"base_min": 0}, ["'base_min'", "> 0", "0"]),
        ({"base_min": -2}, ["'base_min'", "-2"]),
        ({"base_min": 1}, ["'base_min'", "must not be 1"]),
        ({"base_max": 1, "base_min": 0.5, "stops": []}, ["'base_max'", "must not be 1"]),
        ({"base_min": 3, "base_max": 2, "stops": []}, ["'base_min'", "base_max=2.0", "3.0"]),
        ({"base_min": 2, "base_max": 2, "stops": []}, ["'base_min'", "< base_max"]),
        ({"stops": [2, 5]}, ["'stops'", "5.0", "[base_min=1.5, base_max=4.0]"]),
        ({"stops": [1.2]}, ["'stops'", "1.2"]),
        ({"base_min": 0.5, "stops": [1]}, ["'stops'", "no stop may be 1"]),
        ({"base_max": 3, "stops": ["pi"]}, ["'stops'", "3.14159"]),
        ({"stops": ["two"]}, ["'stops'", "'two'"]),
        ({"lock_tolerance": 0}, ["'lock_tolerance'", "> 0"]),
        ({"bases_min": 2}, ["unknown parameter 'bases_min'", "did you mean 'base_min'"]),
    ],
)
def test_bad_params_name_the_field_value_and_rule(values: dict, fragments: list[str]) -> None:
    message = _error(**values)
    for fragment in fragments:
        assert fragment in message


def test_e_may_be_written_as_text_and_stops_are_sorted() -> None:
    params = TangentBasesParams.from_mapping({"stops": [3, "e", 2]})
    assert params.stops == (2.0, math.e, 3.0)


def test_a_sweep_passing_through_one_is_allowed() -> None:
    params = TangentBasesParams.from_mapping({"base_min": 0.5, "base_max": 3, "stops": [0.5, 2]})
    assert plan(params).checkpoints[0].slope == pytest.approx(-math.log(2), rel=1e-15)


def test_plan_json_has_checkpoints_for_every_stop_in_order() -> None:
    data = json.loads(json.dumps(plan(TangentBasesParams()).to_json()))
    assert data["scene"] == "tangent-bases"
    checkpoints = data["checkpoints"]
    assert [c["base"] for c in checkpoints] == [2.0, math.e, 3.0]
    # ln 2 < 1 = ln e < ln 3 (lesson), against closed forms
    assert checkpoints[0]["slope"] == pytest.approx(0.6931471805599453, rel=1e-15)
    assert checkpoints[1]["slope"] == 1.0
    assert checkpoints[2]["slope"] == pytest.approx(1.0986122886681098, rel=1e-15)
    assert [c["locked"] for c in checkpoints] == [False, True, False]
    assert data["unit_slope_base"] == 2.718281828459045
    assert data["unit_slope_base_in_sweep"] is True
    lo, hi = data["lock_interval"]
    assert lo == pytest.approx(math.exp(0.99)) and hi == pytest.approx(math.exp(1.01))
    assert data["window"] == {"x_range": list(X_RANGE), "y_range": list(Y_RANGE)}


def test_difference_quotients_in_the_json_close_in_on_ln_b() -> None:
    for checkpoint in plan(TangentBasesParams()).to_json()["checkpoints"]:
        rows = checkpoint["difference_quotients"]
        errors = [abs(r["quotient"] - math.log(checkpoint["base"])) for r in rows]
        assert all(later < earlier / 5 for earlier, later in zip(errors, errors[1:]))
        for row in rows:  # closed form (b^h - 1)/h
            assert row["quotient"] == pytest.approx((checkpoint["base"] ** row["h"] - 1) / row["h"], rel=1e-9)


def test_lock_follows_the_tolerance() -> None:
    loose = plan(TangentBasesParams.from_mapping({"stops": [2.7], "lock_tolerance": 0.01}))
    tight = plan(TangentBasesParams.from_mapping({"stops": [2.7], "lock_tolerance": 0.001}))
    assert loose.checkpoints[0].locked and not tight.checkpoints[0].locked  # ln 2.7 = 0.99325


def test_duration_counts_intro_sweep_pauses_and_ending() -> None:
    params = TangentBasesParams.from_mapping({"sweep_seconds": 4, "pause_seconds": 1.5})
    p = plan(params)
    assert p.duration == pytest.approx(INTRO_SECONDS + 4 + 3 * 1.5 + ENDING_SECONDS)
    assert 0 < p.poster_time < p.duration
    assert p.to_json()["duration"] == p.duration


def test_unit_slope_base_outside_the_sweep_is_still_reported() -> None:
    p = plan(TangentBasesParams.from_mapping({"base_min": 3, "base_max": 5, "stops": [4]}))
    assert abs(p.unit_slope_base - math.e) <= 1e-12
    assert p.to_json()["unit_slope_base_in_sweep"] is False


def test_curve_and_tangent_stay_inside_the_window() -> None:
    p = plan(TangentBasesParams())
    for base in (0.3, 1.5, math.e, 4.0, 20.0):
        for part in p.curve_parts(base):
            assert part[:, 1].min() >= Y_RANGE[0] - 1e-12 and part[:, 1].max() <= Y_RANGE[1] + 1e-12
        (x0, y0), (x1, y1) = p.tangent_ends(base)
        slope = math.log(base)
        assert (y1 - y0) / (x1 - x0) == pytest.approx(slope, rel=1e-9)


def test_registry_lists_the_clip() -> None:
    entry = get_scene("tangent-bases")
    assert entry.params_class is TangentBasesParams
    assert entry.plan(TangentBasesParams()).unit_slope_base == pytest.approx(math.e, abs=1e-12)


def test_scene_builds_with_no_arguments() -> None:
    from calcanim.scenes.tangent_bases import TangentBasesScene

    scene = TangentBasesScene()
    assert scene.params == TangentBasesParams()
    assert scene.plan.checkpoints[1].locked


@pytest.mark.render
def test_low_quality_render(tmp_path: Path) -> None:
    render_and_check("tangent-bases", {"sweep_seconds": 1.0, "pause_seconds": 0.6, "stops": ["e"], "quotients": False}, tmp_path)


@pytest.mark.render
def test_only_moving_mobjects_are_redrawn_each_frame(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """manim redraws every frame each mobject from the first moving one to the end of the scene's list;
    the static ones (ghosts, quotient rows, verdict, the readouts' words) must sit before it, frozen."""
    from manim import Scene

    from calcanim.rendering import RenderOptions, render_clip
    from calcanim.scenes.tangent_bases import TangentBasesScene

    original = Scene.get_moving_and_static_mobjects
    checked: list[int] = []
    redrawn_static: list[str] = []

    def spy(self: Scene, animations: list) -> tuple[list, list]:
        moving, static = original(self, animations)
        if isinstance(self, TangentBasesScene) and hasattr(self, "moving_last"):  # past the intro
            allowed = {m for a in animations for m in a.mobject.get_family()}
            allowed.update(m for mob in self.moving_last for m in mob.get_family())
            redrawn_static.extend(repr(m) for m in moving if m.has_points() and m not in allowed)
            checked.append(len(moving))
        return moving, static

    monkeypatch.setattr(Scene, "get_moving_and_static_mobjects", spy)
    entry = get_scene("tangent-bases")
    params = entry.params_class.from_mapping({"sweep_seconds": 1.0, "pause_seconds": 1.0, "stops": [2, "e"]})
    render_clip(entry, params, RenderOptions(quality="low"), tmp_path / "clip.mp4", progress=False)
    assert len(checked) > 10  # sweeps, quotient rows, waits, the ending
    assert not redrawn_static, f"static mobjects redrawn every frame: {redrawn_static[:5]}"


@pytest.mark.parametrize(
    "values",
    [{}, {"base_min": 0.2, "base_max": 0.8, "stops": [0.5]}, {"base_min": 0.3, "base_max": 4, "stops": [0.5, 2]},
     {"base_min": 1.1, "base_max": 20, "stops": [2, 10]}, {"base_min": 0.05, "base_max": 0.9, "stops": []}],
)
def test_the_point_label_is_never_crossed(values: dict) -> None:
    """Issue 15: for b < 1 the "(0, 1)" label was struck through by the curve. Check the chosen box
    against 2000 bases of the sweep (not the plan's own sample), their tangents, the axes and the triangle."""
    import numpy as np

    p = plan(TangentBasesParams.from_mapping(values))
    width, height = 0.6, 0.25
    spot = p.point_label_centre(width, height)
    assert spot is not None
    cx, cy = spot
    x0, x1, y0, y1 = cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2
    assert not (x0 <= 0 <= x1) and not (y0 <= 0 <= y1)
    xs = np.linspace(x0, x1, 400)
    for base in np.geomspace(p.params.base_min, p.params.base_max, 2000):
        for ys in (base**xs, 1 + np.log(base) * xs):
            inside = (ys >= y0) & (ys <= y1)
            assert not inside.any(), (base, spot)
            assert not (np.any(ys < y0) and np.any(ys > y1)), (base, spot)  # a steep crossing between samples
        run, rise = p.rise_run(base)[1:]
        assert not (x0 <= 1.0 <= x1 and min(run[1], rise[1]) <= y1 and max(run[1], rise[1]) >= y0)


def test_rise_over_run_is_ln_b() -> None:
    import mpmath

    p = plan(TangentBasesParams())
    for base in (0.3, 2.0, math.e, 3.0):
        start, corner, top = p.rise_run(base)
        assert tuple(start) == (0.0, 1.0) and corner[1] == 1.0 and corner[0] == top[0]
        assert (top[1] - corner[1]) / (corner[0] - start[0]) == pytest.approx(float(mpmath.log(base)), rel=1e-15)


SWEEPS = [
    {"base_min": 0.05, "base_max": 0.95, "stops": [0.1, 0.5, 0.9]},  # below 1, down to a leg cut at the window
    {"base_min": 0.9, "base_max": 1.1, "stops": [0.95, 1.05]},  # near 1: a leg shorter than its label
    {"base_min": 0.2, "base_max": 8, "stops": [0.5, 0.9, 1.1, 2, "e", 5]},  # through 1, ghosts on both sides
    {"base_min": 1.05, "base_max": 20, "stops": [1.2, 2, 10]},  # large b
    {},
]


@pytest.mark.parametrize("values", SWEEPS)
def test_the_ln_b_label_is_beside_its_leg_and_never_crossed(values: dict) -> None:
    """Issue 15: for b < 1 the curve ran through "ln b". At every base of the sweep, with the ghosts of the
    stops already passed, the label's box (the size the clip draws it, in plot units) must sit beside the
    rise leg and be clear of b^x, its tangent and every ghost, checked at 2000 points per curve."""
    import numpy as np

    p = plan(TangentBasesParams.from_mapping(values))
    size, gap = (0.42, 0.32), 0.09  # "ln b" at 1080p in the smallest plot (1:1) plus its clearance
    stops = [c.base for c in p.checkpoints]
    sweep = np.geomspace(p.params.base_min, p.params.base_max, 400)
    moments = [(b, tuple(s for s in stops if s < b)) for b in sweep]
    if p.unit_slope_base_in_sweep:  # the ending glides back to e with every ghost on screen
        moments += [(b, tuple(stops)) for b in np.geomspace(p.params.base_max, p.unit_slope_base, 100)]
    for base, ghosts in moments:
        spot = TangentBasesPlan.rise_label_centre(float(base), size, gap, ghosts)
        assert spot is not None, (base, ghosts)
        cx, cy = spot
        x0, x1, y0, y1 = cx - size[0] / 2, cx + size[0] / 2, cy - size[1] / 2, cy + size[1] / 2
        leg_low, leg_high = sorted((1.0, max(Y_RANGE[0], 1 + math.log(base))))
        assert abs(abs(cx - 1.0) - (gap + size[0] / 2)) < 1e-9  # just beside the leg at x = 1
        assert y0 <= leg_high + size[1] and y1 >= leg_low - size[1]  # and level with it
        xs = np.linspace(x0, x1, 2000)
        for ys in [base**xs, 1 + math.log(base) * xs, *(g**xs for g in ghosts)]:
            assert not np.any((ys >= y0) & (ys <= y1)), (base, ghosts, spot)
        assert not (y0 <= 0 <= y1) and Y_RANGE[0] <= y0 and y1 <= Y_RANGE[1]


@pytest.mark.parametrize(("values", "aspect", "theme"), [(SWEEPS[0], "16:9", "dark"), (SWEEPS[1], "9:16", "light")])
def test_sweeps_below_and_near_1_are_audit_clean(values: dict, aspect: str, theme: str) -> None:
    from calcanim.audit.run import audit_clip

    params = TangentBasesParams.from_mapping(values)
    report = audit_clip("tangent-bases", aspect, theme, params=params)
    assert report.frames_checked >= 8
    assert report.findings == []


@pytest.mark.parametrize(
    "values",
    [{"base_min": 0.2, "base_max": 8.0}, {"base_min": 0.2, "base_max": 8.0, "stops": [0.5, 2, "e"]},
     {"base_min": 0.3, "base_max": 6.0, "stops": [2]}],
)
@pytest.mark.parametrize("size", [(0.6, 0.25), (1.08, 0.58)])  # 16:9 and 1:1 label boxes in plot units
def test_the_point_label_is_clear_on_each_side_of_one(values: dict, size: tuple[float, float]) -> None:
    """Issue 15 review: a sweep 0.2 to 8 at 1:1 left no spot clear of every curve, and the label sat on a
    backing crossed by the curve and tangent. Each half of the sweep (b < 1, b >= 1) gets its own spot: check
    each box against 2000 bases of that half, the ghosts present there (stops below 1 while b < 1, every
    stop and e after), their tangents, the axes and the triangle."""
    import numpy as np

    p = plan(TangentBasesParams.from_mapping(values))
    width, height = size
    spots = p.point_label_spots(width, height)
    assert spots is not None
    stops = [float(s) for s in p.params.stops]
    halves = (
        (np.geomspace(p.params.base_min, 0.999999, 2000), [s for s in stops if s < 1]),
        (np.geomspace(1.0, p.params.base_max, 2000), [*stops, math.e]),
    )
    for (cx, cy), (bases, ghosts) in zip(spots, halves):
        x0, x1, y0, y1 = cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2
        assert not (x0 <= 0 <= x1) and not (y0 <= 0 <= y1)
        assert -2 <= x0 and x1 <= 2 and -1 <= y0 and y1 <= 5
        # beside the point it names (a ghost of a stop below 1 pushes the b >= 1 spot up the y axis)
        assert math.hypot(cx, cy - 1) <= (1.0 if min(stops, default=2) > 1 else 1.7)
        xs = np.linspace(x0, x1, 400)
        for base in [*bases, *ghosts]:
            for ys in (base**xs, 1 + math.log(base) * xs):
                assert not ((ys >= y0) & (ys <= y1)).any(), (base, (cx, cy))
                assert not (np.any(ys < y0) and np.any(ys > y1)), (base, (cx, cy))
            run, rise = p.rise_run(base)[1:]
            assert not (x0 <= 1.0 <= x1 and min(run[1], rise[1]) <= y1 and max(run[1], rise[1]) >= y0)
            assert not (x0 <= 1.0 and x1 >= 0.0 and y0 <= 1.0 <= y1)  # the run leg
    (bx, by), (ax, ay) = spots
    assert by < 1 < ay  # while b < 1 under the point, from b = 1 on over it
