"""Optimizers against closed forms and hand arithmetic; status rules; JSON output."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from calcanim.errors import ParamError
from calcanim.numerics.descent import STATUS_RULES, OptimizerSettings, Run, run_descent
from calcanim.numerics.surfaces import PRESETS, Surface, preset, surface_from_sympy

X, Y = sympy.symbols("x y")
BIG_DOMAIN = {"x_range": (-10.0, 10.0), "y_range": (-10.0, 10.0)}


def quadratic(curvature_1: float, curvature_2: float, direction_1: tuple[int, int] = (1, 0)) -> Surface:
    """0.5 * (l1 * <u1, p>^2 + l2 * <u2, p>^2) with unit eigenvectors u1 = direction_1 / |.|, u2 = u1 rotated 90°."""
    a, b = direction_1
    norm = sympy.sqrt(a**2 + b**2)
    along_1, along_2 = (a * X + b * Y) / norm, (-b * X + a * Y) / norm
    expr = sympy.nsimplify(curvature_1) * along_1**2 / 2 + sympy.nsimplify(curvature_2) * along_2**2 / 2
    return surface_from_sympy(expr, name="quadratic", start=(1.0, 1.0), **BIG_DOMAIN)


def assert_json_is_plain(run: Run) -> dict:
    """to_json holds only plain ints, floats and strings; every float is finite."""
    data = run.to_json()
    assert data["status"] in STATUS_RULES and data["optimizer"] == run.optimizer
    assert type(data["learning_rate"]) is float
    for step, entry in enumerate(data["trajectory"]):
        assert entry["step"] == step and type(entry["step"]) is int
        for key in ("x", "y", "loss"):
            assert type(entry[key]) is float and math.isfinite(entry[key])
    return data


@pytest.mark.parametrize("direction_1", [(1, 0), (3, 4)])
@pytest.mark.parametrize("learning_rate", [0.05, 0.3, 0.45])
def test_gd_on_a_quadratic_follows_the_closed_form_along_each_eigenvector(
    direction_1: tuple[int, int], learning_rate: float
) -> None:
    curvature_1, curvature_2 = 1.0, 4.0  # 2/L = 0.5; lr = 0.45 oscillates along u2 but shrinks
    surface = quadratic(curvature_1, curvature_2, direction_1)
    u1 = np.array(direction_1, dtype=float) / np.hypot(*direction_1)
    u2 = np.array([-u1[1], u1[0]])
    start = np.array([1.5, -2.0])
    run = run_descent(surface, OptimizerSettings("gd", learning_rate), tuple(start), 50)
    assert len(run.points) == 51
    k = np.arange(51)
    expected = (
        np.outer((1 - learning_rate * curvature_1) ** k * (start @ u1), u1)
        + np.outer((1 - learning_rate * curvature_2) ** k * (start @ u2), u2)
    )
    np.testing.assert_allclose(run.points @ u1, expected @ u1, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(run.points @ u2, expected @ u2, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("name", ["bowl", "ravine"])
def test_gd_converges_below_2_over_L_and_diverges_above(name: str) -> None:
    surface = preset(name)
    largest_curvature = {"bowl": 2.0, "ravine": 10.0}[name]  # read off the formulas x^2 + y^2, (x^2 + 10 y^2)/2
    stable = run_descent(surface, OptimizerSettings("gd", 0.9 * 2 / largest_curvature), surface.start, 300)
    assert stable.status == "converged" and stable.stopped_at is None and len(stable.points) == 301
    assert np.linalg.norm(stable.points[-1]) < 1e-3
    unstable = run_descent(surface, OptimizerSettings("gd", 1.1 * 2 / largest_curvature), surface.start, 300)
    assert unstable.status == "diverged"
    assert unstable.stopped_at is not None and len(unstable.points) == unstable.stopped_at < 301
    assert np.all(np.isfinite(unstable.points)) and np.all(np.isfinite(unstable.losses))
    data = assert_json_is_plain(unstable)
    assert len(data["trajectory"]) == unstable.stopped_at and data["stopped_at"] == unstable.stopped_at
    assert data["status"] == "diverged"


LOG_SUM_EXP = surface_from_sympy(sympy.log(sympy.exp(X) + sympy.exp(Y) + sympy.exp(-X - Y)), name="lse")
# Hessian = A^T (diag p - p p^T) A with A = [[1, 0], [0, 1], [-1, -1]]: at most 1 * |A|^2 = 3, so L <= 3.
SMOOTH_CONVEX = [(preset("bowl"), 2.0), (preset("ravine"), 10.0), (LOG_SUM_EXP, 3.0)]


@settings(max_examples=60, deadline=None)
@given(
    case=st.sampled_from(SMOOTH_CONVEX),
    fraction=st.floats(min_value=1e-6, max_value=1.0),  # lr = fraction / L in (0, 1/L]
    u=st.floats(min_value=0.0, max_value=1.0),
    v=st.floats(min_value=0.0, max_value=1.0),
)
def test_gd_with_lr_at_most_1_over_L_never_increases_an_L_smooth_convex_loss(
    case: tuple[Surface, float], fraction: float, u: float, v: float
) -> None:
    surface, smoothness = case
    (x_lo, x_hi), (y_lo, y_hi) = surface.x_range, surface.y_range
    start = (x_lo + u * (x_hi - x_lo), y_lo + v * (y_hi - y_lo))
    run = run_descent(surface, OptimizerSettings("gd", fraction / smoothness), start, 40)
    assert run.status != "diverged" and len(run.losses) == 41
    increases = np.diff(run.losses)
    assert np.all(increases <= 1e-12 * (1 + np.abs(run.losses[:-1])))


def test_momentum_first_three_steps_by_hand() -> None:
    # bowl f = x^2 + y^2, grad = (2x, 2y); lr = 0.1, beta = 0.9, v0 = 0; v <- beta v + g; x <- x - lr v
    # step 1: g = (2, 4);       v = (2, 4);                          x = (1, 2) - 0.1 (2, 4)     = (0.8, 1.6)
    # step 2: g = (1.6, 3.2);   v = 0.9 (2, 4) + (1.6, 3.2) = (3.4, 6.8);   x = (0.8, 1.6) - (0.34, 0.68) = (0.46, 0.92)
    # step 3: g = (0.92, 1.84); v = 0.9 (3.4, 6.8) + (0.92, 1.84) = (3.98, 7.96); x = (0.46, 0.92) - (0.398, 0.796)
    run = run_descent(preset("bowl"), OptimizerSettings("momentum", 0.1, beta=0.9), (1.0, 2.0), 3)
    expected = [(1.0, 2.0), (0.8, 1.6), (0.46, 0.92), (0.062, 0.124)]
    np.testing.assert_allclose(run.points, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(run.losses, [x * x + y * y for x, y in expected], rtol=1e-12)


def test_nesterov_first_two_steps_by_hand() -> None:
    # look-ahead = x - lr beta v; v <- beta v + g(look-ahead); x <- x - lr v; bowl, lr = 0.1, beta = 0.9
    # step 1: look-ahead = (1, 2);  g = (2, 4);  v = (2, 4);  x = (0.8, 1.6)
    # step 2: look-ahead = (0.8, 1.6) - 0.09 (2, 4) = (0.62, 1.24);  g = (1.24, 2.48)
    #         v = 0.9 (2, 4) + (1.24, 2.48) = (3.04, 6.08);  x = (0.8, 1.6) - (0.304, 0.608) = (0.496, 0.992)
    run = run_descent(preset("bowl"), OptimizerSettings("nesterov", 0.1, beta=0.9), (1.0, 2.0), 2)
    np.testing.assert_allclose(run.points, [(1.0, 2.0), (0.8, 1.6), (0.496, 0.992)], rtol=1e-12)


def test_adam_first_two_steps_by_hand() -> None:
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    # step 1: g = (2, 4); m = 0.1 g = (0.2, 0.4); v = 0.001 g^2 = (0.004, 0.016)
    #         m_hat = m / 0.1 = (2, 4); v_hat = v / 0.001 = (4, 16); step = lr * m_hat / (sqrt(v_hat) + eps)
    x1 = np.array([1 - lr * 2 / (2 + eps), 2 - lr * 4 / (4 + eps)])
    # step 2: g = 2 x1; m = 0.9 m + 0.1 g; v = 0.999 v + 0.001 g^2; divide by 1 - 0.9^2 and 1 - 0.999^2
    g = 2 * x1
    m = b1 * np.array([0.2, 0.4]) + (1 - b1) * g
    v = b2 * np.array([0.004, 0.016]) + (1 - b2) * g**2
    x2 = x1 - lr * (m / (1 - b1**2)) / (np.sqrt(v / (1 - b2**2)) + eps)
    run = run_descent(preset("bowl"), OptimizerSettings("adam", lr), (1.0, 2.0), 2)
    np.testing.assert_allclose(run.points, [(1.0, 2.0), x1, x2], rtol=1e-12)
    np.testing.assert_allclose(x1, [0.9, 1.9], atol=1e-8)  # first step: about lr per coordinate


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_adam_first_step_moves_each_coordinate_by_about_lr(name: str) -> None:
    surface = preset(name)
    run = run_descent(surface, OptimizerSettings("adam", 0.05), surface.start, 1)
    np.testing.assert_allclose(np.abs(run.updates[0]), [0.05, 0.05], rtol=1e-6)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov", "adam"])
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_optimizer_on_every_preset_gives_clean_json(optimizer: str, name: str) -> None:
    surface = preset(name)
    run = run_descent(surface, OptimizerSettings(optimizer, 0.01), surface.start, 200)
    data = assert_json_is_plain(run)
    assert len(run.points) == len(run.losses) == len(run.gradients) == len(run.updates) + 1
    if run.status != "diverged":
        assert len(data["trajectory"]) == 201 and run.stopped_at is None


def test_saddle_escapes_along_y_and_is_reported_diverged() -> None:
    saddle = preset("saddle")
    run = run_descent(saddle, OptimizerSettings("gd", 0.1), saddle.start, 200)
    assert run.status == "diverged" and run.stopped_at is not None
    assert abs(run.points[-1, 0]) < abs(saddle.start[0]) and abs(run.points[-1, 1]) > 2.0


def test_convergence_verdicts() -> None:
    rosenbrock = preset("rosenbrock")
    slow = run_descent(rosenbrock, OptimizerSettings("gd", 1e-3), rosenbrock.start, 50)
    assert slow.status == "running" and len(slow.points) == 51
    fast = run_descent(rosenbrock, OptimizerSettings("momentum", 1e-3), rosenbrock.start, 3_000)
    assert fast.status == "converged" and np.allclose(fast.points[-1], (1.0, 1.0), atol=1e-2)
    at_minimum = run_descent(preset("bowl"), OptimizerSettings("gd", 0.1), (0.0, 0.0), 0)
    assert at_minimum.status == "converged" and at_minimum.points.shape == (1, 2)


def test_non_finite_losses_end_the_run_as_diverged_without_nan() -> None:
    surface = surface_from_sympy(sympy.log(X) + Y**2, x_range=(0.5, 3), start=(1.0, 1.0))
    run = run_descent(surface, OptimizerSettings("gd", 5.0), (1.0, 1.0), 10)  # x: 1 - 5 = -4 < 0
    assert run.status == "diverged" and run.stopped_at == 1 and len(run.points) == 1
    assert_json_is_plain(run)


def test_run_arrays_are_read_only() -> None:
    run = run_descent(preset("bowl"), OptimizerSettings("gd", 0.1), (1.0, 2.0), 3)
    with pytest.raises(ValueError):
        run.points[0, 0] = 5.0


def test_settings_and_arguments_are_validated() -> None:
    with pytest.raises(ParamError, match="'adam'"):
        OptimizerSettings("adma", 0.1)
    for bad in [0.0, -0.1, float("nan"), float("inf")]:
        with pytest.raises(ParamError):
            OptimizerSettings("gd", bad)
    with pytest.raises(ParamError):
        OptimizerSettings("momentum", 0.1, beta=1.0)
    with pytest.raises(ParamError):
        run_descent(preset("bowl"), OptimizerSettings("gd", 0.1), (9.0, 0.0), 10)
    with pytest.raises(ParamError):
        run_descent(preset("bowl"), OptimizerSettings("gd", 0.1), (1.0, 0.0), -1)


def test_status_rules_explain_every_status() -> None:
    assert set(STATUS_RULES) == {"converged", "diverged", "running"}
    assert all(isinstance(text, str) and text and "\n" not in text for text in STATUS_RULES.values())


def test_a_diverged_run_keeps_the_rejected_iterate_when_it_is_finite() -> None:
    # ravine (x^2 + 10 y^2)/2, lr = 0.55: y <- (1 - 5.5) y = -4.5 y; from y = 1.5 the first step lands at -6.75,
    # outside the domain widened by 50% (|y| <= 4): stopped at step 1, rejected point (-3.5 * 0.45, -6.75)
    run = run_descent(preset("ravine"), OptimizerSettings("gd", 0.55), (-3.5, 1.5), 10)
    assert run.status == "diverged" and run.stopped_at == 1
    assert run.escaped_to == pytest.approx((-3.5 * 0.45, -6.75))
    assert run_descent(preset("bowl"), OptimizerSettings("gd", 0.1), (1.0, 1.0), 5).escaped_to is None


@settings(max_examples=60, deadline=None)
@given(
    half_width=st.floats(min_value=1e3, max_value=1e15),
    curvature=st.floats(min_value=0.5, max_value=20.0),
    overshoot=st.floats(min_value=1.1, max_value=3.0),  # lr = overshoot * 2 / L: |1 - lr L| >= 1.2
    start=st.floats(min_value=1e-6, max_value=1.0),
    optimizer=st.sampled_from(["gd", "momentum"]),
)
def test_a_diverging_rate_is_never_converged_however_large_the_domain(
    half_width: float, curvature: float, overshoot: float, start: float, optimizer: str
) -> None:
    """Issue 14: on x in [-W, W] the iterates of gd on L/2 x^2 grow like |1 - lr L|^k; before the fix a domain
    so large that 1e-6 x its diagonal exceeded the last step called that "converged"."""
    surface = surface_from_sympy(
        sympy.nsimplify(curvature) * (X**2 + Y**2) / 2, x_range=(-half_width, half_width),
        y_range=(-half_width, half_width), start=(start, start),
    )
    lr = overshoot * 2 / curvature * (1 + 0.9 if optimizer == "momentum" else 1)  # heavy ball: stable below 2(1+b)/L
    run = run_descent(surface, OptimizerSettings(optimizer, lr, beta=0.9), (start, start), 80)
    ratio = abs(1 - lr * curvature)
    if optimizer == "gd":
        assert ratio > 1
    assert run.status == "diverged", run.reason


def test_a_converging_run_on_a_huge_domain_is_still_converged() -> None:
    surface = surface_from_sympy(X**2 + Y**2, x_range=(-1e12, 1e12), y_range=(-1e12, 1e12), start=(1.0, 1.0))
    run = run_descent(surface, OptimizerSettings("gd", 0.3), (1.0, 1.0), 80)  # x <- 0.4 x: 0.4^80 ~ 1e-32
    assert run.status == "converged"


def test_a_slow_run_on_a_huge_domain_is_still_running_not_settled() -> None:
    """gd at lr 0.02 on x^2 + y^2: x_k = 0.96^k, so after 80 steps |grad| = 2 sqrt(2) 0.96^80 = 0.11 and the steps
    are still 3% of the first: not converged, however large the domain (1e-6 x its diagonal is 2.8e6 here)."""
    surface = surface_from_sympy(X**2 + Y**2, x_range=(-1e12, 1e12), y_range=(-1e12, 1e12), start=(1.0, 1.0))
    run = run_descent(surface, OptimizerSettings("gd", 0.02), (1.0, 1.0), 80)
    assert run.status == "running"
    assert float(np.linalg.norm(run.gradients[-1])) == pytest.approx(2 * math.sqrt(2) * 0.96**80, rel=1e-9)
