"""Every number backprop shows is its exact value rounded once (issue 15): checked against sympy's own
derivative of the expression at 50 digits, written out here with Decimal, never against the clip's code."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal

import mpmath
import pytest
import sympy
from manim import tempconfig

from calcanim.params.backprop import BackpropParams
from calcanim.plans.backprop import BackpropPlan, plan
from tests.rounding_reference import scientific

a, b, c, x, y, x1, x2, w1, w2, bias = sympy.symbols("a b c x y x1 x2 w1 w2 b")


def expected(truth: sympy.Expr, decimals: int) -> str:
    """The truth to `decimals` places, half to even: plain when that is all of it, else after \\approx;
    below half a unit of the last place, or from 10^6 on, two significant digits times a power of ten."""
    value = Decimal(str(sympy.N(truth, 50)))
    if value == 0:
        return "0"
    if abs(value) < Decimal(5).scaleb(-decimals - 1) or abs(value) >= 10**6:
        mantissa, power = scientific(value, 1)
        exact = abs(mantissa.scaleb(power) - value) <= abs(value) * Decimal("1e-40")
        body = rf"{mantissa.normalize() if exact else mantissa} \cdot 10^{{{power}}}"
        return body if exact else rf"\approx {body}"
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    if abs(rounded - value) <= max(Decimal(1), abs(value)) * Decimal("1e-40"):
        text = f"{rounded.normalize():f}"
        return text
    return rf"\approx {rounded}"


def typed(value: float) -> sympy.Rational:
    """An input as the decimal a user typed."""
    return sympy.Rational(repr(value))


#: (expression as calcanim takes it, the same written in sympy, input values)
CASES = [
    ("tanh(x1*w1 + x2*w2 + b)", sympy.tanh(x1 * w1 + x2 * w2 + bias),
     {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}),
    ("x*y + x", x * y + x, {"x": 0.1, "y": 0.2}),  # 0.12 and 1.2 exactly, not 0.12000000000000001
    ("exp(-20*x) * y", sympy.exp(-20 * x) * y, {"x": 0.9, "y": 3e-3}),  # 4.6e-11: a power of ten
    ("x*x + x*y + y**2", x * x + x * y + y**2, {"x": 1.5, "y": -0.5}),  # sums of contributions
    ("sigmoid(a)*log(b) / sqrt(c) - a**b", 1 / (1 + sympy.exp(-a)) * sympy.log(b) / sympy.sqrt(c) - a**b,
     {"a": 0.7, "b": 2.5, "c": 3.0}),
    ("exp(x*y) + x**(1/3)", sympy.exp(x * y) + x ** sympy.Rational(1, 3), {"x": 5.0, "y": 4.0}),  # 4.9e8
]


@pytest.mark.parametrize("decimals", [4, 2, 6])
@pytest.mark.parametrize(("text", "truth", "values"), CASES, ids=[case[0] for case in CASES])
def test_output_and_every_input_grad_are_the_exact_values_rounded_once(text: str, truth: sympy.Expr,
                                                                     values: dict[str, float], decimals: int) -> None:
    p = plan(BackpropParams.from_mapping({"expression": text, "values": values, "decimals": decimals}))
    at = {sympy.Symbol(name): typed(value) for name, value in values.items()}
    assert p.value_tex(p.graph.output) == expected(truth.subs(at), decimals)
    for node in p.graph.inputs():
        assert p.value_tex(node) == expected(at[sympy.Symbol(node.label)], decimals)
        assert p.grad_tex(node) == expected(sympy.diff(truth, sympy.Symbol(node.label)).subs(at), decimals), node.label
    shown = " ".join([p.grads_caption(), *(p.factor_tex(e) for e in p.edges), *(p.value_tex(n) for n in p.nodes)])
    assert not re.search(r"\de[-+]?\d", shown), shown  # never 2.92e-07


def test_the_lessons_neuron_shows_its_numbers_honestly() -> None:
    """micrograd's neuron: the grads are 1.5, 1, 0.5, 0, 0.5 only up to rounding (b is 6.881373587019543
    as typed), so they carry \\approx; w2's grad is x2 * ... = 0 exactly."""
    p = plan(BackpropParams())
    grads = {n.label: p.grad_tex(n) for n in p.graph.inputs()}
    assert grads == {"x1": r"\approx -1.5000", "w1": r"\approx 1.0000", "x2": r"\approx 0.5000", "w2": "0",
                     "b": r"\approx 0.5000"}
    assert p.value_tex(p.graph.output) == r"\approx 0.7071" and p.grad_tex(p.graph.output) == "1"
    n = 2 * -3 + 0 * 1 + typed(6.8813735870195432)
    tanh_edge = next(e for e in p.edges if e.child == p.graph.output.id)
    assert p.factor_tex(tanh_edge) == expected(sympy.diff(sympy.tanh(x), x).subs(x, n), 4)
    assert p.grads_caption() == "x1: ≈ -1.5000, w1: ≈ 1.0000, x2: ≈ 0.5000, w2: 0, b: ≈ 0.5000"


def test_a_sum_names_each_contribution_and_is_approximate_when_one_is() -> None:
    p = plan(BackpropParams.from_mapping({"expression": "x*x + x*y + y**2", "values": {"x": 1.5, "y": -0.5}}))
    node_x = p.graph.node_by_label("x")
    # x feeds x*y (sends y = -0.5) and x*x twice (sends x = 1.5 each); backward visits x*y first
    assert p.sum_tex(node_x) == "= (-0.5) + 1.5 + 1.5" and p.grad_tex(node_x) == "2.5"
    assert [p.grad_tex(node_x, k) for k in (1, 2)] == ["-0.5", "1"]
    p = plan(BackpropParams.from_mapping({"expression": "sin(x) + x", "values": {"x": 1.0}}))
    assert p.sum_tex(p.graph.node_by_label("x")) == rf"\approx 1 + {expected(sympy.cos(1), 4)[8:]}"  # 1 is exact


def _shown_texts(p: BackpropPlan, aspect: tuple[int, int]) -> tuple[dict[str, str], list[str]]:
    """Play the scene without video; the grad each input box holds at the end, and the edge factors."""
    from calcanim.scenes.backprop import BackpropScene

    shown: dict[str, str] = {}
    factors: list[str] = []

    class Recording(BackpropScene):
        def construct(self) -> None:
            super().construct()
            shown.update({n.label: self.grads[n.id].tex_string for n in p.graph.inputs()})
            factors.extend(label.tex_string if hasattr(label, "tex_string") else label[1].tex_string
                           for label in self.drawing.edge_labels.values())

    width, height = aspect
    with tempconfig({"dry_run": True, "frame_rate": 5, "pixel_width": width, "pixel_height": height,
                     "frame_width": 8.0 * width / min(width, height), "frame_height": 8.0 * height / min(width, height)}):
        Recording(p.params, plan=p).render()
    return shown, factors


@pytest.mark.parametrize("aspect", [(480, 480)], ids=["1:1"])
def test_the_boxes_show_the_plans_rounded_grads(aspect: tuple[int, int]) -> None:
    values = {"x": 0.9, "y": 3e-3}
    p = plan(BackpropParams.from_mapping({"expression": "exp(-20*x) * y", "values": values, "step_seconds": 0.2}))
    shown, factors = _shown_texts(p, aspect)
    truth = sympy.exp(-20 * x) * y
    at = {x: typed(0.9), y: typed(3e-3)}
    assert shown == {"x": expected(sympy.diff(truth, x).subs(at), 4), "y": expected(sympy.diff(truth, y).subs(at), 4)}
    assert shown["y"] == r"\approx 1.5 \cdot 10^{-8}"  # e^-18
    assert r"\times\,{{\approx}\,{1.5 \cdot 10^{-8}}}" in factors  # d(exp(-20x) * y)/dy, the exp node's value
