"""exp-log: params validation, readouts against mpmath and the lesson (ln 1 = 0, ln(e^k) = k), a real render."""

from __future__ import annotations

import json
import math
from pathlib import Path

import mpmath
import pytest

from calcanim.errors import ParamError
from calcanim.numerics.logarithm import exp_log_window, mirror_across_identity
from calcanim.params.exp_log import ExpLogParams
from calcanim.plans.exp_log import plan
from tests.scenes.video_checks import render_and_check


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [({"k": 3}, "k", "<= 2.0"), ({"k": "big"}, "k", "a number"), ({"pace": 0}, "pace", ">= 0.5"), ({"kk": 1}, "kk", "did you mean 'k'")],
)
def test_invalid_params_name_the_field_and_value(values: dict, field: str, fragment: str) -> None:
    with pytest.raises(ParamError) as info:
        ExpLogParams.from_mapping(values)
    assert f"'{field}'" in str(info.value) and fragment in str(info.value)


@pytest.mark.parametrize("k", [-2.5, -1.0, 0.0, 1.0, 1.5, 2.0])
def test_readouts_match_the_lesson_and_mpmath(k: float) -> None:
    p = plan(ExpLogParams(k=k))
    data = json.loads(json.dumps(p.to_json()))
    assert data["readouts"]["ln_1"] == 0.0
    assert data["readouts"]["exp_k"] == pytest.approx(float(mpmath.exp(k)), rel=1e-15)
    assert data["readouts"]["ln_exp_k"] == pytest.approx(k, abs=1e-15)
    assert p.ln_exp_k_label == (f"{k:g}" if k != int(k) else str(int(k)))
    # mirrored points: (a, b) on e^x lands on (b, a), which lies on ln x
    x, y = data["mirrored_points"]["k"]["ln"]
    assert y == pytest.approx(float(mpmath.log(x)), abs=1e-15)
    assert data["mirrored_points"]["one"]["ln"] == [1.0, 0.0]
    lo, hi = data["window"]
    assert lo <= min(k, 0) and hi >= math.exp(k)
    assert p.duration == pytest.approx(18.5) and 0 < p.poster_time < p.duration


def test_logarithm_helpers() -> None:
    assert mirror_across_identity(2.0, 7.0) == (7.0, 2.0)
    assert exp_log_window(0.0) == (-2.5, 4.5)
    assert exp_log_window(2.0)[1] == pytest.approx(float(mpmath.exp(2)) + 0.6)
    with pytest.raises(ParamError):
        exp_log_window(1000.0)


def test_scene_builds_with_no_arguments() -> None:
    from calcanim.scenes.exp_log import ExpLogScene

    assert ExpLogScene().plan.readouts["k"] == 1.5


@pytest.mark.render
def test_real_render(tmp_path: Path) -> None:
    render_and_check("exp-log", {"pace": 0.5}, tmp_path)
