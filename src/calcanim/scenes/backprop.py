"""backprop: the forward and the backward pass on an expression's computation graph, micrograd style."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    BackgroundRectangle,
    Circumscribe,
    Create,
    FadeIn,
    FadeOut,
    Mobject,
    ReplacementTransform,
    RoundedRectangle,
    VGroup,
    Write,
    always_redraw,
)

from calcanim.numerics.computation_graph import Node
from calcanim.params.backprop import BackpropParams
from calcanim.plans.backprop import ENDING_SECONDS, INTRO_SECONDS, TURN_SECONDS, BackpropPlan, Edge
from calcanim.scenes.base import MARGIN, CalcanimScene
from calcanim.scenes.frame_tools import FrameTimed
from calcanim.scenes.function_plot import FONT_TEXT, FONT_TICK, fit_width, words

#: Up to this many nodes every edge keeps its local derivative on screen; beyond, the labels would
#: crowd the boxes, so each shows only while its product travels back.
PERSISTENT_EDGE_LABELS = 12
#: Between the lines of a node box, and between its text and its border.
LINE_GAP = 0.05
BOX_PAD = 0.08
#: Smallest clear space between two node boxes.
BOX_GAP = 0.15
#: Between the heights of closed-up columns (see staggered_centres): room for an edge's arrow to show.
STAGGER_GAP = 0.4
#: Drawing order of the grad travelling back along an edge: over the edges (-1), under the boxes and texts (0).
TRAVEL_Z = -0.5
#: Text sizes tried in turn, largest first: (node label, numbers). The last is the legible minimum
#: (CalcanimScene.font never goes below 2% of the short side).
TEXT_SIZES = ((FONT_TEXT, FONT_TICK), (FONT_TICK, 23), (22, 20), (19, 18))
#: Clear space kept around an edge label: from boxes and other text, and from edge lines (arrow tips are wide).
LABEL_CLEARANCE = 0.05
LINE_CLEARANCE = 0.09


def node_tex(node: Node) -> str:
    """How a node is labelled: x1 -> x_{1}, pow_const '**2' -> (.)^2, functions by their TeX name."""
    if node.op == "input":
        match = re.fullmatch(r"([A-Za-z]+)_?(\d+)", node.label)
        if match:
            return f"{match.group(1)}_{{{match.group(2)}}}"
        name = node.label.replace("_", r"\_")
        return name if len(name) == 1 else r"\mathrm{" + name + "}"
    if node.op == "const":
        return {"pi": r"\pi", "e": "e"}.get(node.label, node.label.replace("**", "^").replace("*", r"\cdot "))
    if node.op == "pow_const":
        return rf"(\cdot)^{{{node.symbol[2:]}}}"
    return node.symbol


def typed_tex(text: str) -> str:
    """The expression as typed, in typewriter type (TeX's specials escaped)."""
    escaped = text.replace("\\", "").replace("_", r"\_").replace("{", "").replace("}", "").replace("^", "")
    escaped = escaped.replace("%", r"\%").replace("&", r"\&").replace("#", r"\#").replace("$", r"\$")
    return r"\texttt{" + escaped + "}"


def border_point(box: Mobject, towards: np.ndarray) -> np.ndarray:
    """Where the line from the box's centre to ``towards`` leaves the box."""
    centre = box.get_center()
    direction = towards - centre
    half_w, half_h = box.width / 2, box.height / 2
    scale = min(half_w / max(abs(direction[0]), 1e-9), half_h / max(abs(direction[1]), 1e-9))
    return centre + direction * min(scale, 1.0)


def _assign_slots(order: list[int], columns: dict[int, list[int]], positions: dict[int, tuple[int, float]],
                  rows: float, slots: int, closed: list[bool], links: list[tuple[int, int]]) -> dict[int, int]:
    """Each node's slot: in its column's order, near its row, off the slots of a closed-up neighbour column,
    and joined to its parents there by neighbouring slots where it can be (a dynamic programme over columns:
    few slots, few columns)."""
    parents: dict[int, list[int]] = {}
    for parent, child in links:
        parents.setdefault(child, []).append(parent)

    def options(index: int) -> list[tuple[int, ...]]:
        return list(itertools.combinations(range(slots), len(columns[order[index]])))

    def own_cost(index: int, pick: tuple[int, ...]) -> float:
        nodes = columns[order[index]]
        return sum(abs(k - (positions[n][1] / rows * (slots - 1) if rows else (slots - 1) / 2)) for n, k in zip(nodes, pick))

    def join_cost(index: int, before: tuple[int, ...], pick: tuple[int, ...]) -> float:
        if not closed[index - 1]:
            return 0.0
        if set(before) & set(pick):
            return math.inf
        slot_before = dict(zip(columns[order[index - 1]], before))
        cost = 0.0
        for node, k in zip(columns[order[index]], pick):
            cost += sum(100.0 for p in parents.get(node, []) if p in slot_before and abs(slot_before[p] - k) > 1)
        return cost

    # best[index][pick] = (cost so far, the pick of the column before)
    best: list[dict[tuple[int, ...], tuple[float, tuple[int, ...] | None]]] = [
        {pick: (own_cost(0, pick), None) for pick in options(0)}
    ]
    for index in range(1, len(order)):
        layer: dict[tuple[int, ...], tuple[float, tuple[int, ...] | None]] = {}
        for pick in options(index):
            mine = own_cost(index, pick)
            cost, before = min(((c + join_cost(index, b, pick), b) for b, (c, _) in best[-1].items()), key=lambda x: x[0])
            layer[pick] = (cost + mine, before)
        best.append(layer)
    chosen: tuple[int, ...] | None = min(best[-1], key=lambda k: best[-1][k][0])
    slot_of: dict[int, int] = {}
    for index in range(len(order) - 1, -1, -1):
        assert chosen is not None
        slot_of.update(zip(columns[order[index]], chosen))
        chosen = best[index][chosen][1]
    return slot_of


def staggered_centres(positions: dict[int, tuple[int, float]], rows: float, links: list[tuple[int, int]],
                      box: tuple[float, float], span: tuple[float, float], height: tuple[float, float], gap: float,
                      slot_gap: float = STAGGER_GAP) -> dict[int, tuple[float, float]] | None:
    """Box centres for a graph too deep for its columns to stand apart: two neighbouring columns whose
    nodes fit the heights together close up to half a column's width and put their boxes on different
    heights; the others keep a full column apart. Heights are slots at least a box and ``slot_gap`` apart, each column's
    nodes in their order on the free slots nearest their rows. An edge (parent, child) between two closed-up
    columns must join neighbouring slots (else it would run behind a box): failing that, those columns stand
    a full width apart. None when it does not fit.

    >>> centres = staggered_centres({0: (0, 0.0), 1: (1, 0.0), 2: (2, 0.0)}, 0.0, [(0, 1), (1, 2)], (1.0, 0.5),
    ...                             (0.0, 2.0), (1.0, -1.0), 0.2)
    >>> [tuple(round(v, 2) for v in centres[k]) for k in range(3)]  # a chain zig-zags up and down
    [(0.0, 0.0), (1.0, 1.0), (2.0, 0.0)]
    """
    box_width, box_height = box
    (left, right), (top, bottom) = span, height
    slots = int((top - bottom) // (box_height + slot_gap)) + 1
    if slots < 2:
        return None
    heights = np.linspace(top, bottom, slots)
    columns: dict[int, list[int]] = {}
    for node_id, (column, row) in sorted(positions.items(), key=lambda item: (item[1][0], item[1][1])):
        columns.setdefault(column, []).append(node_id)
    order = sorted(columns)
    if any(len(columns[c]) > slots for c in order):
        return None
    # Weight 2: a full column's width between the two (their boxes may share heights); weight 1: closed up.
    weights = [1 if len(columns[a]) + len(columns[b]) <= slots else 2 for a, b in zip(order, order[1:])]
    while True:
        unit = (right - left) / max(sum(weights), 1)
        if 2 * unit < box_width + gap:
            return None
        closed = [w == 1 and unit < box_width + gap for w in weights]
        slot_of = _assign_slots(order, columns, positions, rows, slots, closed, links)
        index_of = {column: index for index, column in enumerate(order)}
        long_links = {min(index_of[positions[p][0]], index_of[positions[c][0]]) for p, c in links
                      if abs(index_of[positions[p][0]] - index_of[positions[c][0]]) == 1
                      and closed[min(index_of[positions[p][0]], index_of[positions[c][0]])]
                      and abs(slot_of[p] - slot_of[c]) > 1}
        if not long_links:
            break
        for pair in long_links:
            weights[pair] = 2
    xs = np.concatenate([[left], left + unit * np.cumsum(weights)])
    return {n: (float(xs[index_of[positions[n][0]]]), float(heights[k])) for n, k in slot_of.items()}


@dataclass
class GraphDrawing:
    """One way of drawing the graph: the flow direction, the box size, the node texts, the edges and
    where every edge label and sum note sits. ``problems`` counts the labels with no clear place."""

    across: bool  # levels run left to right (else top to bottom)
    box_width: float
    box_height: float
    line_size: float
    boxes: dict[int, RoundedRectangle]
    labels: dict[int, Mobject]
    edges: dict[tuple[int, int, int], Arrow]
    edge_labels: dict[tuple[int, int, int], Mobject] = field(default_factory=dict)
    notes: dict[int, Mobject] = field(default_factory=dict)
    problems: int = 0
    line_geometry: tuple[float, float] = (0.0, 0.0)  # a number's height and the label line's height
    compact: bool = False  # numbers without their approx signs (the legend says they are rounded)


class BackpropScene(FrameTimed, CalcanimScene[BackpropParams, BackpropPlan]):
    """Values flow forward, gradients flow back: each edge multiplies by its local derivative."""

    def construct(self) -> None:
        self.start_clock()
        theme, pl, p = self.theme, self.plan, self.params
        fw = self.frame_width
        title = self.title()
        title.to_edge(UP, buff=MARGIN + 0.05)
        self.compact = False
        legend, drawing = self.lay_out(title, self.legend())
        if drawing.compact:  # numbers without their approx signs: the legend says once that they are rounded
            compact_legend, compact_drawing = self.lay_out(title, self.legend(pl.rounded_note_tex), compact_only=True)
            if compact_drawing.compact and compact_drawing.problems <= drawing.problems:
                legend, drawing = compact_legend, compact_drawing
            else:
                legend, drawing = self.lay_out(title, self.legend(), plain_only=True)
        self.compact = drawing.compact
        self.drawing = drawing
        self.line_geometry = drawing.line_geometry  # the chosen drawing's, not the last one tried
        self.boxes, labels, self.edges = drawing.boxes, drawing.labels, drawing.edges
        self.values, self.grads = {}, {}
        for node in pl.nodes:
            self.values[node.id] = self.line(self.boxes[node.id], 1, pl.value_tex(node, self.compact), theme.text)
        graph = VGroup(*self.edges.values(), *self.boxes.values(), *labels.values())

        self.caption(f"The computation graph of {p.expression}: one node per input and per operation.",
                     INTRO_SECONDS)
        self.timed_play(INTRO_SECONDS * 0.5, Write(title), FadeIn(legend))
        self.timed_play(INTRO_SECONDS * 0.5, Create(graph))

        self.caption("Forward pass: each node computes its value from its inputs, left to right."
                     if drawing.across else "Forward pass: each node computes its value from its inputs, top to "
                     "bottom.", pl.forward_seconds)
        for node in pl.nodes:
            self.timed_play(p.step_seconds, FadeIn(self.values[node.id]),
                            Circumscribe(self.boxes[node.id], color=theme.point, buff=0.06))

        output = pl.graph.output
        self.caption("Backward pass: start with grad 1 at the output, d out / d out = 1.", TURN_SECONDS)
        self.grads[output.id] = self.line(self.boxes[output.id], 2, pl.grad_tex(output, compact=self.compact), theme.reference)
        self.timed_play(TURN_SECONDS, FadeIn(self.grads[output.id]))

        self.caption("Each edge multiplies the child's grad by its local derivative; the product lands on the "
                     "parent, and a node feeding several others adds what comes back.", pl.backward_seconds)
        received: dict[int, int] = {}
        self.passing_notes: list[Mobject] = []
        for edge, key in zip(pl.edges, self.edge_keys(), strict=True):
            self.backward_step(edge, key, received)

        self.caption(f"Every input now holds d out / d input: {pl.grads_caption()}.", ENDING_SECONDS)
        self.timed_wait(ENDING_SECONDS)

    def lay_out(self, title: Mobject, legend: VGroup, compact_only: bool = False,
                plain_only: bool = False) -> tuple[VGroup, GraphDrawing]:
        """The legend at the bottom, the sum row above it, and the graph fitted between them and the title."""
        legend.to_edge(DOWN, buff=MARGIN + 0.05)
        self.obstacles: list[Mobject] = [title, legend]
        top, bottom = title.get_bottom()[1] - 0.3, legend.get_top()[1] + 0.3
        #: A row above the legend for "grad x = a + b" when a node adds what several consumers send back.
        self.sum_row = legend.get_top()[1] + 0.2 + self.font(FONT_TICK) / 120
        if any(self.plan.sum_tex(node) is not None for node in self.plan.nodes):
            bottom = self.sum_row + 0.15 + self.font(FONT_TICK) / 120 + 0.2
        return legend, self.fit_graph(top, bottom, compact_only=compact_only, plain_only=plain_only)

    def title(self) -> VGroup:
        """"Backpropagation on" and the expression as typed: one line if it fits, else the expression
        below, broken at its spaces into lines that fit (never shrunk below legible)."""
        room = self.frame_width - 2 * MARGIN
        head = words(self, "Backpropagation on", size=FONT_TEXT)
        expression = self.math(typed_tex(self.params.expression), size=FONT_TEXT)
        one = VGroup(head, expression).arrange(RIGHT, buff=0.25)
        if one.width <= room:
            return one
        lines: list[Mobject] = []
        line: list[str] = []
        for word in self.params.expression.split():
            wider = self.math(typed_tex(" ".join([*line, word])), size=FONT_TEXT)
            if line and wider.width > room:
                lines.append(self.math(typed_tex(" ".join(line)), size=FONT_TEXT))
                line = [word]
            else:
                line.append(word)
        lines.append(self.math(typed_tex(" ".join(line)), size=FONT_TEXT))
        return fit_width(VGroup(head, *lines).arrange(DOWN, buff=0.12), room)

    def legend(self, note: str | None = None) -> VGroup:
        """What the three colours mean: one line if it fits, else two, else three; ``note`` (TeX) after the
        last item, on its line if there is room, else on a line of its own."""
        theme, fw = self.theme, self.frame_width
        items = [
            words(self, "value: forward", size=FONT_TICK),
            VGroup(words(self, "grad", size=FONT_TICK, colour=theme.reference),
                   self.math(r"= \partial\,\mathrm{out} / \partial\,\mathrm{node}", size=FONT_TICK,
                             colour=theme.reference),
                   words(self, ": backward", size=FONT_TICK, colour=theme.reference)).arrange(RIGHT, buff=0.1),
            VGroup(words(self, "on each edge:", size=FONT_TICK, colour=theme.accent),
                   self.math(r"\times\,\partial\,\mathrm{child} / \partial\,\mathrm{parent}", size=FONT_TICK,
                             colour=theme.accent)).arrange(RIGHT, buff=0.1),
        ]
        room = fw - 2 * MARGIN
        if note is not None:
            remark = self.math(note, size=FONT_TICK, colour=theme.muted)
            last = VGroup(items[2], remark).arrange(RIGHT, buff=0.5)
            items = [items[0], items[1], last if last.width <= room else VGroup(items[2], remark).arrange(DOWN, buff=0.15)]
        one = VGroup(*items).arrange(RIGHT, buff=0.6)
        if one.width <= room and not self.portrait:
            return one
        two = VGroup(VGroup(items[0], items[1]).arrange(RIGHT, buff=0.5), items[2]).arrange(DOWN, buff=0.15)
        if two[0].width <= room and not self.portrait:
            return two
        three = VGroup(*items).arrange(DOWN, buff=0.15, aligned_edge=LEFT)
        return fit_width(three, room)

    def edge_keys(self) -> list[tuple[int, int, int]]:
        """The drawn edge of each of the plan's edges, in the plan's order (an input used twice by one
        operation, x*x, has two edges between the same nodes)."""
        keys: list[tuple[int, int, int]] = []
        used: dict[tuple[int, int], int] = {}
        for edge in self.plan.edges:
            slot = used.get((edge.parent, edge.child), -1) + 1
            used[(edge.parent, edge.child)] = slot
            matching = [k for k in self.edges if k[0] == edge.parent and k[1] == edge.child]
            keys.append(matching[min(slot, len(matching) - 1)])
        return keys

    # --- layout -------------------------------------------------------------------------------

    def fit_graph(self, top: float, bottom: float, compact_only: bool = False, plain_only: bool = False) -> GraphDrawing:
        """The first drawing, largest text first, in the frame's own direction first (left to right in
        landscape, top to bottom in portrait) and then in the other, whose boxes keep apart and whose
        every label has a clear place; failing that, the one with the fewest problems. Where no drawing's
        boxes keep apart, the numbers go without their approx signs (narrower boxes) before boxes are squeezed
        onto each other; ``compact_only``: only those, ``plain_only``: never those."""
        if compact_only:
            return self.compact_drawing(top, bottom) or self.squeezed(top, bottom)
        best: GraphDrawing | None = None
        directions = (False, True) if self.portrait else (True, False)
        for across in directions:
            for label_size, line_size in TEXT_SIZES:
                drawing = self.draw_graph(across, label_size, line_size, top, bottom)
                if drawing is not None and drawing.problems == 0:
                    return drawing
                if drawing is not None and (best is None or drawing.problems < best.problems):
                    best = drawing
        if best is None or best.problems:
            # Too deep for its columns to stand apart (a 2-layer neuron with its loss at 1:1): neighbouring
            # columns close up and interleave, their boxes on alternate heights, still read left to right.
            # Heights STAGGER_GAP apart first (the arrows between them show), else only BOX_GAP apart.
            for slot_gap, (label_size, line_size) in itertools.product((STAGGER_GAP, BOX_GAP), TEXT_SIZES):
                drawing = self.draw_graph(True, label_size, line_size, top, bottom, stagger=slot_gap)
                if drawing is not None and (best is None or drawing.problems < best.problems):
                    best = drawing
                if best is not None and best.problems == 0:
                    return best
        if best is None and not plain_only:
            best = self.compact_drawing(top, bottom)
        return best if best is not None else self.squeezed(top, bottom)

    def compact_drawing(self, top: float, bottom: float) -> GraphDrawing | None:
        """Closed-up columns with the numbers written without their approx signs (a 2-unit net at 1:1: its
        "approx -0.8408" boxes are too wide for 8 columns), the first whose labels all find a place, else the
        one with the fewest problems; None when even these boxes meet."""
        self.compact = True
        best: GraphDrawing | None = None
        for slot_gap, (label_size, line_size) in itertools.product((STAGGER_GAP, BOX_GAP), TEXT_SIZES):
            drawing = self.draw_graph(True, label_size, line_size, top, bottom, stagger=slot_gap)
            if drawing is not None and (best is None or drawing.problems < best.problems):
                best = drawing
            if best is not None and best.problems == 0:
                break
        self.compact = False
        return best

    def squeezed(self, top: float, bottom: float) -> GraphDrawing:
        """Boxes collide in every drawing: the smallest text, boxes squeezed."""
        self.compact = False
        drawing = self.draw_graph(not self.portrait, *TEXT_SIZES[-1], top, bottom, squeeze=True)
        assert drawing is not None
        return drawing

    def node_texts(self, line_size: float) -> tuple[float, float]:
        """Widest and tallest number a node box holds (values, every partial grad) at ``line_size``."""
        pl = self.plan
        compact = self.compact
        texts = {pl.value_tex(n, compact) for n in pl.nodes} | {pl.grad_tex(n, compact=compact) for n in pl.nodes}
        for node in pl.nodes:
            texts |= {pl.grad_tex(node, k, compact) for k in range(1, len(pl.exact.contributions[node.id]))}
        sizes = [self.math(t, size=line_size) for t in texts]
        return max(m.width for m in sizes), max(m.height for m in sizes)

    def draw_graph(self, across: bool, label_size: float, line_size: float, top: float, bottom: float,
                   squeeze: bool = False, stagger: float = 0.0) -> GraphDrawing | None:
        """One drawing of the graph, None where two boxes would meet. ``stagger`` > 0: closed-up columns
        (staggered_centres) with their heights that far apart."""
        theme, pl = self.theme, self.plan
        labels = {}
        for node in pl.nodes:
            labels[node.id] = self.math(node_tex(node), size=label_size if node.op in ("input", "const") else
                                        label_size + 4, colour=theme.curve if node.op == "input" else theme.text)
        number_width, number_height = self.node_texts(line_size)
        label_height = max(max(m.height for m in labels.values()), number_height)
        box_width = max(number_width, *(m.width for m in labels.values())) + 2 * BOX_PAD
        box_height = label_height + 2 * number_height + 2 * LINE_GAP + 2 * BOX_PAD
        self.line_geometry = (number_height, label_height)
        left = -self.frame_width / 2 + MARGIN + box_width / 2
        right = self.frame_width / 2 - MARGIN - box_width / 2
        top, bottom = top - box_height / 2, bottom + box_height / 2
        layout = pl.layout
        centres = {}
        if stagger:
            links = [(parent, node.id) for node in pl.nodes for parent in node.parents]
            staggered = staggered_centres(layout.positions, layout.rows, links, (box_width, box_height), (left, right),
                                          (top, bottom), BOX_GAP, stagger)
            if staggered is None:
                return None
            centres = {node_id: np.array([x, y, 0.0]) for node_id, (x, y) in staggered.items()}
        for node_id, (column, row) in layout.positions.items():
            if stagger:
                break
            level = column / (layout.columns - 1) if layout.columns > 1 else 0.5
            spread = row / layout.rows if layout.rows else 0.5
            if across:
                centres[node_id] = np.array([left + (right - left) * level, top - (top - bottom) * spread, 0.0])
            else:
                centres[node_id] = np.array([left + (right - left) * spread, top - (top - bottom) * level, 0.0])
        ids = list(centres)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                dx, dy = np.abs(centres[a] - centres[b])[:2]
                if dx < box_width + BOX_GAP and dy < box_height + BOX_GAP and not squeeze:
                    return None
        boxes = {}
        for node in pl.nodes:
            box = RoundedRectangle(corner_radius=0.1, width=box_width, height=box_height,
                                   stroke_color=theme.curve if node.op != "const" else theme.muted,
                                   stroke_width=theme.stroke(2.5), fill_color=theme.background, fill_opacity=1)
            box.move_to(centres[node.id])
            labels[node.id].move_to(box.get_top() + DOWN * (BOX_PAD + label_height / 2))
            boxes[node.id] = box
        edges = {}
        for node in pl.nodes:
            for slot, parent in enumerate(node.parents):
                a, b = boxes[parent], boxes[node.id]
                start, end = (a.get_right(), b.get_left()) if across else (a.get_bottom(), b.get_top())
                if stagger and end[0] - start[0] < 0.35:  # interleaved neighbours: from border to border
                    start, end = border_point(a, b.get_center()), border_point(b, a.get_center())
                edges[(parent, node.id, slot)] = Arrow(
                    start, end, buff=0.05, color=theme.muted, stroke_width=theme.stroke(2.5),
                    max_tip_length_to_length_ratio=0.15, tip_length=0.14).set_z_index(-1)  # boxes hide it
        drawing = GraphDrawing(across, box_width, box_height, line_size, boxes, labels, edges,
                               line_geometry=(number_height, label_height), compact=self.compact)
        self.place_labels(drawing)
        return drawing

    def place_labels(self, drawing: GraphDrawing) -> None:
        """Every edge's factor beside its edge where nothing else on screen at the same time is (a dense
        graph shows a factor during its own step only), and every sum in the row kept for it."""
        pl = self.plan
        dense = len(pl.nodes) > PERSISTENT_EDGE_LABELS
        received: dict[int, int] = {}
        for edge, key in zip(pl.edges, self.edge_keys_of(drawing), strict=True):
            label = self.factor_label(edge, drawing.line_size)
            shown = [] if dense else list(drawing.edge_labels.values())
            placed = self.place_edge_label(label, drawing.edges[key], drawing, shown)
            if placed is None:
                drawing.problems += 1
            elif placed == "over edges":  # a dense graph's crossing edges: a plate hides them under the label
                plate = BackgroundRectangle(label, color=self.theme.background, fill_opacity=1, buff=0.03)
                label = VGroup(plate, label)
            drawing.edge_labels[key] = label
            received[edge.parent] = received.get(edge.parent, 0) + 1
            sum_tex = pl.sum_tex(pl.nodes[edge.parent])
            if sum_tex is None or received[edge.parent] < len(pl.exact.contributions[edge.parent]):
                continue
            node = pl.nodes[edge.parent]
            note = self.math(rf"\mathrm{{grad}}\ {node_tex(node)} {sum_tex}", size=drawing.line_size,
                             colour=self.theme.reference)
            fit_width(note, self.frame_width - 2 * MARGIN)
            note.move_to(np.array([0.0, self.sum_row, 0.0]))
            drawing.notes[edge.parent] = note

    def edge_keys_of(self, drawing: GraphDrawing) -> list[tuple[int, int, int]]:
        self.edges = drawing.edges
        return self.edge_keys()

    def factor_label(self, edge: Edge, size: float) -> Mobject:
        factor = self.plan.factor_tex(edge, self.compact)
        if factor.startswith(r"\approx "):  # "times about 0.5": \approx as a symbol, not a relation
            factor = r"{\approx}\,{" + factor.removeprefix(r"\approx ") + "}"
        return self.math(rf"\times\,{{{factor}}}", size=size, colour=self.theme.accent)

    def place_edge_label(self, label: Mobject, arrow: Arrow, drawing: GraphDrawing,
                         others: list[Mobject]) -> str | None:
        """Beside the edge, off it: nearest the middle first, on the outer side first, then farther out
        and nearer either end. "clear" when nothing else is there; in a dense graph, "over edges" when
        only other edges cross the place; None when no place is clear (left beside the middle)."""
        for only_own_edge in (False, True) if len(self.plan.nodes) > PERSISTENT_EDGE_LABELS else (False,):
            if self.find_place(label, arrow, drawing, others, only_own_edge):
                return "over edges" if only_own_edge else "clear"
        start, end = arrow.get_start(), arrow.get_end()
        direction = end - start
        # Closed-up columns may leave no room beside a short edge: the clear spot nearest its middle.
        middle = start + 0.5 * direction
        offsets = [np.array([dx, dy, 0.0]) for dx in np.arange(-1.8, 1.81, 0.15) for dy in np.arange(-1.2, 1.21, 0.1)]
        nearest_first = sorted(offsets, key=lambda o: float(np.hypot(o[0], o[1])))
        for over_edges in (False, True):  # over other edges, on a plate, only where nothing else is clear
            for offset in nearest_first:
                label.move_to(middle + offset)
                if abs(label.get_x()) + label.width / 2 > self.frame_width / 2 - MARGIN:
                    continue
                if self.is_clear(label, drawing, others, [arrow] if over_edges else None):
                    return "over edges" if over_edges else "clear"
        normal = np.array([-direction[1], direction[0], 0.0]) / (float(np.linalg.norm(direction[:2])) or 1.0)
        reach = 0.5 * (abs(label.width * normal[0]) + abs(label.height * normal[1])) + LINE_CLEARANCE
        label.move_to(start + 0.5 * direction + normal * reach)
        self.keep_inside(label)
        return None

    def find_place(self, label: Mobject, arrow: Arrow, drawing: GraphDrawing, others: list[Mobject],
                   only_own_edge: bool) -> bool:
        start, end = arrow.get_start(), arrow.get_end()
        direction = end - start
        length = float(np.linalg.norm(direction[:2])) or 1.0
        normal = np.array([-direction[1], direction[0], 0.0]) / length
        if drawing.across:  # above the edge first
            if normal[1] < 0 or (abs(normal[1]) < 1e-9 and normal[0] < 0):
                normal = -normal
        elif (normal[0] > 0) != (start[0] < end[0] - 1e-6):  # portrait: on the side the edge comes from
            normal = -normal
        for gap in (0.06, 0.16, 0.3, 0.5, 0.7):
            for along in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9):
                for side in (1.0, -1.0):
                    n = side * normal
                    # the label's half extent along the normal, so its near edge sits ``gap`` off the line
                    reach = 0.5 * (abs(label.width * n[0]) + abs(label.height * n[1])) + LINE_CLEARANCE + gap
                    label.move_to(start + along * direction + n * reach)
                    self.keep_inside(label)
                    if self.is_clear(label, drawing, others, [arrow] if only_own_edge else None):
                        return True
        return False

    def keep_inside(self, mobject: Mobject) -> None:
        """Shift sideways so nothing comes within MARGIN of the frame's left or right edge."""
        limit = self.frame_width / 2 - MARGIN
        mobject.shift(RIGHT * max(0.0, -limit - mobject.get_left()[0]) + LEFT * max(0.0, mobject.get_right()[0] - limit))

    def is_clear(self, label: Mobject, drawing: GraphDrawing, others: list[Mobject],
                 edges: list[Arrow] | None = None) -> bool:
        """No node box, title, legend or other label comes within LABEL_CLEARANCE of the label, and no
        edge line (of ``edges``, default all) within LINE_CLEARANCE."""
        c = LABEL_CLEARANCE
        left, right = label.get_left()[0] - c, label.get_right()[0] + c
        bottom, top = label.get_bottom()[1] - c, label.get_top()[1] + c
        for box in [*drawing.boxes.values(), *others, *self.obstacles]:
            if box.get_left()[0] < right and left < box.get_right()[0] and box.get_bottom()[1] < top and bottom < box.get_top()[1]:
                return False
        c = LINE_CLEARANCE
        left, right = label.get_left()[0] - c, label.get_right()[0] + c
        bottom, top = label.get_bottom()[1] - c, label.get_top()[1] + c
        for arrow in drawing.edges.values() if edges is None else edges:
            a, b = arrow.get_start()[:2], arrow.get_end()[:2]
            for t in np.linspace(0.0, 1.0, 61):
                x, y = a + t * (b - a)
                if left < x < right and bottom < y < top:
                    return False
        return True

    # --- drawing ------------------------------------------------------------------------------

    def line(self, box: Mobject, index: int, tex: str, colour: str) -> Mobject:
        """Text on line ``index`` (1 value, 2 grad) of a node's box, below the node's label."""
        number_height, label_height = self.line_geometry
        text = self.math(tex, size=self.drawing.line_size, colour=colour)
        fit_width(text, self.drawing.box_width - 2 * BOX_PAD)
        offset = BOX_PAD + label_height + LINE_GAP + (index - 1) * (number_height + LINE_GAP) + number_height / 2
        text.move_to(box.get_top() + DOWN * offset)
        return text

    def backward_step(self, edge: Edge, key: tuple[int, int, int], received: dict[int, int]) -> None:
        theme, pl = self.theme, self.plan
        arrow = self.edges[key]
        label = self.drawing.edge_labels[key]
        parent = pl.nodes[edge.parent]
        received[edge.parent] = received.get(edge.parent, 0) + 1
        new_grad = self.line(self.boxes[edge.parent], 2, pl.grad_tex(parent, received[edge.parent], self.compact), theme.reference)
        moving = self.grads[edge.child].copy()
        old = self.grads.get(edge.parent)
        steps = self.params.step_seconds
        # The parent's old grad leaves first; then the child's grad travels back along the edge and turns
        # into the parent's new one (one number at a time in the slot, never two on top of each other).
        dense = len(pl.nodes) > PERSISTENT_EDGE_LABELS  # a dense graph: a factor shows during its own step only
        done = received[edge.parent] == len(parent.contributions)
        note = self.drawing.notes.get(edge.parent) if done else None
        leaving = self.passing_notes if note is not None else []  # the sum row's last note gives way
        if note is not None:
            self.passing_notes = []
        self.timed_play(steps * 0.25, FadeIn(label), arrow.animate.set_color(theme.accent),
                        *([FadeOut(old)] if old is not None else []), *(FadeOut(n) for n in leaving))
        self.remove(*leaving)
        if old is not None:
            self.remove(old)
        # The travelling number carries a backing in the background colour: edges it flies over pass under it,
        # not through it. Both go under the boxes and every text (TRAVEL_Z): the number slides out of the
        # child's box and into the parent's, and never covers a box's text or an edge's factor on its way.
        backing = always_redraw(lambda: BackgroundRectangle(moving, color=theme.background, fill_opacity=1,
                                                            buff=0.03).set_z_index(TRAVEL_Z))
        moving.set_z_index(TRAVEL_Z)
        self.add(backing, moving)
        self.timed_play(steps * 0.55, ReplacementTransform(moving, new_grad))
        # A stretch shorter than a frame plays nothing: set the end state whether or not it played.
        self.remove(backing, moving, *([old] if old is not None else []))
        self.add(label, new_grad)
        arrow.set_color(theme.accent)
        self.grads[edge.parent] = new_grad
        extras: list[Any] = []
        if note is not None:
            extras.append(FadeIn(note))
        if dense:
            extras.append(FadeOut(label))
        self.timed_play(steps * 0.2, arrow.animate.set_color(theme.muted), *extras)
        arrow.set_color(theme.muted)
        if note is not None:
            self.add(note)
            self.passing_notes = [note]
        if dense:
            self.remove(label)
