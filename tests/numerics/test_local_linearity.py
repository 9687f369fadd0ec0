"""Zoom gaps and curves in local coordinates, against mpmath at 50 digits and exact fractions.

The references here build f from its coefficients directly in mpmath (with f' derived by hand),
never through calcanim's parser, sympy or lambdify.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calcanim.params.zoom_linearity import ZoomLinearityParams
from calcanim.plans.zoom_linearity import ZoomLinearityPlan, plan
from calcanim.numerics.linearity import GAP_GRID_POINTS


def _plan(**values: object) -> ZoomLinearityPlan:
    return plan(ZoomLinearityParams.from_mapping(values))


def _shown_value(tex: str) -> Decimal:
    r"""The number a readout shows: '2.00 \cdot 10^{-6}' -> 2.00E-6, '0.200' -> 0.200."""
    match = re.fullmatch(r"(-?[\d.]+)(?: \\cdot 10\^\{(-?\d+)\})?", tex)
    assert match, tex
    return Decimal(match.group(1)).scaleb(int(match.group(2) or 0))


def _reference_relative_gap(f, fprime, a: Fraction, half_width: Fraction, zoom: Fraction) -> mpmath.mpf:
    """max over the clip's grid of |f(a+u) - f(a) - f'(a) u| / w, at 50 digits."""
    with mpmath.workdps(50):
        a_mp = mpmath.mpf(a.numerator) / a.denominator
        w = mpmath.mpf(half_width.numerator) / half_width.denominator / (mpmath.mpf(zoom.numerator) / zoom.denominator)
        fa, m = f(a_mp), fprime(a_mp)
        n = GAP_GRID_POINTS - 1
        gap = max(abs(f(a_mp + w * mpmath.mpf(2 * i - n) / n) - fa - m * w * mpmath.mpf(2 * i - n) / n) for i in range(n + 1))
        return gap / w


def _three_digits(value: mpmath.mpf) -> Decimal:
    """value correctly rounded to 3 significant digits (from its 40-digit decimal, no float on the way)."""
    text = mpmath.nstr(value, 40, min_fixed=1, max_fixed=0)
    return Decimal(f"{Decimal(text):.2e}")


@pytest.mark.parametrize(("point", "shown_before", "truth"), [(1000, 5.8e-5, 2.0e-6), (100, 2.7e-6, 2.0e-6)])
def test_the_reported_deep_zooms_now_show_the_truth(point: float, shown_before: float, truth: float) -> None:
    """Issue 13: x^2 at 1000 (and 100), zoom 10^6 showed 5.8e-5 (2.7e-6); the truth is w = 2e-6 exactly."""
    p = _plan(function="x**2", point=point, zooms=[1, 1e6])
    assert p.checkpoints[-1].relative_gap == pytest.approx(truth, rel=1e-12)
    assert p.ratio_tex(1) == r"2.00 \cdot 10^{-6}"
    assert p.to_json()["checkpoints"][-1]["max_gap"] == pytest.approx(4e-12, rel=1e-12)


COEFFICIENT = st.decimals(min_value=-5, max_value=5, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=15, deadline=None)
@given(
    c2=COEFFICIENT.filter(lambda c: c != 0),
    c1=COEFFICIENT,
    c3=COEFFICIENT,
    point=st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
    log_zoom=st.floats(min_value=0, max_value=6),
)
def test_zoom_ratios_are_right_to_three_digits(c2: Decimal, c1: Decimal, c3: Decimal, point: Decimal, log_zoom: float) -> None:
    """f = c2 x^2 + c1 x + c3 sin(x) at any point up to 10^3, any zoom up to 10^6: the shown ratio is mpmath's, rounded."""
    zoom = float(f"{10**log_zoom:.4g}")
    p = _plan(function=f"{c2}*x**2 + {c1}*x + {c3}*sin(x)", point=float(point), zooms=[zoom])
    C2, C1, C3 = (mpmath.mpf(str(c)) for c in (c2, c1, c3))

    def f(t: mpmath.mpf) -> mpmath.mpf:
        return C2 * t**2 + C1 * t + C3 * mpmath.sin(t)

    def fprime(t: mpmath.mpf) -> mpmath.mpf:
        return 2 * C2 * t + C1 + C3 * mpmath.cos(t)

    reference = _reference_relative_gap(f, fprime, Fraction(str(point)), Fraction(2), Fraction(repr(zoom)))
    assert p.checkpoints[0].relative_gap == pytest.approx(float(reference), rel=1e-6)
    assert _shown_value(p.ratio_tex(0)) == _three_digits(reference)


@pytest.mark.parametrize(
    ("function", "relative_gap"),
    [("relu(x)", Fraction(1, 2)), ("abs(x)", Fraction(1)), ("max(x, -x)", Fraction(1)), ("min(x, 0)", Fraction(1, 2)),
     ("max(x, 2*x)", Fraction(1, 2))],
)
def test_kinks_have_no_derivative_and_a_gap_that_never_shrinks(function: str, relative_gap: Fraction) -> None:
    """At a corner the line through it is the window's secant (slope (f(w) - f(-w)) / 2w); by hand,
    relu: slope 1/2, gap w/2; abs and max(x, -x): slope 0, gap w; min(x, 0): slope 1/2, gap w/2;
    max(x, 2x): slope 3/2, gap |2u - 3u/2| = u/2 right and |u - 3u/2| = |u|/2 left, so w/2."""
    p = _plan(function=function, point=0, zooms=[1, 1000, 1e6])
    assert p.slope is None and not p.differentiable
    assert p.tangent_ends(p.view(1.0)) is None
    for checkpoint in p.checkpoints:
        assert checkpoint.relative_gap == pytest.approx(float(relative_gap), rel=1e-12)


@pytest.mark.parametrize(("function", "point", "slope"), [("relu(x)", 0.5, 1.0), ("abs(x)", -2, -1.0), ("max(x, 2*x)", 1, 2.0)])
def test_away_from_the_kink_the_same_functions_are_lines(function: str, point: float, slope: float) -> None:
    p = _plan(function=function, point=point, zooms=[1000, 1e6])
    assert p.slope == slope
    assert [c.relative_gap for c in p.checkpoints] == [0.0, 0.0]


def test_a_pole_in_the_window_makes_the_gap_unbounded() -> None:
    """1/x near 1 at half width 2: the window [-1, 3] holds the pole at 0; zoomed x10 it does not."""
    p = _plan(function="1/x", point=1, zooms=[1, 10])
    assert p.unbounded == (True, False)
    assert p.ratio_tex(0) == r"\infty"
    # x10: w = 1/5; the gap of 1/x to its tangent 2 - x at 1 is (x - 1)^2 / x, largest at x = 4/5: (1/25)/(4/5) = 1/20.
    assert p.checkpoints[1].max_gap == pytest.approx(1 / 20, rel=1e-12)
    assert p.to_json()["checkpoints"][0]["relative_gap"] is None


def test_a_pole_at_the_window_end_is_unbounded_too() -> None:
    p = _plan(function="1/x", point=2, half_width=2, zooms=[1, 2])
    assert p.unbounded == (True, False)


def _label_value(label: str) -> Fraction:
    r"""A tick label as an exact number: '1000 + 2 \cdot 10^{-6}', '999.8', '1000000 - 0.2'."""
    match = re.fullmatch(r"(-?[\d.]+)(?: ([+-]) (?:([\d.]+) \\cdot )?(?:10\^\{(-?\d+)\}|([\d.]+)))?", label)
    assert match, label
    base = Fraction(match.group(1))
    if match.group(2) is None:
        return base
    if match.group(5) is not None:
        offset = Fraction(match.group(5))
    else:
        offset = Fraction(match.group(3) or 1) * Fraction(10) ** int(match.group(4))
    return base + offset if match.group(2) == "+" else base - offset


@pytest.mark.parametrize(("point", "zoom"), [(1000, 1e6), (1000, 10), (100, 1e6), (-3.25, 1e5), (1, 1e6)])
def test_tick_labels_name_the_exact_coordinates_and_stay_short(point: float, zoom: float) -> None:
    """Every label is the coordinate of its tick (to a millionth of the tick step); deep zooms read as offsets."""
    p = _plan(function="x**2", point=point, zooms=[zoom])
    view = p.view(zoom)
    for axis, centre in ((view.x, Fraction(str(point))), (view.y, Fraction(str(point)) ** 2)):
        step = abs(axis.ticks[1] - axis.ticks[0])
        for offset, label in zip(axis.ticks, axis.labels):
            assert abs(_label_value(label) - (centre + Fraction(offset))) <= Fraction(step) / 10**6, label
            assert len(label.replace(r" \cdot ", "").replace("{", "").replace("}", "")) <= 20
        assert len(set(axis.labels)) == len(axis.labels) >= 3


def test_deepest_zoom_labels_read_as_offsets() -> None:
    view = _plan(function="x**2", point=1000, zooms=[1e6]).view(1e6)
    assert view.x.labels == (r"1000 - 10^{-6}", "1000", r"1000 + 10^{-6}")
    assert view.y.labels[len(view.y.labels) // 2] == "1000000"


def test_a_value_without_a_short_decimal_is_named_f_of_a() -> None:
    view = _plan(function="sin(x)", point=1, zooms=[1e6]).view(1e6)
    assert view.y.labels[len(view.y.labels) // 2] == "f(1)"


@pytest.mark.parametrize(("point", "zoom"), [(1000, 1e6), (1000, 1e3), (100, 1e6), (-999.99, 1e6), (1, 1)])
def test_the_drawn_curve_is_exact_in_local_coordinates(point: float, zoom: float) -> None:
    """x^3 around a: v(u) = 3a^2 u + 3a u^2 + u^3 exactly; drawn points are within 10^-4 of the window's
    half height (a tenth of a pixel at 4K). Plain float64 f(a + u) - f(a) is not, at deep zooms."""
    p = _plan(function="x**3", point=point, zooms=[zoom])
    view = p.view(zoom)
    a = Fraction(str(point))
    worst_float = Fraction(0)
    for part in p.curve_parts(view):
        for u, v in part:
            exact = 3 * a**2 * Fraction(u) + 3 * a * Fraction(u) ** 2 + Fraction(u) ** 3
            assert abs(Fraction(v) - exact) <= Fraction(view.y.high) / 10**4
            naive = (point + u) ** 3 - float(point) ** 3
            worst_float = max(worst_float, abs(Fraction(naive) - (Fraction(point + u) ** 3 - a**3)))
    if point == 1000 and zoom == 1e6:
        assert worst_float > Fraction(view.y.high) / 10**3, "float64 alone would have been good enough here"


def test_tangent_is_drawn_through_the_point_in_local_coordinates() -> None:
    p = _plan(function="x**2", point=1, zooms=[1])
    (x0, y0), (x1, y1) = p.tangent_ends(p.view(1.0))
    assert (y1 - y0) / (x1 - x0) == pytest.approx(2.0)
    assert y0 - 2.0 * x0 == pytest.approx(0.0, abs=1e-12)


def test_half_width_readout_is_exact() -> None:
    p = _plan(function="x**2", point=1000, zooms=[1, 3, 1e6], half_width=1.5)
    assert [p.half_width_tex(i) for i in range(3)] == ["1.5", "0.5", r"1.5 \cdot 10^{-6}"]
    assert np.isclose(p.checkpoints[2].half_width, 1.5e-6)


@pytest.mark.parametrize(
    ("function", "point", "point_label", "relation", "slope_label"),
    [("x**2", 0.123456789, "0.123456789", "=", "0.246913578"),  # 2a exactly
     ("x**3", -1.5, "-1.5", "=", "6.75"),
     ("sin(4*x) + 0.1*x**2", 0.7, "0.7", r"\approx", None)],
)
def test_point_and_slope_labels_are_exact_or_say_approx(
    function: str, point: float, point_label: str, relation: str, slope_label: str | None
) -> None:
    p = _plan(function=function, point=point, zooms=[1])
    assert p.point_label == point_label and p.slope_relation == relation
    if slope_label is not None:
        assert p.slope_label == slope_label
    else:  # 4 cos(2.8) + 0.14 = -3.628889..., to 6 significant digits
        with mpmath.workdps(50):
            truth = 4 * mpmath.cos(mpmath.mpf("2.8")) + mpmath.mpf("0.14")
        assert Decimal(p.slope_label) == Decimal(mpmath.nstr(truth, 6))
