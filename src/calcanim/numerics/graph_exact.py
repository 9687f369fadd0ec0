"""A computation graph's values, local derivatives and grads: exact fractions while they are rational (inputs,
number constants, + - * /, whole powers, abs, relu, min, max), mpmath at 50 significant digits from the
first irrational step on (exp, tanh, sqrt, pi, ...).

The float64 passes of calcanim.numerics.computation_graph drive the animation; the digits a clip
shows are these values rounded once (issue 15's one-rounding rule), so a grad of
-1.4999999999999998 in floats is shown as what it is, about -1.5, 0.1 * 0.2 as 0.02 and 0.1 + 0.2 - 0.3 as 0
(at 50 binary-rounded digits it was -4e-62). Inputs are
the decimals as typed (a float's shortest repr), constants are evaluated from the expression's own
text (1/3 is a third, not 0.333...). The same conventions as the float passes hold at non-smooth
points: abs'(0) = relu'(0) = 0, and min/max split a tie evenly.

>>> import ast
>>> from calcanim.numerics.computation_graph import build_graph
>>> graph = build_graph(ast.parse("x*y + x", mode="eval").body, "x*y + x", {"x": 0.1, "y": 0.2})
>>> exact = exact_graph(graph, {"x": 0.1, "y": 0.2})
>>> exact.values[graph.output.id], exact.grads[0]
(Fraction(3, 25), Fraction(6, 5))
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeAlias

import mpmath

from calcanim.numerics.computation_graph import Graph, Node

#: Significant digits of every value (far more than any display).
DIGITS = 50

#: A Fraction (exact) or an mpmath.mpf (mpmath ships no type hints).
Number: TypeAlias = Any

ZERO, ONE, HALF = Fraction(0), Fraction(1), Fraction(1, 2)


def _mp(a: Number) -> Number:
    """a as an mpmath number at the working precision."""
    return mpmath.mpf(a.numerator) / a.denominator if isinstance(a, Fraction) else a


def _both(op: Callable[[Number, Number], Number]) -> Callable[[Number, Number], Number]:
    """op on two exact fractions exactly, else on both as mpmath numbers."""
    return lambda a, b: op(a, b) if isinstance(a, Fraction) and isinstance(b, Fraction) else op(_mp(a), _mp(b))


def _on_mp(function: Callable[[Number], Number]) -> Callable[[Number], Number]:
    """An irrational function: evaluated in mpmath."""
    return lambda a: function(_mp(a))


_add = _both(lambda a, b: a + b)
_mul = _both(lambda a, b: a * b)
_div = _both(lambda a, b: a / b)


def _power(a: Number, b: Number) -> Number:
    """a ** b: exact for a fraction to a whole power (0 to a negative one is mpmath's to report)."""
    if isinstance(a, Fraction) and isinstance(b, Fraction) and b.denominator == 1 and (a != 0 or b >= 0):
        return a ** int(b)
    return mpmath.power(_mp(a), _mp(b))


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
            total = ZERO
            for amount in self.contributions[node_id][:received]:
                total = _add(total, amount)
            return total

    def contribution(self, child: int, parent: int, slot: int) -> Number:
        """grad(child) * d child / d parents[slot]: what the edge sends back."""
        with mpmath.workdps(DIGITS + 10):
            return _mul(self.grads[child], self.local_derivatives[child][slot])


def _sign(a: Number) -> Number:
    return ZERO if a == 0 else (ONE if a > 0 else -ONE)


def _sigmoid(a: Number) -> Number:
    return 1 / (1 + mpmath.exp(-_mp(a)))


def _tie_aware(pick_first: Callable[[Number, Number], bool]) -> Callable[[Number, Number], tuple[Number, ...]]:
    """min/max's local derivatives: to the operand picked, split evenly on a tie."""
    return lambda a, b: (HALF, HALF) if _both(lambda p, q: p == q)(a, b) else (
        (ONE, ZERO) if _both(pick_first)(a, b) else (ZERO, ONE))


_FORWARD: dict[str, Callable[..., Number]] = {
    "add": _add, "sub": _both(lambda a, b: a - b), "mul": _mul, "div": _div,
    "pow": _power, "neg": lambda a: -a,
    "sin": _on_mp(mpmath.sin), "cos": _on_mp(mpmath.cos), "tan": _on_mp(mpmath.tan), "exp": _on_mp(mpmath.exp),
    "log": _on_mp(mpmath.log), "ln": _on_mp(mpmath.log), "sqrt": _on_mp(mpmath.sqrt), "abs": abs,
    "tanh": _on_mp(mpmath.tanh), "sinh": _on_mp(mpmath.sinh), "cosh": _on_mp(mpmath.cosh),
    "atan": _on_mp(mpmath.atan), "arctan": _on_mp(mpmath.atan), "sigmoid": _sigmoid,
    "relu": lambda a: a if a > 0 else ZERO, "softplus": _on_mp(lambda a: mpmath.log1p(mpmath.exp(a))),
    "min": lambda a, b: a if _both(lambda p, q: p <= q)(a, b) else b,
    "max": lambda a, b: a if _both(lambda p, q: p >= q)(a, b) else b,
}
_LOCAL: dict[str, Callable[..., tuple[Number, ...]]] = {
    "add": lambda a, b: (ONE, ONE), "sub": lambda a, b: (ONE, -ONE),
    "mul": lambda a, b: (b, a), "div": lambda a, b: (_div(ONE, b), -_div(a, _mul(b, b))),
    "pow": lambda a, b: (_mul(b, _power(a, _add(b, -ONE))), mpmath.power(_mp(a), _mp(b)) * mpmath.log(_mp(a))),
    "neg": lambda a: (-ONE,),
    "sin": lambda a: (mpmath.cos(_mp(a)),), "cos": lambda a: (-mpmath.sin(_mp(a)),),
    "tan": lambda a: (mpmath.sec(_mp(a)) ** 2,), "exp": lambda a: (mpmath.exp(_mp(a)),),
    "log": lambda a: (_div(ONE, a),), "ln": lambda a: (_div(ONE, a),),
    "sqrt": lambda a: (1 / (2 * mpmath.sqrt(_mp(a))),), "abs": lambda a: (_sign(a),),
    "tanh": lambda a: (1 - mpmath.tanh(_mp(a)) ** 2,), "sinh": lambda a: (mpmath.cosh(_mp(a)),),
    "cosh": lambda a: (mpmath.sinh(_mp(a)),), "atan": lambda a: (_div(ONE, _add(ONE, _mul(a, a))),),
    "arctan": lambda a: (_div(ONE, _add(ONE, _mul(a, a))),),
    "sigmoid": lambda a: (_sigmoid(a) * (1 - _sigmoid(a)),),
    "relu": lambda a: (ONE if a > 0 else ZERO,), "softplus": lambda a: (_sigmoid(a),),
    "min": _tie_aware(lambda a, b: a < b),
    "max": _tie_aware(lambda a, b: a > b),
}
_CONSTANTS: dict[str, Callable[[], Number]] = {"pi": lambda: +mpmath.pi, "e": lambda: +mpmath.e}


def exact_graph(graph: Graph, values: Mapping[str, float]) -> ExactGraph:
    """The forward and backward passes of ``graph`` again, at DIGITS significant digits."""
    with mpmath.workdps(DIGITS + 10):
        exact: dict[int, Number] = {}
        local: dict[int, tuple[Number, ...]] = {}
        for node in graph.nodes:
            exact[node.id], local[node.id] = _forward(node, exact, values)
        grads: dict[int, Number] = {node.id: ZERO for node in graph.nodes}
        contributions: dict[int, list[Number]] = {node.id: [] for node in graph.nodes}
        grads[graph.output.id] = ONE
        for node in reversed(graph.nodes):
            for parent, derivative in zip(node.parents, local[node.id], strict=True):
                amount = _mul(grads[node.id], derivative)
                contributions[parent].append(amount)
                grads[parent] = _add(grads[parent], amount)
    return ExactGraph(exact, grads, local, contributions)


def _forward(node: Node, exact: Mapping[int, Number], values: Mapping[str, float]) -> tuple[Number, tuple[Number, ...]]:
    if node.op == "input":
        return Fraction(repr(float(values[node.label]))), ()
    if node.op == "const":
        return exact_constant(_fragment(node.label)), ()
    operands = [exact[p] for p in node.parents]
    if node.op == "pow_const":
        power = _fragment(node.label)
        assert isinstance(power, ast.BinOp)
        exponent = exact_constant(power.right)
        return _power(operands[0], exponent), (_mul(exponent, _power(operands[0], _add(exponent, -ONE))),)
    return _FORWARD[node.op](*operands), _LOCAL[node.op](*operands)


def _fragment(text: str) -> ast.expr:
    """The syntax tree of a fragment of an expression the expression language already checked."""
    return ast.parse(text.strip(), mode="eval").body


def exact_constant(node: ast.expr) -> Number:
    """A variable-free subtree (numbers, pi, e, operators, functions): exact while rational, else at DIGITS digits.

    >>> exact_constant(_fragment("1/3")), mpmath.nstr(exact_constant(_fragment("-2*pi")), 8)
    (Fraction(1, 3), '-6.2831853')
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return Fraction(node.value) if isinstance(node.value, int) else Fraction(repr(node.value))
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
