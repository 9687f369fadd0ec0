"""Backpropagation on the computation graph against the lesson's numbers (micrograd's neuron),
sympy's symbolic derivative evaluated in mpmath at 40 digits, and central differences of the
expression evaluated independently by calcanim.expr."""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy

from calcanim.expr import parse_expression, parse_syntax_tree
from calcanim.numerics.computation_graph import NotComputable, build_graph
from calcanim.numerics.graph_layout import layout_graph

NEURON_VALUES = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}


def _graph(text: str, values: dict[str, float]):
    expression, tree = parse_syntax_tree(text, tuple(values))
    return build_graph(tree, expression.text, values)


def test_micrograds_neuron_gives_the_lessons_numbers() -> None:
    graph = _graph("tanh(x1*w1 + x2*w2 + b)", NEURON_VALUES)
    assert graph.output.value == pytest.approx(0.7071, abs=5e-5)
    assert graph.output.value == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    grads = graph.input_grads()
    expected = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}
    for name, value in expected.items():
        assert grads[name] == pytest.approx(value, abs=1e-12)
    # micrograd's nodes: x1*w1, x2*w2, their sum, + b, tanh, each with grad 0.5 but the output's 1
    ops = [n.op for n in graph.nodes]
    assert ops.count("mul") == 2 and ops.count("add") == 2 and ops[-1] == "tanh"
    assert [n.grad for n in graph.nodes if n.op in ("mul", "add")] == pytest.approx([0.5] * 4, abs=1e-12)


x, y, z, w, b = sympy.symbols("x y z w b", real=True)
SYMPY_CASES = [
    ("x*y + x", x * y + x, {"x": 3.0, "y": -2.0}),
    ("sigmoid(w*x + b)", 1 / (1 + sympy.exp(-(w * x + b))), {"w": 0.7, "x": -1.3, "b": 0.2}),
    ("x**3 / (1 + y**2) - sin(x*y)", x**3 / (1 + y**2) - sympy.sin(x * y), {"x": 1.1, "y": 0.4}),
    ("exp(x) * log(y) + sqrt(x*y)", sympy.exp(x) * sympy.log(y) + sympy.sqrt(x * y), {"x": 0.6, "y": 2.5}),
    ("tanh(x) * tanh(x) + x", sympy.tanh(x) ** 2 + x, {"x": 0.35}),
    ("softplus(x - y) + relu(z) * x", sympy.log(1 + sympy.exp(x - y)) + z * x, {"x": 0.3, "y": -1.0, "z": 2.0}),
    ("2**x + x**y + atan(y)", 2**x + x**y + sympy.atan(y), {"x": 1.7, "y": 0.9}),
    ("-x / y - cosh(y) + abs(x) * pi", -x / y - sympy.cosh(y) + sympy.Abs(x) * sympy.pi, {"x": -0.8, "y": 1.9}),
]


@pytest.mark.parametrize(("text", "reference", "values"), SYMPY_CASES, ids=[c[0] for c in SYMPY_CASES])
def test_gradients_match_sympy_evaluated_in_mpmath(text: str, reference: sympy.Expr, values: dict) -> None:
    graph = _graph(text, values)
    point = {sympy.Symbol(k, real=True): sympy.Rational(v) for k, v in values.items()}
    assert graph.output.value == pytest.approx(float(reference.evalf(40, subs=point)), rel=1e-13)
    for name, grad in graph.input_grads().items():
        exact = sympy.diff(reference, sympy.Symbol(name, real=True)).evalf(40, subs=point)
        assert grad == pytest.approx(float(mpmath.mpf(str(exact))), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize(("text", "reference", "values"), SYMPY_CASES, ids=[c[0] for c in SYMPY_CASES])
def test_gradients_match_central_differences(text: str, reference: sympy.Expr, values: dict) -> None:
    graph = _graph(text, values)
    names = tuple(values)
    f = parse_expression(text, names)  # evaluated by calcanim.expr, not by the graph
    h = 1e-6
    for name, grad in graph.input_grads().items():
        up = [values[n] + (h if n == name else 0.0) for n in names]
        down = [values[n] - (h if n == name else 0.0) for n in names]
        assert grad == pytest.approx((f(*up) - f(*down)) / (2 * h), rel=1e-6, abs=1e-7)


def test_a_node_feeding_two_others_sums_their_contributions() -> None:
    graph = _graph("x*y + x", {"x": 3.0, "y": -2.0})
    node = graph.node_by_label("x")
    assert len(node.contributions) == 2
    assert sorted(c.amount for c in node.contributions) == [-2.0, 1.0]  # via x*y: y = -2; via + x: 1
    assert node.grad == -1.0


def test_written_order_is_kept_and_constant_powers_are_one_node() -> None:
    graph = _graph("x**2 + 3*x", {"x": 2.0})
    assert [(n.op, n.label) for n in graph.nodes] == [
        ("input", "x"), ("pow_const", "x**2"), ("const", "3"), ("mul", "3*x"), ("add", "x**2 + 3*x"),
    ]
    assert graph.output.value == 10.0 and graph.input_grads() == {"x": 7.0}


def test_undefined_values_are_reported() -> None:
    with pytest.raises(NotComputable, match="log"):
        _graph("log(x)", {"x": -1.0})
    with pytest.raises(NotComputable):
        _graph("x / y", {"x": 1.0, "y": 0.0})


def test_layout_puts_inputs_left_of_their_consumers_and_the_output_last() -> None:
    graph = _graph("tanh(x1*w1 + x2*w2 + b)", NEURON_VALUES)
    layout = layout_graph(graph)
    columns = {n.label: layout.positions[n.id][0] for n in graph.nodes}
    assert columns["x1"] == columns["w1"] == 0 and columns["x1*w1"] == 1
    assert columns["b"] == columns["x1*w1 + x2*w2"] == 2  # beside the sum it joins, as micrograd draws it
    assert columns["tanh(x1*w1 + x2*w2 + b)"] == layout.columns - 1 == 4
    for column in range(layout.columns):  # no two nodes of a column closer than one row
        rows = sorted(r for c, r in layout.positions.values() if c == column)
        assert all(b - a >= 1.0 for a, b in zip(rows, rows[1:]))
