"""Corners of relu, |x| and max/min: where they are and their one-sided slopes, against closed forms and mpmath."""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy

from calcanim.expr import parse_expression
from calcanim.numerics.corners import Corner, corner_at, corners_between, one_sided_slopes


def f(text: str) -> sympy.Expr:
    return parse_expression(text).sympy_expr


@pytest.mark.parametrize(
    ("text", "a", "left", "right"),
    [
        ("relu(x)", 0.0, 0.0, 1.0),
        ("abs(x)", 0.0, -1.0, 1.0),
        ("max(x, -2*x)", 0.0, -2.0, 1.0),
        ("min(x, 2*x)", 0.0, 2.0, 1.0),
        ("abs(x - 0.5) + 3*x", 0.5, 2.0, 4.0),
        ("relu(2 - x)**2 + relu(x - 2)", 2.0, 0.0, 1.0),
    ],
)
def test_corner_slopes_are_the_one_sided_derivatives(text: str, a: float, left: float, right: float) -> None:
    assert corner_at(f(text), a) == Corner(a, left, right)


@pytest.mark.parametrize(("text", "a"), [("relu(x)", 0.5), ("abs(x)**2", 0.0), ("x*abs(x)", 0.0), ("sin(x)", 0.0), ("max(x, x)", 0.0)])
def test_no_corner_where_both_sides_agree(text: str, a: float) -> None:
    assert corner_at(f(text), a) is None


def test_cusp_has_infinite_slopes() -> None:
    corner = corner_at(f("sqrt(abs(x))"), 0.0)
    assert corner is not None and corner.left == -math.inf and corner.right == math.inf
    assert corner.to_json() == {"x": 0.0, "left_slope": None, "right_slope": None}


def test_corners_between_finds_transcendental_switches() -> None:
    # min(sin x, cos x) switches where tan x = 1: at pi/4 - pi and pi/4 on [-3, 3], slopes +-sqrt(2)/2
    corners = corners_between(f("min(sin(x), cos(x))"), -3.0, 3.0)
    expected = [float(mpmath.pi / 4 - mpmath.pi), float(mpmath.pi / 4)]
    assert [c.x for c in corners] == pytest.approx(expected, abs=1e-15)
    half_root = float(mpmath.sqrt(2) / 2)
    assert corners[1].left == pytest.approx(half_root, rel=1e-11) and corners[1].right == pytest.approx(-half_root, rel=1e-11)
    # |sin 4x| has a corner at every multiple of pi/4
    xs = [c.x for c in corners_between(f("abs(sin(4*x))"), -3.0, 3.0)]
    assert xs == pytest.approx([float(k * mpmath.pi / 4) for k in range(-3, 4)], abs=1e-15)


def test_one_sided_slopes_of_a_smooth_function_agree_with_the_derivative() -> None:
    left, right = one_sided_slopes(f("exp(0.5*x)"), 1.0)
    assert left == right == pytest.approx(float(mpmath.exp(0.5) / 2), rel=1e-11)
