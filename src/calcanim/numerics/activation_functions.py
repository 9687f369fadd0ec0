"""Activation functions of neural networks and their derivatives, in mpmath (any precision).

One definition per function serves every clip: the plots (sampled to floats), the readouts and
the layer chain of the vanishing-gradient clip, where products fall far below float64's range.

>>> sigmoid = ACTIVATIONS["sigmoid"]
>>> float(sigmoid.value(0)), float(sigmoid.derivative(0))
(0.5, 0.25)
>>> float(ACTIVATIONS["gelu"].value(1))  # exact x * Phi(x), with the erf
0.8413447460685429
>>> ACTIVATIONS["relu"].derivative(0) is None  # a kink: no slope at 0
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import mpmath
import numpy as np

#: Slope of leaky_relu for negative inputs is 1 / LEAKY_DIVISOR (0.01), divided at the working precision: an
#: mpf("0.01") made at import carries 53 bits, so leaky_relu(-0.25) was -0.0025000000000000000520 at 50 digits.
LEAKY_DIVISOR = 100
#: Where |f'| is below this, a unit is called saturated (its gradient nearly vanishes).
SATURATION_THRESHOLD = 0.05

#: An mpmath real (mpmath ships no type information, so this is Any to mypy).
Real: TypeAlias = mpmath.mpf


def _sigmoid(x: Real) -> Real:
    return 1 / (1 + mpmath.exp(-x))


def _phi(x: Real) -> Real:
    """The standard normal CDF, Phi(x) = (1 + erf(x / sqrt 2)) / 2, written erfc(-x / sqrt 2) / 2: 1 + erf cancels
    every digit for x below about -10 at 50 digits (Phi(-16.8) ~ 1e-63), so gelu(-16.8) came out 0.

    >>> mpmath.nstr(_phi(mpmath.mpf(-16.8)), 5)
    '1.2202e-63'
    """
    return mpmath.erfc(-x / mpmath.sqrt(2)) / 2


def _normal_density(x: Real) -> Real:
    return mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi)


def _kinked(left: Callable[[], Real], right: Callable[[], Real]) -> Callable[[Real], Real | None]:
    """A piecewise-constant derivative with a jump at 0 (each side's slope made at the working precision):
    None at 0 itself."""
    return lambda x: right() if x > 0 else (left() if x < 0 else None)


def _leaky_slope() -> Real:
    return mpmath.mpf(1) / LEAKY_DIVISOR


@dataclass(frozen=True)
class Activation:
    """One activation: its definition in TeX, value and derivative (None where it has a kink)."""

    name: str
    tex: str
    value: Callable[[Real], Real]
    derivative: Callable[[Real], Real | None]
    #: x where f has a corner (no derivative), if any.
    kink: float | None = None
    #: (value, where) of sup f'; where is None when the sup is only approached (x -> infinity).
    derivative_peak: Callable[[], tuple[Real, Real | None]] = lambda: (mpmath.mpf(1), None)
    note: str = ""

    def value_float(self, xs: Sequence[float] | np.ndarray) -> np.ndarray:
        """f at every x, as float64."""
        return np.array([float(self.value(mpmath.mpf(x))) for x in xs])

    def derivative_float(self, xs: Sequence[float] | np.ndarray) -> np.ndarray:
        """f' at every x, as float64 (nan at a kink)."""
        return np.array([_float_or_nan(self.derivative(mpmath.mpf(x))) for x in xs])


def _float_or_nan(value: Real | None) -> float:
    return float("nan") if value is None else float(value)


def _gelu_peak() -> tuple[Real, Real]:
    # gelu''(x) = phi(x) (2 - x^2): the slope peaks at x = sqrt 2.
    x = mpmath.sqrt(2)
    return _phi(x) + x * _normal_density(x), x


def _silu_derivative(x: Real) -> Real:
    s = _sigmoid(x)
    return s * (1 + x * (1 - s))


def _silu_peak() -> tuple[Real, Real]:
    # silu''(x) = s (1 - s) (2 + x (1 - 2 s)) with s = sigmoid(x): zero where 2 + x (1 - 2 s) = 0.
    x = mpmath.findroot(lambda t: 2 + t * (1 - 2 * _sigmoid(t)), mpmath.mpf("2.4"))
    return _silu_derivative(x), x


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation(
            "sigmoid", r"\sigma(x) = \frac{1}{1 + e^{-x}}", _sigmoid,
            lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
            derivative_peak=lambda: (mpmath.mpf(1) / 4, mpmath.mpf(0)),
        ),
        Activation(
            "tanh", r"\tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}", mpmath.tanh,
            lambda x: 1 - mpmath.tanh(x) ** 2,
            derivative_peak=lambda: (mpmath.mpf(1), mpmath.mpf(0)),
        ),
        Activation(
            "relu", r"\mathrm{relu}(x) = \max(0, x)", lambda x: x if x > 0 else mpmath.mpf(0),
            _kinked(lambda: mpmath.mpf(0), lambda: mpmath.mpf(1)), kink=0.0,
        ),
        Activation(
            "leaky_relu", r"\mathrm{leaky}(x) = \max(0.01\,x,\ x)", lambda x: x if x > 0 else x / LEAKY_DIVISOR,
            _kinked(_leaky_slope, lambda: mpmath.mpf(1)), kink=0.0,
        ),
        Activation(
            "gelu", r"\mathrm{gelu}(x) = x\,\Phi(x),\ \ \Phi(x) = \big(1 + \mathrm{erf}(x/\sqrt2)\big)/2",
            lambda x: x * _phi(x), lambda x: _phi(x) + x * _normal_density(x),
            derivative_peak=_gelu_peak, note="exact, with the erf,\nnot the tanh approximation",
        ),
        Activation(
            "softplus", r"\mathrm{softplus}(x) = \ln(1 + e^{x})", lambda x: mpmath.log1p(mpmath.exp(x)),
            _sigmoid,
        ),
        Activation(
            "silu", r"\mathrm{silu}(x) = x\,\sigma(x)", lambda x: x * _sigmoid(x), _silu_derivative,
            derivative_peak=_silu_peak,
        ),
    ]
}
ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATIONS)


def saturation_intervals(
    activation: Activation, low: float, high: float, threshold: float = SATURATION_THRESHOLD, grid: int = 1201
) -> list[tuple[float, float]]:
    """The parts of [low, high] where |f'| < threshold, ends found to full float precision.

    >>> [(round(a, 4), round(b, 4)) for a, b in saturation_intervals(ACTIVATIONS["sigmoid"], -6, 6)]
    [(-6.0, -2.8873), (2.8873, 6.0)]
    >>> saturation_intervals(ACTIVATIONS["relu"], -6, 6)
    [(-6.0, 0.0)]
    """
    xs = np.linspace(low, high, grid)

    def small(x: float) -> bool:
        d = activation.derivative(mpmath.mpf(x))
        if d is None:  # at a kink: side of the kink the sample belongs to
            return False
        return abs(d) < threshold

    flags = [small(x) for x in xs]
    intervals: list[tuple[float, float]] = []
    start: float | None = xs[0] if flags[0] else None
    for (x0, f0), (x1, f1) in zip(zip(xs, flags), zip(xs[1:], flags[1:])):
        if f0 == f1:
            continue
        edge = _edge(activation, float(x0), float(x1), threshold)
        if f1:
            start = edge
        else:
            intervals.append((float(start), edge))  # type: ignore[arg-type]
            start = None
    if start is not None:
        intervals.append((float(start), float(xs[-1])))
    return intervals


def _edge(activation: Activation, x0: float, x1: float, threshold: float) -> float:
    """Where |f'| crosses threshold between x0 and x1 (a kink counts as the crossing)."""
    if activation.kink is not None and x0 <= activation.kink <= x1:
        return float(activation.kink)

    def excess(x: Real) -> Real:
        return abs(activation.derivative(x)) - threshold  # type: ignore[arg-type]

    with mpmath.workdps(30):
        return float(mpmath.findroot(excess, (mpmath.mpf(x0), mpmath.mpf(x1)), solver="anderson"))
