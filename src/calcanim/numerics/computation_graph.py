"""Backpropagation on the computation graph of an expression, the way micrograd does it.

The graph is built from the checked syntax tree of calcanim's expression language (see
calcanim.expr.parse_syntax_tree): one node per input variable (a variable used twice is one node
feeding two others), one per operation, one per constant. The forward pass fills every node's
value; the backward pass starts with grad 1 at the output and, from the output back, adds
grad(child) * d child / d parent to each parent. A node that feeds several others sums their
contributions.

Non-smooth points follow PyTorch: abs'(0) = relu'(0) = 0, and min/max split a tie evenly.

>>> import ast
>>> graph = build_graph(ast.parse("x*y + x", mode="eval").body, "x*y + x", {"x": 3.0, "y": -2.0})
>>> graph.output.value, graph.input_grads()
(-3.0, {'x': -1.0, 'y': 3.0})
>>> [c.amount for c in graph.node_by_label("x").contributions]  # x feeds * and +: d/dx = y + 1
[1.0, -2.0]
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


class NotComputable(ValueError):
    """A value or gradient of the graph is undefined or not finite."""


def _sigmoid(a: float) -> float:
    return 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))


def _softplus(a: float) -> float:
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


def _step(a: float) -> float:
    return 1.0 if a > 0 else 0.0


def _sign(a: float) -> float:
    return 0.0 if a == 0 else math.copysign(1.0, a)


@dataclass(frozen=True)
class Operation:
    """How an operation computes its value and its local derivatives d out / d operand_i."""

    symbol: str  # as drawn in the node
    forward: Callable[..., float]
    local: Callable[..., tuple[float, ...]]
    kink: Callable[..., bool] = lambda *args: False


_BINARY: dict[type[ast.operator], tuple[str, Operation]] = {
    ast.Add: ("add", Operation("+", lambda a, b: a + b, lambda a, b: (1.0, 1.0))),
    ast.Sub: ("sub", Operation("-", lambda a, b: a - b, lambda a, b: (1.0, -1.0))),
    ast.Mult: ("mul", Operation(r"\times", lambda a, b: a * b, lambda a, b: (b, a))),
    ast.Div: ("div", Operation("/", lambda a, b: a / b, lambda a, b: (1 / b, -a / (b * b)))),
    ast.Pow: ("pow", Operation("**", lambda a, b: a**b, lambda a, b: (b * a ** (b - 1), a**b * math.log(a)))),
}
_NEGATE = Operation("-", lambda a: -a, lambda a: (-1.0,))
_FUNCTIONS: dict[str, Operation] = {
    "sin": Operation(r"\sin", math.sin, lambda a: (math.cos(a),)),
    "cos": Operation(r"\cos", math.cos, lambda a: (-math.sin(a),)),
    "tan": Operation(r"\tan", math.tan, lambda a: (1 / math.cos(a) ** 2,)),
    "exp": Operation(r"\exp", math.exp, lambda a: (math.exp(a),)),
    "log": Operation(r"\ln", math.log, lambda a: (1 / a,)),
    "ln": Operation(r"\ln", math.log, lambda a: (1 / a,)),
    "sqrt": Operation(r"\sqrt{\ }", math.sqrt, lambda a: (0.5 / math.sqrt(a),)),
    "abs": Operation(r"|\cdot|", abs, lambda a: (_sign(a),), kink=lambda a: a == 0),
    "tanh": Operation(r"\tanh", math.tanh, lambda a: (1 - math.tanh(a) ** 2,)),
    "sinh": Operation(r"\sinh", math.sinh, lambda a: (math.cosh(a),)),
    "cosh": Operation(r"\cosh", math.cosh, lambda a: (math.sinh(a),)),
    "atan": Operation(r"\arctan", math.atan, lambda a: (1 / (1 + a * a),)),
    "arctan": Operation(r"\arctan", math.atan, lambda a: (1 / (1 + a * a),)),
    "sigmoid": Operation(r"\sigma", _sigmoid, lambda a: (_sigmoid(a) * (1 - _sigmoid(a)),)),
    "relu": Operation(r"\mathrm{relu}", lambda a: max(a, 0.0), lambda a: (_step(a),), kink=lambda a: a == 0),
    "softplus": Operation(r"\mathrm{softplus}", _softplus, lambda a: (_sigmoid(a),)),
    "min": Operation(r"\min", min, lambda a, b: (0.5, 0.5) if a == b else ((1.0, 0.0) if a < b else (0.0, 1.0)),
                     kink=lambda a, b: a == b),
    "max": Operation(r"\max", max, lambda a, b: (0.5, 0.5) if a == b else ((1.0, 0.0) if a > b else (0.0, 1.0)),
                     kink=lambda a, b: a == b),
}
_NAMED_CONSTANTS = {"pi": math.pi, "e": math.e}


@dataclass(frozen=True)
class Contribution:
    """grad(child) * d child / d parent: what one consumer sends back to a node."""

    child: int
    local_derivative: float
    amount: float


@dataclass
class Node:
    """One value in the graph. ``op`` is input, const, or the operation (add, mul, tanh, pow_const, ...)."""

    id: int
    op: str
    label: str
    symbol: str
    parents: tuple[int, ...]
    value: float = math.nan
    grad: float = 0.0
    #: d self / d parents[i], filled by the forward pass.
    local_derivatives: tuple[float, ...] = ()
    contributions: list[Contribution] = field(default_factory=list)
    at_kink: bool = False


@dataclass
class Graph:
    """Nodes in topological order (every parent before its children); the last one is the output."""

    nodes: list[Node]

    @property
    def output(self) -> Node:
        return self.nodes[-1]

    def node_by_label(self, label: str) -> Node:
        return next(n for n in self.nodes if n.label == label)

    def inputs(self) -> list[Node]:
        return [n for n in self.nodes if n.op == "input"]

    def input_grads(self) -> dict[str, float]:
        return {n.label: n.grad for n in self.inputs()}

    def children(self, node_id: int) -> list[int]:
        return [n.id for n in self.nodes if node_id in n.parents]


def build_graph(tree: ast.expr, source: str, values: Mapping[str, float]) -> Graph:
    """The graph of a checked syntax tree, with the forward and backward passes done."""
    builder = _Builder(source, values)
    builder.visit(tree)
    graph = Graph(builder.nodes)
    _backward(graph)
    for node in graph.nodes:
        numbers = (node.value, node.grad, *node.local_derivatives)
        if not all(math.isfinite(v) for v in numbers):
            raise NotComputable(f"'{node.label}' has no finite value or gradient at these values")
    return graph


def _backward(graph: Graph) -> None:
    graph.output.grad = 1.0
    for node in reversed(graph.nodes):
        for parent_id, local in zip(node.parents, node.local_derivatives, strict=True):
            parent = graph.nodes[parent_id]
            amount = node.grad * local
            parent.contributions.append(Contribution(node.id, local, amount))
            parent.grad += amount


class _Builder:
    """Walks the tree in the order it was written, adding nodes after their operands."""

    def __init__(self, source: str, values: Mapping[str, float]) -> None:
        self.source = source
        self.values = values
        self.nodes: list[Node] = []
        self.inputs: dict[str, int] = {}

    def add(self, op: str, label: str, symbol: str, parents: Sequence[int], operation: Operation | None = None,
            value: float | None = None) -> int:
        node = Node(len(self.nodes), op, label, symbol, tuple(parents))
        if operation is not None:
            operands = [self.nodes[p].value for p in parents]
            try:
                node.value = float(operation.forward(*operands))
                node.local_derivatives = tuple(float(d) for d in operation.local(*operands))
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                raise NotComputable(f"'{label}' is undefined at these values") from None
            node.at_kink = bool(operation.kink(*operands))
        else:
            node.value = float(value)  # type: ignore[arg-type]
        self.nodes.append(node)
        return node.id

    def fragment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or self.source

    def visit(self, node: ast.expr) -> int:
        if not self._uses_variables(node):
            return self.add("const", self.fragment(node), self.fragment(node), (), value=self._constant(node))
        if isinstance(node, ast.Name):
            if node.id not in self.inputs:
                self.inputs[node.id] = self.add("input", node.id, node.id, (), value=float(self.values[node.id]))
            return self.inputs[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = self.visit(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            return self.add("neg", self.fragment(node), _NEGATE.symbol, (operand,), _NEGATE)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow) and not self._uses_variables(node.right):
                return self._constant_power(node)
            op_name, operation = _BINARY[type(node.op)]
            left, right = self.visit(node.left), self.visit(node.right)
            return self.add(op_name, self.fragment(node), operation.symbol, (left, right), operation)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            operation = _FUNCTIONS[node.func.id]
            operands = [self.visit(arg) for arg in node.args]
            return self.add(node.func.id, self.fragment(node), operation.symbol, operands, operation)
        raise NotComputable(f"'{self.fragment(node)}' is not part of the expression language")

    def _constant_power(self, node: ast.BinOp) -> int:
        """a ** c with a constant c: one node of one operand, as micrograd's __pow__."""
        exponent = self._constant(node.right)
        base = self.visit(node.left)
        power = Operation(
            f"**{_short(exponent)}", lambda a: a**exponent, lambda a: (exponent * a ** (exponent - 1),)
        )
        return self.add("pow_const", self.fragment(node), power.symbol, (base,), power)

    def _uses_variables(self, node: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id in self.values for n in ast.walk(node))

    def _constant(self, node: ast.AST) -> float:
        """The float value of a subtree without variables."""
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            return _NAMED_CONSTANTS[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = self._constant(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        try:
            if isinstance(node, ast.BinOp):
                return float(_BINARY[type(node.op)][1].forward(self._constant(node.left), self._constant(node.right)))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                return float(_FUNCTIONS[node.func.id].forward(*(self._constant(a) for a in node.args)))
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            pass
        raise NotComputable(f"'{self.fragment(node)}' is not a finite real constant")


def _short(value: float) -> str:
    """2.0 -> '2', 0.5 -> '0.5'."""
    return str(int(value)) if float(value).is_integer() else repr(value)
