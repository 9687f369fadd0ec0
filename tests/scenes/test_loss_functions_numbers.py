"""The loss-functions plan against the losses' definitions written out here in exact fractions: the
prediction's slide goes downhill, and hinge's ends in the margin (loss 0), as its caption says."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from calcanim.params.loss_functions import LossFunctionsParams
from calcanim.plans.loss_functions import plan


def _hinge(p: float, y: float) -> Fraction:
    return max(Fraction(0), 1 - Fraction(y) * Fraction(p))


def _loss(name: str, p: float, y: float, delta: float) -> Fraction:
    r = abs(Fraction(p) - Fraction(y))
    return {
        "mse": r * r,
        "mae": r,
        "huber": r * r / 2 if r <= Fraction(delta) else Fraction(delta) * (r - Fraction(delta) / 2),
        "hinge": _hinge(p, y),
    }[name]


starts = st.one_of(st.sampled_from([-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.5e-3, -100.0, 100.0]),
                   st.floats(min_value=-100, max_value=100, allow_nan=False).filter(lambda v: v == 0 or abs(v) >= 1e-100))


@settings(max_examples=150, deadline=None)
@given(y=st.sampled_from([-1.0, 1.0]), start=starts, delta=st.sampled_from([0.1, 1.0, 2.5]))
def test_the_slide_never_goes_uphill_and_hinge_ends_in_the_margin(y: float, start: float, delta: float) -> None:
    """Target -1 with the default start -1.5 slid hinge's dot from loss 0 up to loss 0.5 (p = -0.5)."""
    if start == y:
        return
    params = LossFunctionsParams(losses=("mse", "mae", "huber", "hinge"), target=y, start=start, delta=delta)
    for panel in plan(params).panels:
        first, last = panel.slide
        assert first == start and last != first  # the dot moves
        assert _loss(panel.name, last, y, delta) <= _loss(panel.name, first, y, delta), (panel.name, first, last)
        if panel.name == "hinge":
            assert _hinge(last, y) == 0, (first, last)  # "... then is zero": the slide ends past the margin y p = 1
            assert Fraction(y) * Fraction(last) > 1  # strictly past the kink, where the gradient is 0
            assert panel.at(last).slope == 0


def test_hinge_with_target_minus_one_slides_from_the_wrong_side_into_the_margin() -> None:
    panel = plan(LossFunctionsParams(losses=("hinge",), target=-1.0, start=0.5)).panels[0]
    first, last = panel.slide
    assert (_hinge(first, -1.0), _hinge(last, -1.0)) == (Fraction(3, 2), 0)
