"""Loss functions of one prediction p against a target y, with their gradients dL/dp.

mse = (p - y)^2; mae = |p - y|; huber = (p - y)^2 / 2 if |p - y| <= delta, else
delta (|p - y| - delta / 2); hinge = max(0, 1 - y p) with y in {-1, +1};
log_loss = -[y ln p + (1 - y) ln(1 - p)] with y in {0, 1} and p in (0, 1).

>>> LOSSES["mse"].value(3.0, 1.0), LOSSES["mse"].gradient(3.0, 1.0)
(4.0, 4.0)
>>> LOSSES["mae"].gradient(1.0, 1.0) is None  # the kink at p = y
True
>>> round(LOSSES["log_loss"].value(0.5, 1.0), 12)  # ln 2
0.69314718056

"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath

#: Digits of log_loss's value when the loss is given exact Fractions.
EXACT_LOG_DIGITS = 50


@dataclass(frozen=True)
class Loss:
    """One loss: its definition (text and TeX), value, gradient (None at a kink), and where it is defined."""

    name: str
    definition: str
    tex: str
    value_with: Callable[[float, float, float], float]
    gradient_with: Callable[[float, float, float], float | None]
    #: The targets allowed, or None for any real target.
    labels: tuple[float, ...] | None = None
    #: Open interval of predictions where the loss is defined, or None for every real p.
    domain: tuple[float, float] | None = None
    kink_with: Callable[[float, float], float | None] = lambda y, delta: None

    def value(self, p: float, y: float, delta: float = 1.0) -> float:
        return self.value_with(p, y, delta)

    def gradient(self, p: float, y: float, delta: float = 1.0) -> float | None:
        return self.gradient_with(p, y, delta)

    def exact(self, p: float, y: float, delta: float = 1.0) -> tuple[Any, Any | None]:
        """(value, gradient) with p, y and delta read as the decimals they print as (0.45 is 9/20): Fractions,
        but log_loss's value, an mpmath number at EXACT_LOG_DIGITS digits. What a readout rounds once.

        >>> LOSSES["mse"].exact(0.45, 0.1), LOSSES["mae"].exact(1.0, 1.0)
        ((Fraction(49, 400), Fraction(7, 10)), (Fraction(0, 1), None))
        """
        value_with: Callable[..., Any] = self.value_with
        gradient_with: Callable[..., Any] = self.gradient_with
        p_, y_, delta_ = (Fraction(repr(v)) for v in (p, y, delta))
        return value_with(p_, y_, delta_), gradient_with(p_, y_, delta_)

    def kink(self, y: float, delta: float = 1.0) -> float | None:
        """The prediction where the loss has a corner (no gradient), if any."""
        return self.kink_with(y, delta)

    def defined_at(self, p: float) -> bool:
        return self.domain is None or self.domain[0] < p < self.domain[1]

    def accepts_target(self, y: float) -> bool:
        return self.labels is None or y in self.labels


def _sign(value: float) -> float:
    return 1.0 if value > 0 else -1.0


def _abs_gradient(p: float, y: float, delta: float) -> float | None:
    return None if p == y else _sign(p - y)


def _huber(p: float, y: float, delta: float) -> float:
    r = abs(p - y)
    return r * r / 2 if r <= delta else delta * (r - delta / 2)


def _huber_gradient(p: float, y: float, delta: float) -> float:
    r = p - y
    return r if abs(r) <= delta else delta * _sign(r)


def _hinge_gradient(p: float, y: float, delta: float) -> float | None:
    margin = y * p
    return None if margin == 1 else (-y if margin < 1 else 0.0)


def _log_loss(p: Any, y: Any, delta: Any) -> Any:
    if isinstance(p, Fraction):  # exact inputs: the logarithms at EXACT_LOG_DIGITS digits
        with mpmath.workdps(EXACT_LOG_DIGITS):
            p_, y_ = (mpmath.mpf(v.numerator) / v.denominator for v in (Fraction(p), Fraction(y)))
            return -(y_ * mpmath.log(p_) + (1 - y_) * mpmath.log(1 - p_))
    return -(y * math.log(p) + (1 - y) * math.log1p(-p))


def _log_loss_gradient(p: float, y: float, delta: float) -> float:
    return -(y / p) + (1 - y) / (1 - p)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in [
        Loss("mse", "(p - y)^2", r"(p - y)^2", lambda p, y, d: (p - y) ** 2, lambda p, y, d: 2 * (p - y)),
        Loss("mae", "|p - y|", r"|p - y|", lambda p, y, d: abs(p - y), _abs_gradient,
             kink_with=lambda y, d: y),
        Loss("huber", "(p - y)^2 / 2 if |p - y| <= delta, else delta (|p - y| - delta / 2)",
             r"\begin{cases} (p - y)^2/2 & |p - y| \le \delta \\ \delta\,(|p - y| - \delta/2) & \text{else} \end{cases}",
             _huber, _huber_gradient),
        Loss("hinge", "max(0, 1 - y p), y in {-1, +1}", r"\max(0,\ 1 - y\,p)", lambda p, y, d: max(0.0, 1 - y * p),
             _hinge_gradient, labels=(-1.0, 1.0), kink_with=lambda y, d: 1 / y),
        Loss("log_loss", "-[y ln p + (1 - y) ln(1 - p)], y in {0, 1}, p in (0, 1)",
             r"-\big[\,y \ln p + (1 - y) \ln(1 - p)\,\big]", _log_loss, _log_loss_gradient,
             labels=(0.0, 1.0), domain=(0.0, 1.0)),
    ]
}
LOSS_NAMES: tuple[str, ...] = tuple(LOSSES)
