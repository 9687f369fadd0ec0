"""descent-1d: params validation, the inspect JSON of issue 18, schedules on screen, and a real render."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from calcanim.cli import main
from calcanim.errors import ParamError
from calcanim.params.descent_1d import Descent1DParams
from calcanim.plans.descent_1d import plan
from tests.scenes.video_checks import render_and_check


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"learning_rates": [0.1] * 7}, "learning_rates"),
        ({"learning_rates": []}, "learning_rates"),
        ({"learning_rates": [0.1, -1]}, "learning_rates"),
        ({"function": "x**2 + y"}, "function"),
        ({"function": "log(x)", "start": -1.0}, "start"),
        ({"x_range": [1, -1]}, "x_range"),
        ({"x_range": [-1, 1], "start": 2.0}, "start"),
        ({"optimizer": "sgd"}, "optimizer"),
        ({"schedule": "linear"}, "schedule"),
        ({"steps": 0}, "steps"),
        ({"gamma": 0}, "gamma"),
        ({"layout": "grid"}, "layout"),
    ],
)
def test_invalid_params_name_the_field(values: dict[str, Any], field: str) -> None:
    with pytest.raises(ParamError, match=f"'{field}'"):
        Descent1DParams.from_mapping(values)


def test_default_inspect_has_one_run_per_rate_with_steps_plus_one_points() -> None:
    result = CliRunner().invoke(main, ["inspect", "descent-1d", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0
    data = json.loads(result.output)
    runs = data["runs"]
    steps = data["params"]["steps"]
    # f = x^2 from 2: x_k = 2 (1 - 2 eta)^k; 0.1 -> 0.8^k crawls, 0.45 -> 0.1^k converges,
    # 0.9 -> (-0.8)^k bounces in, 1.05 -> (-1.1)^k leaves [-2.6, 2.6] widened by 50% (|x| > 5.2) at 2 * 1.1^11 = 5.7
    assert [r["learning_rate"] for r in runs] == [0.1, 0.45, 0.9, 1.05]
    assert [r["status"] for r in runs] == ["running", "converged", "running", "diverged"]
    assert data["x_range"] == [-2.6, 2.6]
    for run in runs:
        assert set(run) >= {"learning_rate", "status", "trajectory"}
        trajectory = run["trajectory"]
        assert all(set(point) == {"step", "x", "loss"} for point in trajectory)
        assert [p["step"] for p in trajectory] == list(range(len(trajectory)))
        if run["status"] != "diverged":
            assert len(trajectory) == steps + 1
    assert runs[3]["stopped_at"] == 11 and len(runs[3]["trajectory"]) == 11
    for k, point in enumerate(runs[1]["trajectory"][:5]):
        assert point["x"] == pytest.approx(2 * 0.1**k, rel=1e-12, abs=1e-15)
        assert point["loss"] == pytest.approx(4 * 0.01**k, rel=1e-12, abs=1e-15)
    assert "PyTorch SGD" in data["convention"]


def test_schedules_change_the_rate_of_each_step_as_pytorch_documents() -> None:
    # step schedule: eta * gamma^floor(k / s) with eta = 0.4, gamma = 0.5, s = 2
    p = plan(Descent1DParams(learning_rates=(0.4,), steps=6, schedule="step", gamma=0.5, step_size=2))
    assert p.runs[0].to_json()["step_rates"] == [0.4, 0.4, 0.2, 0.2, 0.1, 0.1]
    assert p.schedule_tex.startswith(r"\eta_k = \eta\,\gamma^{\lfloor k/s \rfloor}")
    # cosine over K = 4 steps: eta (1 + cos(pi k / 4)) / 2 = eta * [1, 0.8536, 0.5, 0.1464]
    cosine = plan(Descent1DParams(learning_rates=(1.0,), steps=4, schedule="cosine"))
    assert cosine.runs[0].to_json()["step_rates"] == pytest.approx([1.0, 0.8535533905932737, 0.5, 0.14644660940672624])
    assert "cosine" in cosine.captions[1][0]


def test_momentum_and_adam_run_in_one_dimension() -> None:
    for optimizer in ("momentum", "nesterov", "adam", "rmsprop"):
        p = plan(Descent1DParams(function="x**4 - 3*x**2 + x", start=2.0, optimizer=optimizer, learning_rates=(0.01, 0.05)))
        json.dumps(p.to_json(), allow_nan=False)


@pytest.mark.render
@pytest.mark.parametrize("layout", ["side-by-side", "overlaid"])
def test_real_low_quality_render(layout: str, tmp_path: Path) -> None:
    render_and_check("descent-1d", {"layout": layout, "steps": 6, "duration": 1.0, "schedule": "exponential"}, tmp_path)


def test_rates_with_the_same_loss_on_x_squared_are_paired() -> None:
    """On x^2 a step is x -> (1 - 2 eta) x, so eta and 2 - eta give the same loss 4 (1 - 2 eta)^(2k) from x = 2:
    0.1 and 0.9 both scale the loss by 0.64 per step (exact Fractions here); 0.45 and 1.05 match nobody."""
    from fractions import Fraction

    pl = plan(Descent1DParams())
    assert [r.run.learning_rate for r in pl.runs] == [0.1, 0.45, 0.9, 1.05]
    assert [r.same_losses_as for r in pl.runs] == [None, None, 0, None]
    for run in (pl.runs[0], pl.runs[2]):
        for k, loss in enumerate(run.run.losses):
            assert float(loss) == pytest.approx(float(4 * Fraction(16, 25) ** k), rel=1e-12)
    assert pl.same_loss_notes == [r"\eta = 0.9\text{: same loss as }\eta = 0.1"]
    assert "η = 0.9 has the same loss as η = 0.1 at every step" in pl.captions[1][0]
    other = plan(Descent1DParams.from_mapping({"learning_rates": [0.1, 0.3, 0.45]}))  # factors 0.8, 0.4, 0.1
    assert [r.same_losses_as for r in other.runs] == [None, None, None]
    assert other.same_loss_notes == []


def test_a_dashed_line_keeps_its_length_and_gaps() -> None:
    import numpy as np

    from calcanim.scenes.descent_parts import dash_polyline

    corner = [np.zeros(3), np.array([1.0, 0.0, 0.0]), np.array([1.0, 1.0, 0.0])]  # 2 units long, one corner
    dashes = dash_polyline(corner, 0.12, 0.08)
    lengths = [sum(float(np.linalg.norm(b - a)) for a, b in zip(d[:-1], d[1:])) for d in dashes]
    assert len(dashes) == 10  # 2 / (0.12 + 0.08)
    assert sum(lengths) == pytest.approx(10 * 0.12)
    assert dashes[5][0] == pytest.approx(np.array([1.0, 0.0, 0.0]))  # the 6th dash starts at the corner


def test_a_loss_falling_to_minus_infinity_at_the_edge_is_planned() -> None:
    """log(x) on [0, 2]: f(0) = -inf (the CI fuzz test found an OverflowError here). The inset measures from the
    lowest finite sample, log(2/(n-1)) for the curve's n samples at most, called the lowest shown (log has no
    minimum), and the inset's range is finite."""
    import math

    p = plan(Descent1DParams(function="log(x)", x_range=(0.0, 2.0)))
    assert math.isfinite(p.loss_reference) and p.loss_reference < math.log(2 / 100)
    assert p.reference_kind == "lowest_shown" and "f^{*}" not in p.inset_label_tex
    assert all(math.isfinite(v) for v in p.inset_range)


def test_a_loss_without_minimum_is_measured_from_the_lowest_value_shown_never_called_f_star() -> None:
    """x^3 from 2 (domain [-2, 6], no minimum downhill): eta = 0.45 jumps to 2 - 0.45 * 3 * 2^2 = -3.4, inside the
    domain widened by half its width, and its next step leaves it; f(-3.4) = -4913/125 is the lowest value shown.
    The inset says so, the caption says f has no minimum, and nothing is called f*."""
    from fractions import Fraction

    p = plan(Descent1DParams(function="x**3"))
    assert p.x_range == (-2.0, 6.0)
    x1 = 2 - Fraction(45, 100) * 3 * 2**2
    assert p.reference_kind == "lowest_shown"
    assert p.loss_reference == pytest.approx(float(x1**3), rel=1e-15) and float(x1**3) == -39.304
    assert p.inset_context_lines == (r"\text{lowest shown:}", r"f_{\text{low}} \approx -39.3")  # -39.304
    assert p.inset_label_tex == r"f - f_{\text{low}}"
    assert "f^{*}" not in p.inset_label_tex + "".join(p.inset_context_lines)
    assert "no minimum on the plotted range" in p.captions[1][0]
    falling = plan(Descent1DParams(function="-x**3"))  # unbounded below to the right
    assert falling.reference_kind == "lowest_shown" and "f^{*}" not in falling.inset_label_tex


def test_a_minimum_inside_the_range_is_f_star_to_the_closed_form() -> None:
    """x^2 - 3: f* = -3 exactly (no curve sample sits on x = 0; the minimum is refined). x^4 - 3x^2 + x on [-2, 2]:
    f* is f at the lowest real root of f' = 4x^3 - 6x + 1, from sympy at 30 digits."""
    import sympy

    p = plan(Descent1DParams(function="x**2 - 3"))
    assert p.reference_kind == "minimum" and p.loss_reference == pytest.approx(-3.0, abs=1e-12)
    assert p.inset_context_lines == ("f^{*} = -3",) and p.inset_label_tex == "f - f^{*}"
    assert "no minimum" not in p.captions[1][0]
    x = sympy.Symbol("x")
    f = x**4 - 3 * x**2 + x
    critical = [r for r in sympy.Poly(sympy.diff(f, x), x).nroots(n=30) if r.is_real and -2 <= r <= 2]
    best = min(float(f.subs(x, r).evalf(30)) for r in critical)
    quartic = plan(Descent1DParams(function="x**4 - 3*x**2 + x", x_range=(-2.0, 2.0), start=-0.5,
                                   learning_rates=(0.01, 0.05)))
    assert quartic.reference_kind == "minimum"
    assert quartic.loss_reference == pytest.approx(best, rel=1e-12)
    assert plan(Descent1DParams()).reference_kind == "zero"  # x^2 >= 0: the inset plots the loss itself


def test_the_function_is_shown_as_typed() -> None:
    """Issue 15 item 2: the header shows f as typed, x^2 - 3, not sympy's reordering -3 + x^2."""
    assert plan(Descent1DParams(function="x**2 - 3")).function_tex == "x^{2} - 3"
    assert plan(Descent1DParams(function="sin(4*x) + 0.1*x**2", start=1.0)).function_tex == r"\sin\left(4x\right) + 0.1x^{2}"


def test_the_cross_where_a_run_leaves_the_plot_is_explained_once() -> None:
    """Issue 12 review: an "escaped" word beside every cross crowded x^3's panels. One line under the loss plot
    says what the cross means, only when a run diverged: x^2 (f'' = 2) diverges for eta > 2/2 = 1 only."""
    assert plan(Descent1DParams(function="x**2", learning_rates=[0.1, 0.45, 0.9])).escape_note_tex == ""
    assert "left the plot" in plan(Descent1DParams(function="x**2", learning_rates=[0.1, 1.05])).escape_note_tex
