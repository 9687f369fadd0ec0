"""Local linearity: gaps to the tangent shrink like |f''| w^2 / 2, a corner's do not."""

from __future__ import annotations

import json
import math
import threading
import time

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from calcanim.errors import ParamError
from calcanim.numerics import linearity
from calcanim.numerics.linearity import (
    ZoomCheckpoint,
    derivative_at,
    second_derivative_at,
    unequal_window,
    visible_window,
    zoom_checkpoints,
)

x = sympy.Symbol("x")
ZOOMS = [1.0, 10.0, 100.0, 1000.0, 10000.0]

SMOOTH_CASES = [
    (x**2, lambda t: t**2, 1.0),
    (sympy.exp(x), np.exp, 0.0),
    (sympy.sin(x), np.sin, 1.0),
    (x**3, lambda t: t**3, 2.0),
]


@pytest.mark.parametrize(("expr", "f", "a"), SMOOTH_CASES)
def test_relative_gap_falls_like_half_second_derivative_times_w(expr, f, a) -> None:
    slope = float(sympy.diff(expr, x).subs(x, a))
    curvature = abs(float(sympy.diff(expr, x, 2).subs(x, a)))
    checkpoints = zoom_checkpoints(f, a, slope, ZOOMS, 1.0)
    for cp in checkpoints:
        assert cp.half_width == pytest.approx(1.0 / cp.zoom)
        assert cp.relative_gap == pytest.approx(cp.max_gap / cp.half_width)
        if cp.zoom >= 100:
            assert cp.relative_gap / cp.half_width == pytest.approx(curvature / 2, rel=0.03)
    gaps = [cp.relative_gap for cp in checkpoints]
    assert all(later < earlier for earlier, later in zip(gaps, gaps[1:]))


@pytest.mark.parametrize(("expr", "f", "a"), SMOOTH_CASES)
def test_sympy_slopes_match_the_formulas(expr, f, a) -> None:
    assert derivative_at(expr, a) == pytest.approx(float(sympy.diff(expr, x).subs(x, a)), rel=1e-15)
    assert second_derivative_at(expr, a) == pytest.approx(float(sympy.diff(expr, x, 2).subs(x, a)), rel=1e-15)


def test_parabola_slopes_at_plus_and_minus_one() -> None:
    assert derivative_at(x**2, 1.0) == 2.0
    assert derivative_at(x**2, -1.0) == -2.0
    assert second_derivative_at(x**2, -1.0) == 2.0


def test_corner_has_no_derivative_and_its_gap_does_not_shrink() -> None:
    assert derivative_at(sympy.Abs(x), 0.0) is None
    assert second_derivative_at(sympy.Abs(x), 0.0) is None
    checkpoints = zoom_checkpoints(np.abs, 0.0, None, ZOOMS, 1.0)
    for cp in checkpoints:
        assert cp.relative_gap == pytest.approx(1.0, rel=1e-12)


def test_corner_gap_does_not_shrink_against_any_fixed_line() -> None:
    for slope in (-0.5, 0.0, 0.3, 1.0):
        gaps = [cp.relative_gap for cp in zoom_checkpoints(np.abs, 0.0, slope, ZOOMS, 1.0)]
        assert min(gaps) >= 1.0 - 1e-12
        assert max(gaps) == pytest.approx(min(gaps), rel=1e-9)


def test_corner_away_from_the_kink_is_a_line() -> None:
    assert derivative_at(sympy.Abs(x), 1.0) == 1.0
    assert derivative_at(sympy.Abs(x), -2.0) == -1.0
    assert second_derivative_at(sympy.Abs(x), 1.0) == 0.0


@pytest.mark.parametrize(
    ("expr", "a"),
    [
        (sympy.sqrt(x), 0.0),  # infinite slope, and undefined to the left
        (sympy.cbrt(x), 0.0),
        (x ** sympy.Rational(2, 3), 0.0),  # cusp
        (sympy.Abs(x - 1) + x**2, 1.0),
        (sympy.Max(x, 0), 0.0),
        (sympy.Heaviside(x), 0.0),
        (sympy.log(x), 0.0),  # undefined at a
        (sympy.log(x), -1.0),  # complex at a
        (sympy.Abs(sympy.sin(x)), 0.0),
    ],
)
def test_no_derivative(expr, a) -> None:
    assert derivative_at(expr, a) is None


def test_diff_of_abs_is_not_trusted_at_the_kink() -> None:
    x_real = sympy.Symbol("x", real=True)
    assert sympy.diff(sympy.Abs(x_real), x_real).subs(x_real, 0) == 0  # sign(0) = 0: the trap
    assert derivative_at(sympy.Abs(x_real), 0.0) is None


def test_one_sided_agreement_and_second_derivatives_of_non_smooth_expressions() -> None:
    assert derivative_at(x * sympy.Abs(x), 0.0) == 0.0
    assert second_derivative_at(x * sympy.Abs(x), 0.0) is None  # f' = 2|x| has a corner
    assert second_derivative_at(sympy.Abs(x) ** 3, 0.0) == 0.0
    piecewise = sympy.Piecewise((x**2, x < 0), (x**3, True))
    assert derivative_at(piecewise, 0.0) == 0.0
    assert second_derivative_at(piecewise, 0.0) is None  # 2 from the left, 0 from the right


def test_exact_points_are_accepted() -> None:
    assert derivative_at(sympy.sin(x), sympy.pi) == -1.0
    assert derivative_at(sympy.Abs(x - sympy.Rational(1, 3)), sympy.Rational(1, 3)) is None


def test_constant_expression_has_slope_zero() -> None:
    assert derivative_at(sympy.Integer(5), 2.0) == 0.0


def test_two_variables_are_rejected() -> None:
    y = sympy.Symbol("y")
    with pytest.raises(ParamError):
        derivative_at(x * y, 1.0)


def test_typical_expressions_are_fast() -> None:
    start = time.perf_counter()
    for expr, a in [(sympy.Abs(x), 0.0), (sympy.sqrt(x), 0.0), (x**2, 1.0), (sympy.Abs(x - 1) + x**2, 1.0)]:
        derivative_at(expr, a)
    assert time.perf_counter() - start < 1.0


def test_sympy_timeout_falls_back_to_the_numeric_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def too_slow(*args, **kwargs):
        while True:
            time.sleep(0.001)

    monkeypatch.setattr(linearity, "SYMPY_LIMIT_SECONDS", 0.05)
    monkeypatch.setattr(linearity.sympy, "limit", too_slow)
    start = time.perf_counter()
    assert derivative_at(sympy.Abs(x), 0.0) is None
    assert derivative_at(sympy.Abs(x), 2.0) == pytest.approx(1.0, rel=1e-9)
    assert derivative_at(x * sympy.Abs(x), 0.0) == pytest.approx(0.0, abs=1e-9)
    assert derivative_at(sympy.sqrt(x), 0.0) is None
    assert time.perf_counter() - start < 2.0


def test_failing_sympy_limit_falls_back_to_the_numeric_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(*args, **kwargs):
        raise NotImplementedError("no limit")

    monkeypatch.setattr(linearity.sympy, "limit", fails)
    assert derivative_at(sympy.Abs(x), 0.0) is None
    assert derivative_at(sympy.Abs(x) + x**2, 1.0) == pytest.approx(3.0, rel=1e-9)


def test_worker_threads_use_the_numeric_check() -> None:
    results: list[float | None] = []
    def work() -> None:
        results.extend([derivative_at(sympy.Abs(x), 0.0), derivative_at(sympy.Abs(x), 1.0)])

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert results[0] is None
    assert results[1] == pytest.approx(1.0, rel=1e-9)


def test_sqrt_fallback_line_is_the_one_sided_secant_and_the_gap_grows() -> None:
    checkpoints = zoom_checkpoints(np.sqrt, 0.0, None, [1.0, 100.0], 1.0)
    # the secant from (0, 0) to (w, sqrt w) misses sqrt by sqrt(w)/4 at x = w/4
    for cp in checkpoints:
        assert cp.max_gap == pytest.approx(math.sqrt(cp.half_width) / 4, rel=1e-6)
    assert checkpoints[1].relative_gap > checkpoints[0].relative_gap


def test_checkpoint_json_round_trips() -> None:
    cp = ZoomCheckpoint(zoom=10.0, half_width=0.1, max_gap=0.01, relative_gap=0.1)
    expected = {"zoom": 10.0, "half_width": 0.1, "max_gap": 0.01, "relative_gap": 0.1}
    assert json.loads(json.dumps(cp.to_json())) == expected


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf])
def test_zooms_must_be_positive(bad: float) -> None:
    with pytest.raises(ParamError):
        zoom_checkpoints(np.sin, 0.0, 1.0, [bad], 1.0)
    with pytest.raises(ParamError):
        zoom_checkpoints(np.sin, 0.0, 1.0, [1.0], bad)


@given(
    a=st.floats(-100, 100),
    fa=st.floats(-100, 100),
    half_width=st.floats(1e-9, 100),
    aspect=st.floats(0.25, 4),
)
def test_visible_window_has_equal_scale(a: float, fa: float, half_width: float, aspect: float) -> None:
    (x0, x1), (y0, y1) = visible_window(a, fa, half_width, aspect)
    half_height = half_width / aspect  # equal scale: width / height is the screen's aspect
    assert abs((x1 - x0) / 2 - half_width) <= 2 * math.ulp(abs(a) + half_width)
    assert abs((y1 - y0) / 2 - half_height) <= 2 * math.ulp(abs(fa) + half_height)
    assert (x0 + x1) / 2 == pytest.approx(a, abs=1e-9 * max(1.0, abs(a)))
    assert (y0 + y1) / 2 == pytest.approx(fa, abs=1e-9 * max(1.0, abs(fa)))


def test_unequal_window_zooms_only_x() -> None:
    (x0, x1), (y0, y1) = unequal_window(1.0, 1.0, 0.01, 16 / 9, 1.0)
    assert (x0, x1) == pytest.approx((0.99, 1.01))
    assert (y0, y1) == visible_window(1.0, 1.0, 1.0, 16 / 9)[1]


# --- drawing inside a window ---------------------------------------------------------------------

from calcanim.numerics.linearity import clip_polyline, line_in_window  # noqa: E402


def test_clip_polyline_cuts_exactly_at_the_edges() -> None:
    xs = np.linspace(-2.0, 2.0, 401)
    parts = clip_polyline(xs, xs**2, -1.0, 1.0)
    assert len(parts) == 1
    (x0, y0), (x1, y1) = parts[0][0], parts[0][-1]
    assert (y0, y1) == (1.0, 1.0)
    assert x0 == pytest.approx(-1.0, abs=1e-12) and x1 == pytest.approx(1.0, abs=1e-12)  # x^2 = 1 at +-1


def test_clip_polyline_breaks_at_poles_and_handles_full_crossings() -> None:
    xs = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    with np.errstate(divide="ignore"):
        parts = clip_polyline(xs, 1.0 / xs, -3.0, 3.0)
    assert len(parts) == 2  # inf at 0 splits the hyperbola
    steep = clip_polyline(np.array([0.0, 1.0]), np.array([-10.0, 10.0]), -1.0, 1.0)
    assert [p.tolist() for p in steep] == [[[0.45, -1.0], [0.55, 1.0]]]
    assert clip_polyline(np.array([0.0, 1.0]), np.array([5.0, 6.0]), -1.0, 1.0) == []


def test_line_in_window_keeps_slope_and_stays_inside() -> None:
    ends = line_in_window(1.0, 1.0, 2.0, (0.998, 1.002), (0.998, 1.002))
    (x0, y0), (x1, y1) = ends
    assert (y1 - y0) / (x1 - x0) == pytest.approx(2.0, rel=1e-9)
    assert (x0, x1) == pytest.approx((0.999, 1.001), abs=1e-12)
    assert line_in_window(0.0, 10.0, 0.0, (-1.0, 1.0), (-1.0, 1.0)) is None
