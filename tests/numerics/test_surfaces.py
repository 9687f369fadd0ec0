"""Surfaces: presets' minima and gradients against independent references (central differences, hand math)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from calcanim.errors import ExpressionError, ParamError
from calcanim.numerics.surfaces import (
    PRESETS,
    Surface,
    max_stable_learning_rate,
    preset,
    quadratic_curvatures,
    surface_from_sympy,
)

STEP = 1e-6


def central_gradient(surface: Surface, x: float, y: float) -> np.ndarray:
    """(f(x+h) - f(x-h)) / 2h per coordinate, computed here with numpy and nothing from the module."""
    fx = (surface.loss(x + STEP, y) - surface.loss(x - STEP, y)) / (2 * STEP)
    fy = (surface.loss(x, y + STEP) - surface.loss(x, y - STEP)) / (2 * STEP)
    return np.array([fx, fy])


def assert_gradient_matches_differences(surface: Surface, x: float, y: float) -> None:
    """Exact gradient agrees with central differences up to their rounding error (~1e-10 * |f|)."""
    exact = np.array(surface.gradient(x, y))
    rounding = 1e-6 * (1.0 + abs(surface.loss(x, y)))
    np.testing.assert_allclose(exact, central_gradient(surface, x, y), rtol=1e-5, atol=rounding)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_gradient_matches_central_differences(name: str) -> None:
    surface = preset(name)
    rng = np.random.default_rng(7)
    xs = rng.uniform(*surface.x_range, size=6)
    ys = rng.uniform(*surface.y_range, size=6)
    for x, y in zip(xs, ys):
        assert_gradient_matches_differences(surface, float(x), float(y))


@pytest.mark.parametrize(
    ("name", "minimum"),
    [("rosenbrock", (1.0, 1.0)), ("bowl", (0.0, 0.0)), ("ravine", (0.0, 0.0))]
    + [("himmelblau", m) for m in [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]]
    + [("six-hump-camel", m) for m in [(0.0898, -0.7126), (-0.0898, 0.7126)]],
)
def test_known_minima_are_listed_stationary_and_strict_local_minima(name: str, minimum: tuple[float, float]) -> None:
    surface = preset(name)
    listed = min(surface.minima, key=lambda m: np.hypot(m[0] - minimum[0], m[1] - minimum[1]))
    assert np.allclose(listed, minimum, atol=1e-4)
    assert np.linalg.norm(surface.gradient(*listed)) < 1e-5
    assert np.all(np.linalg.eigvalsh(surface.hessian_at(*listed)) > 0)
    assert surface.contains(*listed)


def test_himmelblau_minima_are_zero_and_camel_minima_are_minus_1_0316() -> None:
    for point in preset("himmelblau").minima:
        assert preset("himmelblau").loss(*point) == pytest.approx(0.0, abs=1e-10)
    for point in preset("six-hump-camel").minima:
        assert preset("six-hump-camel").loss(*point) == pytest.approx(-1.0316284535, abs=1e-9)


def test_saddle_has_no_minimum_and_an_indefinite_hessian() -> None:
    saddle = preset("saddle")
    assert saddle.minima == ()
    assert np.array_equal(saddle.hessian_at(0.3, -0.2), np.array([[2.0, 0.0], [0.0, -2.0]]))


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_defaults_are_drawable(name: str) -> None:
    surface = preset(name)
    assert surface.name == name and surface.description
    assert surface.contains(*surface.start)
    assert all(np.hypot(surface.start[0] - m[0], surface.start[1] - m[1]) > 0.5 for m in surface.minima)
    z_lo, z_hi = surface.z_range
    assert z_lo < surface.loss(*surface.start) < z_hi


def test_scalar_and_array_evaluation_shapes_even_for_constant_derivatives() -> None:
    bowl = preset("bowl")
    assert isinstance(bowl.loss(1.0, 2.0), float)
    gx, gy = bowl.gradient(1.0, 2.0)
    assert isinstance(gx, float) and (gx, gy) == (2.0, 4.0)
    grid_x, grid_y = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 3))
    assert bowl.loss(grid_x, grid_y).shape == (3, 4)
    plane = surface_from_sympy(3 * sympy.Symbol("x") - sympy.Symbol("y"))
    gx, gy = plane.gradient(grid_x, grid_y)
    assert gx.shape == gy.shape == (3, 4)
    assert np.all(gx == 3.0) and np.all(gy == -1.0)


def test_undefined_values_are_nan_without_warnings() -> None:
    surface = surface_from_sympy(sympy.log(sympy.Symbol("x")), x_range=(0.1, 3))
    with np.errstate(all="raise"):
        assert np.isnan(surface.loss(-1.0, 0.0))


def test_contains_with_margin_widens_by_a_fraction_of_the_width() -> None:
    bowl = preset("bowl")  # x, y in (-3, 3): width 6
    assert bowl.contains(3.0, -3.0) and not bowl.contains(3.01, 0.0)
    assert bowl.contains(5.9, 0.0, margin=0.5) and not bowl.contains(6.1, 0.0, margin=0.5)
    assert not bowl.contains(float("nan"), 0.0, margin=0.5)


def test_custom_sympy_surface_gradient_matches_central_differences() -> None:
    x, y = sympy.symbols("x y")
    surface = surface_from_sympy(sympy.sin(x) * sympy.cos(y), name="wave")
    assert surface.name == "wave" and surface.minima == ()
    for point in [(0.3, -1.2), (2.0, 2.0), (-2.5, 0.7)]:
        assert_gradient_matches_differences(surface, *point)
    assert surface.gradient(0.3, -1.2) == pytest.approx((np.cos(0.3) * np.cos(-1.2), -np.sin(0.3) * np.sin(-1.2)))
    z_lo, z_hi = surface.z_range
    assert -1.0 <= z_lo < -0.9 and 0.9 < z_hi <= 1.0


def test_custom_z_range_ignores_poles() -> None:
    x = sympy.Symbol("x")
    surface = surface_from_sympy(1 / x)  # the grid hits x = 0 exactly: inf there, huge nearby
    z_lo, z_hi = surface.z_range
    assert np.isfinite(z_lo) and np.isfinite(z_hi) and z_lo < 0 < z_hi


def test_custom_surface_rejects_other_symbols_and_bad_domains() -> None:
    x, t = sympy.symbols("x t")
    with pytest.raises(ExpressionError, match="t"):
        surface_from_sympy(x * t)
    with pytest.raises(ParamError):
        surface_from_sympy(x**2, x_range=(1, -1))
    with pytest.raises(ParamError):
        surface_from_sympy(x**2, start=(5.0, 0.0))
    with pytest.raises(ExpressionError):
        surface_from_sympy(sympy.log(-x**2 - 1))


def test_quadratic_curvatures_and_stable_learning_rate() -> None:
    assert quadratic_curvatures(preset("bowl")) == (2.0, 2.0)
    assert quadratic_curvatures(preset("ravine")) == (1.0, 10.0)
    assert max_stable_learning_rate(preset("ravine")) == pytest.approx(0.2)
    assert max_stable_learning_rate(preset("bowl")) == pytest.approx(1.0)
    assert quadratic_curvatures(preset("rosenbrock")) is None
    assert max_stable_learning_rate(preset("himmelblau")) is None
    x, y = sympy.symbols("x y")
    rotated = surface_from_sympy(2 * x**2 + 2 * x * y + 2 * y**2)  # Hessian [[4, 2], [2, 4]]: eigenvalues 2, 6
    assert quadratic_curvatures(rotated) == pytest.approx((2.0, 6.0))
    assert max_stable_learning_rate(rotated) == pytest.approx(1 / 3)
    assert max_stable_learning_rate(surface_from_sympy(-(x**2) - y**2)) is None


def test_unknown_preset_names_the_valid_ones_and_the_nearest() -> None:
    with pytest.raises(ParamError) as raised:
        preset("rosenbrok")
    message = str(raised.value)
    assert "'rosenbrock'" in message and all(name in message for name in PRESETS)
    assert preset("Six_Hump_Camel") is PRESETS["six-hump-camel"]


def test_level_set_segments_of_a_bowl_lie_on_the_circle() -> None:
    from calcanim.numerics.surfaces import level_set_segments, sample_grid

    xs, ys, zs = sample_grid(preset("bowl"), 60)
    segments = level_set_segments(xs[0], ys[:, 0], zs, 4.0)  # x^2 + y^2 = 4: radius 2
    radii = np.hypot(segments[..., 0], segments[..., 1])
    assert len(segments) > 40 and np.allclose(radii, 2.0, atol=0.02)
    assert level_set_segments(xs[0], ys[:, 0], zs, -1.0).shape == (0, 2, 2)  # below the minimum: nothing


def test_level_set_segments_resolve_a_saddle_cell() -> None:
    from calcanim.numerics.surfaces import level_set_segments

    g = np.array([-1.0, 1.0])
    values = np.array([[1.0, -1.0], [-1.0, 1.0]])  # x*y-like sign pattern: four edge crossings in one cell
    segments = level_set_segments(g, g, values, 0.0)
    assert segments.shape == (2, 2, 2)
