"""vanishing-gradients with the decimals a lecturer types (weight 0.1, leaky_relu's 0.01): the factors and the
product are those decimals' exact powers (Fractions here), written with "=", not rounded binary neighbours."""

from __future__ import annotations

from fractions import Fraction

import pytest

from calcanim.params.vanishing_gradients import VanishingGradientsParams
from calcanim.plans.vanishing_gradients import plan


def power_of_ten_tex(value: Fraction) -> str:
    """An exact power of ten (or minus one) in the clip's TeX: "10^{-30}", "-10^{-3}"."""
    sign = "-" if value < 0 else ""
    exponent = 0
    magnitude = abs(value)
    while magnitude < 1:
        magnitude *= 10
        exponent -= 1
    assert magnitude == 1, value
    return f"{sign}10^{{{exponent}}}"


@pytest.mark.parametrize(("activation", "weight", "start", "factor"), [
    ("relu", 0.1, 0.5, Fraction(1, 10)),  # every z > 0: factor w * 1
    ("leaky_relu", 1.0, -0.5, Fraction(1, 100)),  # every z < 0: factor w * 0.01
    ("relu", -0.1, -0.5, None),  # z alternates sign: dies at layer 2
])
def test_decimal_weights_give_exact_factors_and_products(activation: str, weight: float, start: float,
                                                         factor: Fraction | None) -> None:
    depth = 12
    chain = plan(VanishingGradientsParams(activation=activation, compare="none", weight=weight, input=start,
                                          depth=depth)).chains[0]
    if factor is None:
        assert chain.gradient_readout(depth) == "= 0"
        return
    assert chain.factor_readout(1) == f"= {float(factor)!r}"  # '= 0.1', was '\approx 0.100'
    assert chain.gradient_readout(depth) == "= " + power_of_ten_tex(factor**depth)  # was '\approx 1.00 \cdot 10^{-12}'
