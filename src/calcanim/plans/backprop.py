"""The numbers the backprop clip shows: every node's value and grad, every edge's local derivative,
where each node sits, and when each step of the forward and backward passes plays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calcanim.correctly_rounded import decimal_readout
from calcanim.expr import parse_syntax_tree
from calcanim.numerics.computation_graph import Graph, Node, NotComputable, build_graph
from calcanim.numerics.graph_exact import ExactGraph, Number, exact_graph
from calcanim.numerics.graph_layout import GraphLayout, layout_graph
from calcanim.params.backprop import MAX_DEPTH, MAX_NODES, MAX_PER_COLUMN, BackpropParams
from calcanim.plans.base import plan_header

INTRO_SECONDS = 2.0
#: Between the forward and the backward pass.
TURN_SECONDS = 1.5
ENDING_SECONDS = 3.0


@dataclass(frozen=True)
class Edge:
    """parent -> child, with d child / d parent and the grad it sends back: grad(child) * local
    (floats for the animation; the shown digits come from the exact values beside them)."""

    parent: int
    child: int
    local_derivative: float
    contribution: float
    exact_local_derivative: Number
    exact_contribution: Number

    def to_json(self) -> dict[str, Any]:
        return {"parent": self.parent, "child": self.child, "local_derivative": self.local_derivative,
                "contribution": self.contribution}


@dataclass(frozen=True)
class BackpropPlan:
    params: BackpropParams
    graph: Graph
    layout: GraphLayout
    exact: ExactGraph
    #: In the order the backward pass visits them: from the output back, each child's parents in turn.
    edges: tuple[Edge, ...]

    @property
    def nodes(self) -> list[Node]:
        return self.graph.nodes

    @property
    def forward_seconds(self) -> float:
        return self.params.step_seconds * len(self.nodes)

    @property
    def backward_seconds(self) -> float:
        return self.params.step_seconds * len(self.edges)

    @property
    def duration(self) -> float:
        return INTRO_SECONDS + self.forward_seconds + TURN_SECONDS + self.backward_seconds + ENDING_SECONDS

    @property
    def poster_time(self) -> float:
        """The end: every value, every local derivative and every grad on screen."""
        return self.duration - 0.5

    def number_tex(self, exact: Number, compact: bool = False) -> str:
        """A number as a node or an edge shows it: rounded once to ``decimals`` places from its exact
        value, after \\approx when that rounding changed it (``compact``: without it, for a graph too wide
        for its frame; rounded_note_tex then says so once for every number)."""
        is_exact, text = decimal_readout(exact, self.params.decimals)
        return text if is_exact or compact else rf"\approx {text}"

    @property
    def rounded_note_tex(self) -> str:
        """What the compact numbers are: the one line that stands in for every \\approx they leave out."""
        places = "place" if self.params.decimals == 1 else "places"
        return rf"\text{{all rounded to {self.params.decimals} {places}}}"

    def value_tex(self, node: Node, compact: bool = False) -> str:
        return self.number_tex(self.exact.values[node.id], compact)

    def grad_tex(self, node: Node, received: int | None = None, compact: bool = False) -> str:
        """The node's grad after its first ``received`` contributions came back (all by default)."""
        if node.id == self.graph.output.id or received is None:
            return self.number_tex(self.exact.grads[node.id], compact)
        return self.number_tex(self.exact.partial_grad(node.id, received), compact)

    def factor_tex(self, edge: Edge, compact: bool = False) -> str:
        return self.number_tex(edge.exact_local_derivative, compact)

    def sum_tex(self, node: Node) -> str | None:
        """'= a + b' (or '\\approx a + b' when a part is rounded) for a node whose grad collects several
        contributions, else None."""
        amounts = self.exact.contributions[node.id]
        if len(amounts) < 2:
            return None
        readouts = [decimal_readout(amount, self.params.decimals) for amount in amounts]
        parts = [text if not text.startswith("-") else f"({text})" for _, text in readouts]
        relation = "=" if all(is_exact for is_exact, _ in readouts) else r"\approx"
        return f"{relation} " + " + ".join(parts)

    def grads_caption(self) -> str:
        """The inputs' grads for the closing caption, in plain text: 'x1: ≈ -1.5000, w2: 0'."""
        return ", ".join(f"{n.label}: {plain_text(self.grad_tex(n))}" for n in self.graph.inputs())

    def to_json(self) -> dict[str, Any]:
        return {
            **plan_header(self.params),
            "output": self.graph.output.value,
            "inputs": {n.label: {"value": n.value, "grad": n.grad} for n in self.graph.inputs()},
            "nodes": [
                {"id": n.id, "op": n.op, "label": n.label, "value": n.value, "grad": n.grad, "parents": list(n.parents)}
                for n in self.nodes
            ],
            "edges": [e.to_json() for e in self.edges],
            "duration": self.duration,
        }


def plan(params: BackpropParams) -> BackpropPlan:
    """Compute every number the clip shows; a graph too big to lay out legibly is refused."""
    expression, tree = parse_syntax_tree(params.expression, tuple(params.values))
    try:
        graph = build_graph(tree, expression.text, params.values)
    except NotComputable as error:
        params.fail("values", f"{error}; choose other values")
    if len(graph.nodes) > MAX_NODES:
        params.fail("expression", f"makes a graph of {len(graph.nodes)} nodes; at most {MAX_NODES} lay out "
                                  f"legibly, so split it or drop terms")
    layout = layout_graph(graph)
    if layout.columns > MAX_DEPTH + 1:
        params.fail("expression", f"is {layout.columns - 1} operations deep; at most {MAX_DEPTH} lay out legibly")
    if layout.most_in_a_column > MAX_PER_COLUMN:
        params.fail("expression", f"puts {layout.most_in_a_column} nodes side by side; at most {MAX_PER_COLUMN} "
                                  f"lay out legibly")
    exact = exact_graph(graph, params.values)
    edges = []
    for node in reversed(graph.nodes):
        for slot, (parent_id, local) in enumerate(zip(node.parents, node.local_derivatives, strict=True)):
            edges.append(Edge(parent_id, node.id, local, node.grad * local, exact.local_derivatives[node.id][slot],
                              exact.contribution(node.id, parent_id, slot)))
    return BackpropPlan(params=params, graph=graph, layout=layout, exact=exact, edges=tuple(edges))


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def plain_text(tex: str) -> str:
    r"""A number's TeX as caption text: '\approx 2.9 \cdot 10^{-7}' -> '≈ 2.9·10⁻⁷'.

    >>> plain_text(r"\approx 2.9 \cdot 10^{-7}"), plain_text("-1.5"), plain_text("10^{12}")
    ('≈ 2.9·10⁻⁷', '-1.5', '10¹²')
    """
    text = tex.replace(r"\approx ", "≈ ").replace(r" \cdot ", "·")
    head, _, power = text.partition("10^{")
    return head + "10" + power.rstrip("}").translate(_SUPERSCRIPTS) if power else text
