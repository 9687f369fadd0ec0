"""The one tick rule: the smallest 1-2-5 step at least (hi - lo) / target, smaller while fewer than
``at_least`` ticks fit; ticks exact at any magnification. Expectations worked out by hand from the rule."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calcanim.errors import ParamError
from calcanim.numerics.ticks import tick_decimals, tick_step, tick_values


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (1.5, 4.5, [2.0, 3.0, 4.0]),  # span/5 = 0.6 -> step 1
        (4.2, 61.0, [20.0, 40.0, 60.0]),  # 11.36 -> 20
        (0.0, 10.0, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),  # 2 -> 2, both ends on a tick: target + 1
        (-1.0, 1.0, [-1.0, -0.5, 0.0, 0.5, 1.0]),  # 0.4 -> 0.5
        (99.5, 100.5, [99.6, 99.8, 100.0, 100.2, 100.4]),  # 0.2 -> 0.2
        (-0.003, 0.001, [-0.003, -0.002, -0.001, 0.0, 0.001]),  # 0.0008 -> 0.001
    ],
)
def test_tick_values_by_hand(lo: float, hi: float, expected: list[float]) -> None:
    assert tick_values(lo, hi) == expected


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (0.9975, 1.0025, [0.998, 0.999, 1.0, 1.001, 1.002]),  # 0.005/6 -> 0.001
        (1.0 - 1e-9, 1.0 + 1e-9, [0.999999999, 0.9999999995, 1.0, 1.0000000005, 1.000000001]),  # 5e-10
        (-0.101, 1.101, [0.0, 0.5, 1.0]),  # 0.2003 -> 0.5: three ticks, enough
        (-4.6, 8.6, [-4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 8.0]),  # 2.2 -> 5 leaves 0 and 5 only: the step below, 2
    ],
)
def test_a_zoom_axis_by_hand(lo: float, hi: float, expected: list[float]) -> None:
    """zoom-linearity's axes: target 6, at least 3 ticks (its grid)."""
    assert tick_values(lo, hi, 6, at_least=3) == expected


def test_at_least_only_ever_shrinks_the_step() -> None:
    assert tick_step(-4.6, 8.6, 6) == 5.0
    assert tick_step(-4.6, 8.6, 6, at_least=3) == 2.0
    assert tick_step(-4.6, 8.6, 6, at_least=8) == 1.0  # 2 gives 7 ticks, 1 gives 13
    assert tick_step(0.0, 10.0, 5, at_least=3) == tick_step(0.0, 10.0, 5) == 2.0


@given(lo=st.floats(-1e6, 1e6), log_span=st.floats(-6, 6), target=st.integers(3, 8))
def test_at_most_target_plus_one_ticks_on_a_1_2_5_step(lo: float, log_span: float, target: int) -> None:
    hi = lo + 10.0**log_span
    if not hi > lo:
        return
    step = tick_step(lo, hi, target)
    ticks = tick_values(lo, hi, target)
    assert 1 <= len(ticks) <= target + 1
    assert step >= (hi - lo) / target * (1 - 1e-12)
    mantissa = step / 10.0 ** math.floor(math.log10(step) + 1e-9)
    assert min(abs(mantissa - m) for m in (1.0, 2.0, 5.0)) < 1e-9


@given(centre=st.floats(-1e3, 1e3), log_half_width=st.floats(-9, 3))
def test_zoom_ticks_lie_inside_on_a_1_2_5_step_with_exact_labels(centre: float, log_half_width: float) -> None:
    half_width = 10.0**log_half_width
    lo, hi = centre - half_width, centre + half_width
    ticks = tick_values(lo, hi, 6, at_least=3)
    assert 3 <= len(ticks) <= 8
    step = (ticks[-1] - ticks[0]) / (len(ticks) - 1)
    mantissa = step / 10.0 ** math.floor(math.log10(step) + 1e-9)
    resolution = 10 * 2 * math.ulp(max(abs(lo), abs(hi))) / ((len(ticks) - 1) * step)  # float64 at this zoom
    assert min(abs(mantissa - m) for m in (1.0, 2.0, 5.0, 10.0)) <= resolution + 1e-9
    slack = 1e-6 * step
    assert all(lo - slack <= t <= hi + slack for t in ticks)
    decimals = tick_decimals(step)
    labels = [f"{t:.{decimals}f}" for t in ticks]
    assert len(set(labels)) == len(labels)


def test_tick_decimals() -> None:
    assert [tick_decimals(s) for s in (5.0, 1.0, 0.5, 0.2, 0.001, 0.0005, 2e-9)] == [0, 0, 1, 1, 3, 4, 9]


@pytest.mark.parametrize(("lo", "hi"), [(1.0, 1.0), (2.0, 1.0), (math.nan, 1.0), (0.0, math.inf)])
def test_empty_or_infinite_ranges_are_refused(lo: float, hi: float) -> None:
    with pytest.raises(ParamError):
        tick_values(lo, hi)

