"""Where each node of a computation graph sits: a column (inputs left, output right) and a row.

An operation's column is one past its furthest operand; an input or constant sits one column
before its first consumer (as micrograd's drawings put b beside the last sum). Within a column the
nodes follow the order the expression was written: an operation sits at the mean row of its
operands, pushed apart from its column neighbours by at least one row. When that grows taller than
a screen holds, each column's nodes are instead ranked in that order and spaced one row apart,
centred, so a column of n nodes spans n - 1 rows whatever the expression's shape.

>>> import ast
>>> from calcanim.numerics.computation_graph import build_graph
>>> g = build_graph(ast.parse("a*b + c", mode="eval").body, "a*b + c", {"a": 1.0, "b": 2.0, "c": 3.0})
>>> layout = layout_graph(g)
>>> [(n.label, layout.positions[n.id]) for n in g.nodes]
[('a', (0, 0.0)), ('b', (0, 1.0)), ('a*b', (1, 0.5)), ('c', (1, 2.0)), ('a*b + c', (2, 1.25))]
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from calcanim.numerics.computation_graph import Graph

#: Smallest row gap between two nodes of one column.
ROW_GAP = 1.0
#: Rows a graph may span before its columns are ranked and centred instead (what fits one screen).
COMPACT_SPAN = 4


@dataclass(frozen=True)
class GraphLayout:
    #: node id -> (column, row); rows start at 0 and grow downward.
    positions: dict[int, tuple[int, float]]

    @property
    def columns(self) -> int:
        return 1 + max(c for c, _ in self.positions.values())

    @property
    def rows(self) -> float:
        """Span of the rows (0 for a single row)."""
        return max(r for _, r in self.positions.values())

    @property
    def most_in_a_column(self) -> int:
        return max(Counter(c for c, _ in self.positions.values()).values())


def layout_graph(graph: Graph) -> GraphLayout:
    columns: dict[int, int] = {}
    for node in graph.nodes:
        columns[node.id] = 1 + max((columns[p] for p in node.parents), default=-1)
    for node in graph.nodes:
        if not node.parents:
            consumers = [columns[c] for c in graph.children(node.id)]
            columns[node.id] = max(0, min(consumers, default=1) - 1)
    rows: dict[int, float] = {}
    next_leaf_row = 0.0
    for node in graph.nodes:
        if not node.parents:
            rows[node.id] = next_leaf_row
            next_leaf_row += ROW_GAP
        else:
            rows[node.id] = sum(rows[p] for p in node.parents) / len(node.parents)
    widest = max(Counter(columns.values()).values())
    spread = _pushed_apart(rows, columns)
    if max(spread.values()) - min(spread.values()) <= max(widest - 1, COMPACT_SPAN) * ROW_GAP:
        rows = spread  # each operation between its operands, as micrograd draws it
    else:  # too tall: rank the nodes of each column in that order, centred, one row apart
        ranked: dict[int, float] = {}
        for column in sorted(set(columns.values())):
            members = sorted((rows[i], i) for i, c in columns.items() if c == column)
            first = (widest - len(members)) / 2 * ROW_GAP
            for rank, (_, node_id) in enumerate(members):
                ranked[node_id] = first + rank * ROW_GAP
        rows = ranked
    top = min(rows.values())
    return GraphLayout({i: (columns[i], rows[i] - top) for i in columns})


def _pushed_apart(rows: dict[int, float], columns: dict[int, int]) -> dict[int, float]:
    """The rows, with nodes of one column pushed down until they are at least ROW_GAP apart."""
    result = dict(rows)
    for column in sorted(set(columns.values())):
        previous = None
        for row, node_id in sorted((rows[i], i) for i, c in columns.items() if c == column):
            if previous is not None and row < previous + ROW_GAP:
                row = previous + ROW_GAP
            result[node_id] = row
            previous = row
    return result
