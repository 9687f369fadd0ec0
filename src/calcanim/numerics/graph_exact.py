"""A computation graph's values, local derivatives and grads at 50 significant digits (mpmath).

The float64 passes of calcanim.numerics.computation_graph drive the animation; the digits a clip
shows are these values rounded once (issue 15's one-rounding rule), so a grad of
-1.4999999999999998 in floats is shown as what it is, about -1.5, and 0.1 * 0.2 as 0.02. Inputs are
the decimals as typed (a float's shortest repr), constants are evaluated from the expression's own
text (1/3 is a third, not 0.333...). The same conventions as the float passes hold at non-smooth
points: abs'(0) = relu'(0) = 0, and min/max split a tie evenly.

>>> import ast
>>> from calcanim.numerics.computation_graph import build_graph
>>> graph = build_graph(ast.parse("x*y + x", mode="eval").body, "x*y + x", {"x": 0.1, "y": 0.2})
>>> exact = exact_graph(graph, {"x": 0.1, "y": 0.2})
>>> mpmath.nstr(exact.values[graph.output.id], 20), mpmath.nstr(exact.grads[0], 20)
('0.12', '1.2')
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import mpmath

from calcanim.numerics.computation_graph import Graph, Node

#: Significant digits of every value (far more than any display).
DIGITS = 50

#: An mpmath.mpf (mpmath ships no type hints).
Number: TypeAlias = Any


@dataclass(frozen=True)
class ExactGraph:
    """Per node id: value and grad; per node id, d node / d parents[i]; per node id, what each consumer
    sends back, in the order of the float graph's contributions."""

    values: dict[int, Number]
    grads: dict[int, Number]
    local_derivatives: dict[int, tuple[Number, ...]]
    contributions: dict[int, list[Number]]

    def partial_grad(self, node_id: int, received: int) -> Number:
        """The node's grad once its first ``received`` contributions came back."""
        with mpmath.workdps(DIGITS + 10):
            return sum(self.contributions[node_id][:received], mpmath.mpf(0))

    def contribution(self, child: int, parent: int, slot: int) -> Number:
        """grad(child) * d child / d parents[slot]: what the edge sends back."""
        with mpmath.workdps(DIGITS + 10):
            return self.grads[child] * self.local_derivatives[child][slot]


def _sign(a: Number) -> Number:
    return mpmath.mpf(0) if a == 0 else mpmath.sign(a)


def _sigmoid(a: Number) -> Number:
    return 1 / (1 + mpmath.exp(-a))


_FORWARD: dict[str, Callable[..., Number]] = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b,
    "pow": lambda a, b: mpmath.power(a, b), "neg": lambda a: -a,
    "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan, "exp": mpmath.exp, "log": mpmath.log,
    "ln": mpmath.log, "sqrt": mpmath.sqrt, "abs": abs, "tanh": mpmath.tanh, "sinh": mpmath.sinh,
    "cosh": mpmath.cosh, "atan": mpmath.atan, "arctan": mpmath.atan, "sigmoid": _sigmoid,
    "relu": lambda a: max(a, mpmath.mpf(0)), "softplus": lambda a: mpmath.log1p(mpmath.exp(a)),
    "min": min, "max": max,
}
_LOCAL: dict[str, Callable[..., tuple[Number, ...]]] = {
    "add": lambda a, b: (mpmath.mpf(1), mpmath.mpf(1)), "sub": lambda a, b: (mpmath.mpf(1), mpmath.mpf(-1)),
    "mul": lambda a, b: (b, a), "div": lambda a, b: (1 / b, -a / (b * b)),
    "pow": lambda a, b: (b * mpmath.power(a, b - 1), mpmath.power(a, b) * mpmath.log(a)),
    "neg": lambda a: (mpmath.mpf(-1),),
    "sin": lambda a: (mpmath.cos(a),), "cos": lambda a: (-mpmath.sin(a),), "tan": lambda a: (mpmath.sec(a) ** 2,),
    "exp": lambda a: (mpmath.exp(a),), "log": lambda a: (1 / a,), "ln": lambda a: (1 / a,),
    "sqrt": lambda a: (1 / (2 * mpmath.sqrt(a)),), "abs": lambda a: (_sign(a),),
    "tanh": lambda a: (1 - mpmath.tanh(a) ** 2,), "sinh": lambda a: (mpmath.cosh(a),),
    "cosh": lambda a: (mpmath.sinh(a),), "atan": lambda a: (1 / (1 + a * a),), "arctan": lambda a: (1 / (1 + a * a),),
    "sigmoid": lambda a: (_sigmoid(a) * (1 - _sigmoid(a)),),
    "relu": lambda a: (mpmath.mpf(1) if a > 0 else mpmath.mpf(0),), "softplus": lambda a: (_sigmoid(a),),
    "min": lambda a, b: (mpmath.mpf(0.5),) * 2 if a == b else ((mpmath.mpf(1), mpmath.mpf(0)) if a < b
                                                             else (mpmath.mpf(0), mpmath.mpf(1))),
    "max": lambda a, b: (mpmath.mpf(0.5),) * 2 if a == b else ((mpmath.mpf(1), mpmath.mpf(0)) if a > b
                                                             else (mpmath.mpf(0), mpmath.mpf(1))),
}
_CONSTANTS: dict[str, Callable[[], Number]] = {"pi": lambda: +mpmath.pi, "e": lambda: +mpmath.e}


def exact_graph(graph: Graph, values: Mapping[str, float]) -> ExactGraph:
    """The forward and backward passes of ``graph`` again, at DIGITS significant digits."""
    with mpmath.workdps(DIGITS + 10):
        exact: dict[int, Number] = {}
        local: dict[int, tuple[Number, ...]] = {}
        for node in graph.nodes:
            exact[node.id], local[node.id] = _forward(node, exact, values)
        grads: dict[int, Number] = {node.id: mpmath.mpf(0) for node in graph.nodes}
        contributions: dict[int, list[Number]] = {node.id: [] for node in graph.nodes}
        grads[graph.output.id] = mpmath.mpf(1)
        for node in reversed(graph.nodes):
            for parent, derivative in zip(node.parents, local[node.id], strict=True):
                amount = grads[node.id] * derivative
                contributions[parent].append(amount)
                grads[parent] += amount
    return ExactGraph(exact, grads, local, contributions)


def _forward(node: Node, exact: Mapping[int, Number], values: Mapping[str, float]) -> tuple[Number, tuple[Number, ...]]:
    if node.op == "input":
        return mpmath.mpf(repr(float(values[node.label]))), ()
    if node.op == "const":
        return exact_constant(_fragment(node.label)), ()
    operands = [exact[p] for p in node.parents]
    if node.op == "pow_const":
        power = _fragment(node.label)
        assert isinstance(power, ast.BinOp)
        exponent = exact_constant(power.right)
        return mpmath.power(operands[0], exponent), (exponent * mpmath.power(operands[0], exponent - 1),)
    return _FORWARD[node.op](*operands), _LOCAL[node.op](*operands)


def _fragment(text: str) -> ast.expr:
    """The syntax tree of a fragment of an expression the expression language already checked."""
    return ast.parse(text.strip(), mode="eval").body


def exact_constant(node: ast.expr) -> Number:
    """A variable-free subtree (numbers, pi, e, operators, functions) at DIGITS digits.

    >>> mpmath.nstr(exact_constant(_fragment("1/3")), 12), mpmath.nstr(exact_constant(_fragment("-2*pi")), 8)
    ('0.333333333333', '-6.2831853')
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return mpmath.mpf(node.value) if isinstance(node.value, int) else mpmath.mpf(repr(node.value))
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]()
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = exact_constant(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        names = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
        return _FORWARD[names[type(node.op)]](exact_constant(node.left), exact_constant(node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FORWARD:
        return _FORWARD[node.func.id](*(exact_constant(a) for a in node.args))
    raise ValueError(f"not a constant of the expression language: {ast.dump(node)}")
