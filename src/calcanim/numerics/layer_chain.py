"""The chain rule through depth: a chain of scalar layers h_k = act(weight * h_(k-1) + bias).

d h_k / d h_0 is the product of the per-layer factors weight * act'(z_k). Everything is computed
in mpmath at DIGITS significant digits, so a product far below float64's smallest number
(1e-308) keeps its value and its log10 instead of silently becoming 0.

>>> chain = run_layer_chain("sigmoid", depth=3, weight=1.0, bias=0.0, start=0.0)
>>> [round(float(layer.factor), 6) for layer in chain.layers]
[0.25, 0.235004, 0.227266]
>>> tiny = run_layer_chain("sigmoid", depth=600, weight=1.0, bias=0.0, start=0.0)
>>> float(tiny.gradient_at_input), round(tiny.layers[-1].log10_abs_gradient)
(0.0, -389)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath

from calcanim.numerics.activation_functions import ACTIVATIONS

#: Significant digits of every value in the chain.
DIGITS = 40


@dataclass(frozen=True)
class Layer:
    """Layer k: z_k = weight * h_(k-1) + bias, h_k = act(z_k), its factor and the running product."""

    index: int
    pre_activation: mpmath.mpf
    output: mpmath.mpf
    #: weight * act'(z_k); act' at a kink (relu at exactly 0) is taken as 0, PyTorch's convention.
    factor: mpmath.mpf
    #: d h_k / d h_0: the product of the factors of layers 1..k.
    gradient: mpmath.mpf
    at_kink: bool

    @property
    def log10_abs_gradient(self) -> float | None:
        """log10 |d h_k / d h_0|; None when the product is exactly 0 (a dead relu)."""
        return None if self.gradient == 0 else float(mpmath.log10(abs(self.gradient)))

    @property
    def log10_abs_factor(self) -> float | None:
        return None if self.factor == 0 else float(mpmath.log10(abs(self.factor)))


@dataclass(frozen=True)
class LayerChain:
    activation: str
    weight: float
    bias: float
    start: float
    layers: tuple[Layer, ...]

    @property
    def gradient_at_input(self) -> mpmath.mpf:
        """d h_depth / d h_0 = prod_k weight * act'(z_k)."""
        return self.layers[-1].gradient if self.layers else mpmath.mpf(1)


def run_layer_chain(activation: str, depth: int, weight: float, bias: float, start: float) -> LayerChain:
    """Forward through ``depth`` layers, with each layer's factor and the running product."""
    act = ACTIVATIONS[activation]
    layers: list[Layer] = []
    with mpmath.workdps(DIGITS):
        # the decimals as typed (0.1 is a tenth, not its binary neighbour), as every exact computation reads them
        w, b, h = (mpmath.mpf(repr(float(v))) for v in (weight, bias, start))
        product = mpmath.mpf(1)
        for k in range(1, depth + 1):
            z = w * h + b
            slope = act.derivative(z)
            factor = w * (slope if slope is not None else 0)
            product = product * factor
            h = act.value(z)
            layers.append(Layer(k, +z, +h, +factor, +product, at_kink=slope is None))
    return LayerChain(activation, weight, bias, start, tuple(layers))


def scientific_parts(value: mpmath.mpf, digits: int = 3) -> tuple[float, int]:
    """(mantissa, exponent) with value = mantissa * 10**exponent and 1 <= |mantissa| < 10.

    Works far outside float64's range:

    >>> scientific_parts(mpmath.mpf("2.5e-412"))
    (2.5, -412)
    >>> scientific_parts(mpmath.mpf("-9.9996"), 3)
    (-1.0, 1)
    """
    if value == 0:
        return 0.0, 0
    exponent = int(mpmath.floor(mpmath.log10(abs(value))))
    mantissa = round(float(value / mpmath.mpf(10) ** exponent), digits - 1)
    if abs(mantissa) >= 10:
        mantissa, exponent = round(mantissa / 10, digits - 1), exponent + 1
    return mantissa, exponent


def as_float(value: mpmath.mpf) -> float:
    """float64 of value (0.0 or +-inf outside its range: pair it with a log10 readout)."""
    result = float(value)
    return result if math.isfinite(result) else math.copysign(math.inf, result)
