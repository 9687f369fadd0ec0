"""backprop with the inputs a lecturer types to show float trouble or saturation, against sympy at 50 digits
(the reference `expected` of test_backprop_numbers: half to even, \\approx when rounded).

Reported: x + y - 0.3 at x = 0.1, y = 0.2 showed "-4 \\cdot 10^{-62}" as its exact value (the 50-digit binary
noise of 0.1 + 0.2 - 0.3, whose value is 0), and tanh(w*x + b) at w = 10, x = 5, b = 0 showed w's grad
5 (1 - tanh(50)^2) = 7.42...e-43 as exactly "7 \\cdot 10^{-43}"."""

from __future__ import annotations

import pytest
import sympy

from calcanim.params.backprop import BackpropParams
from calcanim.plans.backprop import plan
from tests.scenes.test_backprop_numbers import expected, typed

w, x, y, z, bias = sympy.symbols("w x y z b")

CASES = [
    ("x + y - 0.3", x + y - sympy.Rational(3, 10), {"x": 0.1, "y": 0.2}),
    ("x*y + z", x * y + z, {"x": 0.1, "y": 0.2, "z": -0.02}),
    ("(x - 0.1)*y", (x - sympy.Rational(1, 10)) * y, {"x": 0.1, "y": 7.5}),
    ("tanh(w*x + b)", sympy.tanh(w * x + bias), {"w": 10.0, "x": 5.0, "b": 0.0}),
    ("sigmoid(w*x)", 1 / (1 + sympy.exp(-w * x)), {"w": -8.0, "x": 12.5}),
    ("x**2 - 2*x*y + y**2", x**2 - 2 * x * y + y**2, {"x": 0.3, "y": 0.1}),  # (0.3 - 0.1)^2 = 0.04
    ("x/3 - y", x / 3 - y, {"x": 0.3, "y": 0.1}),  # 0
]


@pytest.mark.parametrize(("text", "truth", "values"), CASES, ids=[case[0] for case in CASES])
def test_decimal_cancellation_and_saturation_are_shown_truly(text: str, truth: sympy.Expr,
                                                             values: dict[str, float]) -> None:
    p = plan(BackpropParams.from_mapping({"expression": text, "values": values, "decimals": 4}))
    at = {sympy.Symbol(name): typed(value) for name, value in values.items()}
    assert p.value_tex(p.graph.output) == expected(truth.subs(at), 4)
    for node in p.graph.inputs():
        assert p.grad_tex(node) == expected(sympy.diff(truth, sympy.Symbol(node.label)).subs(at), 4), node.label
