"""The layer chain against mpmath at 50 digits: the chain rule by numerical differentiation of the
whole chain, and, for products far below float64, a sum of logs with sigmoid' = e^-z / (1 + e^-z)^2."""

from __future__ import annotations

import mpmath
import pytest

from calcanim.numerics.activation_functions import ACTIVATIONS
from calcanim.numerics.layer_chain import run_layer_chain, scientific_parts


def _chain_output(name: str, depth: int, weight: float, bias: float):
    def h(h0):
        value = h0
        for _ in range(depth):
            value = ACTIVATIONS[name].value(weight * value + bias)
        return value

    return h


@pytest.mark.parametrize(("name", "weight", "bias", "start"), [
    ("sigmoid", 1.0, 0.0, 0.5), ("tanh", 1.5, 0.1, -0.3), ("gelu", 2.0, 0.0, 0.4), ("silu", -1.2, 0.3, 1.0),
    ("softplus", 0.9, -0.2, 0.0), ("relu", 1.5, 0.0, 0.5),
])
def test_forward_values_factors_and_product_match_mpmath(name: str, weight: float, bias: float, start: float) -> None:
    depth = 6
    chain = run_layer_chain(name, depth, weight, bias, start)
    with mpmath.workdps(50):
        # the decimals as typed (README: 0.1 means a tenth in every exact computation)
        w, b = mpmath.mpf(repr(weight)), mpmath.mpf(repr(bias))
        h = mpmath.mpf(repr(start))
        for layer in chain.layers:
            z = w * h + b
            assert float(layer.pre_activation) == pytest.approx(float(z), rel=1e-30 if z else 0, abs=1e-40)
            slope = mpmath.diff(lambda t: ACTIVATIONS[name].value(t), z)
            assert float(layer.factor) == pytest.approx(float(w * slope), rel=1e-20)
            h = ACTIVATIONS[name].value(z)
            assert float(layer.output) == pytest.approx(float(h), rel=1e-30, abs=1e-40)
        whole = mpmath.diff(_chain_output(name, depth, w, b), mpmath.mpf(repr(start)))
        assert float(chain.gradient_at_input) == pytest.approx(float(whole), rel=1e-15)


def test_a_sigmoid_chain_of_800_layers_keeps_a_product_far_below_float64() -> None:
    chain = run_layer_chain("sigmoid", 800, 1.0, 0.0, 0.5)
    with mpmath.workdps(50):
        h, log_sum = mpmath.mpf("0.5"), mpmath.mpf(0)
        for _ in range(800):
            z = h
            log_sum += mpmath.log10(mpmath.e ** (-z) / (1 + mpmath.e ** (-z)) ** 2)
            h = 1 / (1 + mpmath.e ** (-z))
    assert float(log_sum) < -500  # far below 1e-308: float64 would be 0
    assert chain.layers[-1].log10_abs_gradient == pytest.approx(float(log_sum), rel=1e-25)
    assert float(chain.gradient_at_input) == 0.0 and chain.gradient_at_input != 0
    mantissa, exponent = scientific_parts(chain.gradient_at_input)
    assert exponent == int(mpmath.floor(log_sum))
    assert mantissa == pytest.approx(float(mpmath.mpf(10) ** (log_sum - exponent)), rel=1e-2)


def test_a_relu_below_zero_kills_the_gradient_exactly() -> None:
    chain = run_layer_chain("relu", 4, 1.0, -1.0, 0.5)  # z1 = -0.5 < 0: relu' = 0
    assert chain.layers[0].factor == 0 and chain.gradient_at_input == 0
    assert chain.layers[-1].log10_abs_gradient is None


def test_relu_with_weight_one_keeps_the_product_at_exactly_one() -> None:
    chain = run_layer_chain("relu", 50, 1.0, 0.0, 0.5)
    assert all(layer.gradient == 1 for layer in chain.layers)


def test_relu_with_weight_one_and_a_half_explodes_as_its_power() -> None:
    chain = run_layer_chain("relu", 30, 1.5, 0.0, 0.5)
    assert chain.gradient_at_input == mpmath.mpf("1.5") ** 30
