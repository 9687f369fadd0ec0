"""Losses against their stated definitions written out here, and gradients against mpmath's
numerical derivative (central differences at 40 digits)."""

from __future__ import annotations

import math

import mpmath
import pytest

from calcanim.numerics.loss_functions import LOSS_NAMES, LOSSES
from calcanim.params.loss_functions import LABEL_SETS, LOSS_CHOICES


def _huber(p, y, d):
    r = abs(p - y)
    return r * r / 2 if r <= d else d * (r - d / 2)


DEFINITIONS = {
    "mse": lambda p, y, d: (p - y) ** 2,
    "mae": lambda p, y, d: abs(p - y),
    "huber": _huber,
    "hinge": lambda p, y, d: max(0, 1 - y * p),
    "log_loss": lambda p, y, d: -(y * mpmath.log(p) + (1 - y) * mpmath.log(1 - p)),
}
CASES = [
    ("mse", 3.0, [-2.0, 0.4, 2.9, 5.5]), ("mae", -1.0, [-3.0, -1.2, 0.6]),
    ("huber", 1.0, [-2.0, 0.3, 1.5, 4.0]), ("hinge", 1.0, [-1.5, 0.2, 0.9, 1.7]),
    ("hinge", -1.0, [-1.7, -0.9, 0.3, 2.0]), ("log_loss", 1.0, [0.05, 0.3, 0.77]), ("log_loss", 0.0, [0.1, 0.5, 0.95]),
]


def test_params_and_numerics_agree_on_names_and_label_sets() -> None:
    assert LOSS_CHOICES == LOSS_NAMES
    assert {name: LOSSES[name].labels for name in LOSS_NAMES} == LABEL_SETS


@pytest.mark.parametrize(("name", "y", "points"), CASES)
def test_values_and_gradients_match_the_definitions(name: str, y: float, points: list[float]) -> None:
    for delta in (1.0, 0.5):
        for p in points:
            loss = LOSSES[name]
            with mpmath.workdps(40):
                exact = DEFINITIONS[name](mpmath.mpf(p), mpmath.mpf(y), mpmath.mpf(delta))
                slope = mpmath.diff(lambda t: DEFINITIONS[name](t, mpmath.mpf(y), mpmath.mpf(delta)), mpmath.mpf(p))
            assert loss.value(p, y, delta) == pytest.approx(float(exact), rel=1e-14, abs=1e-15)
            assert loss.gradient(p, y, delta) == pytest.approx(float(slope), rel=1e-12, abs=1e-15)


def test_kinks_have_no_gradient() -> None:
    assert LOSSES["mae"].gradient(2.0, 2.0) is None and LOSSES["mae"].kink(2.0) == 2.0
    assert LOSSES["hinge"].gradient(1.0, 1.0) is None and LOSSES["hinge"].kink(1.0) == 1.0
    assert LOSSES["hinge"].gradient(-1.0, -1.0) is None and LOSSES["hinge"].kink(-1.0) == -1.0
    assert LOSSES["mse"].kink(1.0) is None and LOSSES["huber"].kink(1.0) is None


def test_huber_is_smooth_at_delta_and_mae_like_beyond() -> None:
    huber = LOSSES["huber"]
    assert huber.value(3.0, 1.0, 2.0) == 2.0 and huber.gradient(3.0, 1.0, 2.0) == 2.0  # at |p - y| = delta
    assert huber.gradient(10.0, 1.0, 2.0) == 2.0 and huber.gradient(-10.0, 1.0, 2.0) == -2.0


def test_log_loss_is_ln_two_at_one_half() -> None:
    assert LOSSES["log_loss"].value(0.5, 1.0) == pytest.approx(math.log(2), rel=1e-15)
    assert not LOSSES["log_loss"].defined_at(0.0) and not LOSSES["log_loss"].defined_at(1.0)
