"""calcanim.numerics.descent against optimizers written from PyTorch's documented pseudo-code and Kingma & Ba's
Algorithm 1 (reference_optimizers.py), on random smooth surfaces, learning rates, hyperparameters and schedules."""

from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from calcanim.numerics.descent import OptimizerSettings, run_descent
from calcanim.numerics.schedules import Schedule
from calcanim.numerics.surfaces import surface_from_sympy
from tests.peers import reference_optimizers as reference

X, Y = sympy.symbols("x y")
STEPS = 25
HUGE = (-1e6, 1e6)  # nothing leaves this domain in 25 steps at these rates, so every step is compared

coefficient = st.floats(min_value=0.1, max_value=3.0)
wiggle = st.floats(min_value=-1.0, max_value=1.0)
frequency = st.floats(min_value=0.2, max_value=1.5)


@st.composite
def random_surfaces(draw: st.DrawFn) -> tuple[sympy.Expr, reference.Gradient, tuple[float, float]]:
    """f = a x^2 + b y^2 + c x y + d sin(p x + q y) + e cos(y): its sympy form, a hand-derived gradient, a start."""
    a, b, d, e = draw(coefficient), draw(coefficient), draw(wiggle), draw(wiggle)
    c = draw(st.floats(min_value=-1.0, max_value=1.0))
    p, q = draw(frequency), draw(frequency)
    expr = a * X**2 + b * Y**2 + c * X * Y + d * sympy.sin(p * X + q * Y) + e * sympy.cos(Y)

    def gradient(point: list[float]) -> list[float]:
        x, y = point
        wave = d * math.cos(p * x + q * y)
        return [2 * a * x + c * y + p * wave, 2 * b * y + c * x + q * wave - e * math.sin(y)]

    start = (draw(st.floats(min_value=-3, max_value=3)), draw(st.floats(min_value=-3, max_value=3)))
    return expr, gradient, start


schedules = st.tuples(
    st.sampled_from(["constant", "exponential", "step", "cosine"]),
    st.floats(min_value=0.5, max_value=1.0),
    st.integers(min_value=1, max_value=10),
)


def calcanim_path(expr: sympy.Expr, start: tuple[float, float], optimizer: OptimizerSettings) -> np.ndarray:
    surface = surface_from_sympy(expr, name="random", x_range=HUGE, y_range=HUGE, start=start)
    run = run_descent(surface, optimizer, start, STEPS)
    assert run.stopped_at is None, run.reason
    return run.points


def assert_same_path(ours: np.ndarray, theirs: list[list[float]]) -> None:
    theirs_array = np.array(theirs)
    scale = 1.0 + np.abs(theirs_array).max()
    np.testing.assert_allclose(ours, theirs_array, rtol=1e-9, atol=1e-11 * scale)


@settings(max_examples=40, deadline=None)
@given(
    surface=random_surfaces(),
    lr=st.floats(min_value=1e-3, max_value=0.15),
    beta=st.floats(min_value=0.0, max_value=0.95),
    schedule=schedules,
    kind=st.sampled_from(["gd", "momentum"]),
)
def test_gd_and_momentum_follow_pytorch_sgd(surface, lr, beta, schedule, kind) -> None:  # type: ignore[no-untyped-def]
    expr, gradient, start = surface
    name, gamma, step_size = schedule
    rates = reference.scheduled_rates(name, lr, STEPS, gamma, step_size, STEPS)
    theirs = reference.sgd(gradient, start, rates, momentum=beta if kind == "momentum" else 0.0)
    optimizer = OptimizerSettings(kind, lr, beta=beta, schedule=Schedule(name, gamma, step_size, STEPS))
    assert_same_path(calcanim_path(expr, start, optimizer), theirs)


@settings(max_examples=40, deadline=None)
@given(surface=random_surfaces(), lr=st.floats(min_value=1e-3, max_value=0.15), beta=st.floats(min_value=0.0, max_value=0.95))
def test_nesterov_is_pytorch_nesterov_shifted_by_beta_times_the_last_step(surface, lr, beta) -> None:  # type: ignore[no-untyped-def]
    """PyTorch's theta_t = x_t + beta (x_t - x_{t-1}) for calcanim's look-ahead iterates x_t (x_{-1} = x_0)."""
    expr, gradient, start = surface
    theirs = np.array(reference.sgd(gradient, start, [lr] * STEPS, momentum=beta, nesterov=True))
    ours = calcanim_path(expr, start, OptimizerSettings("nesterov", lr, beta=beta))
    previous = np.vstack([ours[:1], ours[:-1]])
    assert_same_path(ours + beta * (ours - previous), theirs.tolist())


@settings(max_examples=40, deadline=None)
@given(
    surface=random_surfaces(),
    lr=st.floats(min_value=1e-3, max_value=0.5),
    beta1=st.floats(min_value=0.0, max_value=0.99),
    beta2=st.floats(min_value=0.5, max_value=0.9999),
    eps=st.sampled_from([1e-8, 1e-6, 1e-3, 0.1]),
    schedule=schedules,
)
def test_adam_follows_kingma_and_ba_algorithm_1(surface, lr, beta1, beta2, eps, schedule) -> None:  # type: ignore[no-untyped-def]
    expr, gradient, start = surface
    name, gamma, step_size = schedule
    rates = reference.scheduled_rates(name, lr, STEPS, gamma, step_size, STEPS)
    optimizer = OptimizerSettings(
        "adam", lr, beta1=beta1, beta2=beta2, eps=eps, schedule=Schedule(name, gamma, step_size, STEPS)
    )
    ours = calcanim_path(expr, start, optimizer)
    # each step from our own previous point: a normalised step near a minimum amplifies rounding ~8x a step
    # (found: beta1 = 0, beta2 = 0.5, lr = 0.5 differed by 2.6e-7 after 10 steps, each step right)
    assert_same_path(ours, reference.adam(gradient, start, rates, beta1, beta2, eps, along=ours.tolist()))


@settings(max_examples=40, deadline=None)
@given(
    surface=random_surfaces(),
    lr=st.floats(min_value=1e-3, max_value=0.3),
    alpha=st.floats(min_value=0.5, max_value=0.999),
    eps=st.sampled_from([1e-8, 1e-6, 1e-3, 0.1]),
    schedule=schedules,
)
def test_rmsprop_follows_pytorch_rmsprop(surface, lr, alpha, eps, schedule) -> None:  # type: ignore[no-untyped-def]
    expr, gradient, start = surface
    name, gamma, step_size = schedule
    rates = reference.scheduled_rates(name, lr, STEPS, gamma, step_size, STEPS)
    optimizer = OptimizerSettings("rmsprop", lr, alpha=alpha, eps=eps, schedule=Schedule(name, gamma, step_size, STEPS))
    ours = calcanim_path(expr, start, optimizer)
    assert_same_path(ours, reference.rmsprop(gradient, start, rates, alpha, eps, along=ours.tolist()))


@settings(max_examples=200, deadline=None)
@given(
    schedule=schedules,
    base=st.floats(min_value=1e-4, max_value=10.0),
    total=st.integers(min_value=1, max_value=300),
)
def test_schedules_match_pytorch_recursive_schedulers(schedule, base, total) -> None:  # type: ignore[no-untyped-def]
    name, gamma, step_size = schedule
    theirs = reference.scheduled_rates(name, base, total, gamma, step_size, total)
    ours = [Schedule(name, gamma, step_size, total).rate(base, k) for k in range(total)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    assert all(rate > 0 for rate in ours)


def test_the_run_records_the_rate_of_every_step() -> None:
    # step schedule from the issue: eta * gamma^floor(k / step_size) with eta = 0.4, gamma = 0.5, step_size = 2
    surface = surface_from_sympy(X**2 + Y**2, x_range=HUGE, y_range=HUGE, start=(1.0, 1.0))
    run = run_descent(surface, OptimizerSettings("gd", 0.4, schedule=Schedule("step", 0.5, 2, 6)), (1.0, 1.0), 6)
    assert run.rates.tolist() == [0.4, 0.4, 0.2, 0.2, 0.1, 0.1]
    # gd on x^2: x <- (1 - 2 eta_k) x: factors 0.2, 0.2, 0.6, 0.6, 0.8, 0.8
    assert math.isclose(run.points[-1, 0], 0.2 * 0.2 * 0.6 * 0.6 * 0.8 * 0.8, rel_tol=1e-12)


def test_adam_on_the_case_hypothesis_found_chaotic() -> None:
    """beta1 = 0, beta2 = 0.5, lr = 0.5 on a quadratic: whole paths differ by 2.6e-7 after 10 steps (rounding
    amplified by the normalised step), yet every step is Algorithm 1's from the point before."""
    a, b, c = 1.0, 0.125, -0.212598727796389
    expr = a * X**2 + c * X * Y + b * Y**2

    def gradient(point: list[float]) -> list[float]:
        x, y = point
        return [2 * a * x + c * y, 2 * b * y + c * x]

    rates = reference.scheduled_rates("constant", 0.5, STEPS, 1.0, 1, STEPS)
    ours = calcanim_path(expr, (2.0, 2.0), OptimizerSettings("adam", 0.5, beta1=0.0, beta2=0.5, eps=1e-8,
                                                            schedule=Schedule("constant", 1.0, 1, STEPS)))
    assert_same_path(ours, reference.adam(gradient, (2.0, 2.0), rates, 0.0, 0.5, 1e-8, along=ours.tolist()))
    whole = np.array(reference.adam(gradient, (2.0, 2.0), rates, 0.0, 0.5, 1e-8))
    assert np.allclose(ours[:8], whole[:8], rtol=1e-9)  # the first steps agree as whole paths too
