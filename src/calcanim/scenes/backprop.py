"""backprop: the forward and the backward pass on an expression's computation graph, micrograd style."""

from __future__ import annotations

import re

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    Circumscribe,
    Mobject,
    ReplacementTransform,
    RoundedRectangle,
    VGroup,
    Write,
)

from calcanim.numerics.computation_graph import Node
from calcanim.params.backprop import BackpropParams
from calcanim.plans.backprop import ENDING_SECONDS, INTRO_SECONDS, TURN_SECONDS, BackpropPlan, Edge
from calcanim.scenes.base import MARGIN, CalcanimScene
from calcanim.scenes.frame_tools import FrameTimed
from calcanim.scenes.function_plot import FONT_TEXT, FONT_TICK, fit_width, words

BOX_WIDTH = 1.3
BOX_WIDTH_PORTRAIT = 1.15
#: Up to this many nodes every edge keeps its local derivative on screen; beyond, the labels would
#: crowd the boxes, so each shows only while its product travels back.
PERSISTENT_EDGE_LABELS = 12
LINE_GAP = 0.08


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


class BackpropScene(FrameTimed, CalcanimScene[BackpropParams, BackpropPlan]):
    """Values flow forward, gradients flow back: each edge multiplies by its local derivative."""


    def construct(self) -> None:
        self.start_clock()
        theme, pl, p = self.theme, self.plan, self.params
        fw, fh = self.frame_width, self.frame_height
        title = VGroup(words(self, "Backpropagation on", size=FONT_TEXT), self.math(typed_tex(p.expression),
                                                                                    size=FONT_TEXT))
        title.arrange(RIGHT, buff=0.25)
        if title.width > fw - 2 * MARGIN:
            title.arrange(DOWN, buff=0.15)
        fit_width(title, fw - 2 * MARGIN)
        title.to_edge(UP, buff=MARGIN + 0.05)
        legend = VGroup(
            words(self, "value: forward", size=FONT_TICK),
            VGroup(words(self, "grad", size=FONT_TICK, colour=theme.reference),
                   self.math(r"= \partial\,\mathrm{out} / \partial\,\mathrm{node}", size=FONT_TICK,
                             colour=theme.reference),
                   words(self, ": backward", size=FONT_TICK, colour=theme.reference)).arrange(RIGHT, buff=0.1),
            VGroup(words(self, "on each edge:", size=FONT_TICK, colour=theme.accent),
                   self.math(r"\partial\,\mathrm{child} / \partial\,\mathrm{parent}", size=FONT_TICK,
                             colour=theme.accent)).arrange(RIGHT, buff=0.1),
        )
        legend.arrange(RIGHT, buff=0.6)
        if self.portrait or legend.width > fw - 2 * MARGIN:  # one line would not fit at a legible size
            legend.arrange(DOWN, buff=0.18, aligned_edge=LEFT)
        fit_width(legend, fw - 2 * MARGIN)
        legend.to_edge(DOWN, buff=MARGIN + 0.05)

        top, bottom = title.get_bottom()[1] - 0.35, legend.get_top()[1] + 0.35
        self.boxes, self.values, self.grads, labels = {}, {}, {}, {}
        box_height = self.box_height()
        centres = self.centres(top - box_height / 2, bottom + box_height / 2)
        for node in pl.nodes:
            box = RoundedRectangle(corner_radius=0.12, width=self.box_width, height=box_height,
                                   stroke_color=theme.curve if node.op != "const" else theme.muted,
                                   stroke_width=theme.stroke(2.5), fill_color=theme.background, fill_opacity=1)
            box.move_to(centres[node.id])
            label = self.math(node_tex(node), size=FONT_TEXT if node.op in ("input", "const") else FONT_TEXT + 4,
                              colour=theme.curve if node.op == "input" else theme.text)
            label.move_to(box.get_top() + DOWN * (0.08 + 0.15))
            self.boxes[node.id], labels[node.id] = box, label
            self.values[node.id] = self.line(box, 1, pl.number_tex(node.value), theme.text)
        self.edges: dict[tuple[int, int, int], Arrow] = {}
        self.edge_labels: dict[tuple[int, int, int], Mobject] = {}
        for node in pl.nodes:
            for slot, parent in enumerate(node.parents):
                key = (parent, node.id, slot)
                self.edges[key] = self.arrow(parent, node.id)
        graph = VGroup(*self.edges.values(), *self.boxes.values(), *labels.values())

        self.caption(f"The computation graph of {p.expression}: one node per input and per operation.",
                     INTRO_SECONDS)
        self.timed_play(INTRO_SECONDS * 0.5, Write(title), FadeIn(legend))
        self.timed_play(INTRO_SECONDS * 0.5, Create(graph))

        self.caption("Forward pass: each node computes its value from its inputs, left to right.", pl.forward_seconds)
        for node in pl.nodes:
            self.timed_play(p.step_seconds, FadeIn(self.values[node.id]),
                            Circumscribe(self.boxes[node.id], color=theme.point, buff=0.06))

        output = pl.graph.output
        self.caption(f"Backward pass: start with grad 1 at the output, d out / d out = 1.", TURN_SECONDS)
        self.grads[output.id] = self.line(self.boxes[output.id], 2, pl.number_tex(1.0), theme.reference)
        self.timed_play(TURN_SECONDS, FadeIn(self.grads[output.id]))

        self.caption("Each edge multiplies the child's grad by its local derivative; the product lands on the "
                     "parent, and a node feeding several others adds what comes back.", pl.backward_seconds)
        received: dict[int, list[float]] = {}
        used_slots: dict[tuple[int, int], int] = {}
        for edge in pl.edges:
            slot = used_slots.get((edge.parent, edge.child), -1) + 1
            used_slots[(edge.parent, edge.child)] = slot
            keys = [k for k in self.edges if k[0] == edge.parent and k[1] == edge.child]
            key = keys[min(slot, len(keys) - 1)]
            self.backward_step(edge, key, received)

        grads = ", ".join(f"{n.label}: {n.grad:.4g}" for n in pl.graph.inputs())
        self.caption(f"Every input now holds d out / d input: {grads}.", ENDING_SECONDS)
        self.timed_wait(ENDING_SECONDS)

    @property
    def box_width(self) -> float:
        """Narrower in portrait, where a level's nodes sit side by side across 8 units."""
        return BOX_WIDTH_PORTRAIT if self.portrait else BOX_WIDTH

    def box_height(self) -> float:
        """Three lines: the label, the value, the grad."""
        return 3 * 0.2 + 2 * LINE_GAP + 0.3

    def centres(self, top: float, bottom: float) -> dict[int, np.ndarray]:
        """Screen centres of the nodes: columns left to right (landscape) or top to bottom (portrait)."""
        layout = self.plan.layout
        fw = self.frame_width
        columns, rows = layout.columns, layout.rows
        left, right = -fw / 2 + MARGIN + self.box_width / 2 + 0.1, fw / 2 - MARGIN - self.box_width / 2 - 0.1
        centres = {}
        for node_id, (column, row) in layout.positions.items():
            if self.portrait:
                across = left + (right - left) * (row / rows if rows else 0.5)
                down = top - (top - bottom) * (column / (columns - 1) if columns > 1 else 0.5)
                centres[node_id] = np.array([across, down, 0.0])
            else:
                across = left + (right - left) * (column / (columns - 1) if columns > 1 else 0.5)
                down = top - (top - bottom) * (row / rows if rows else 0.5)
                centres[node_id] = np.array([across, down, 0.0])
        return centres

    def line(self, box: Mobject, index: int, tex: str, colour: str) -> Mobject:
        """Text on line ``index`` (0 label, 1 value, 2 grad) of a node's box."""
        text = self.math(tex, size=FONT_TICK, colour=colour)
        fit_width(text, self.box_width - 0.12)
        text.move_to(box.get_top() + DOWN * (0.15 + 0.15 + index * (0.2 + LINE_GAP)))
        return text

    def arrow(self, parent: int, child: int) -> Arrow:
        a, b = self.boxes[parent], self.boxes[child]
        if self.portrait:
            start, end = a.get_bottom(), b.get_top()
        else:
            start, end = a.get_right(), b.get_left()
        return Arrow(start, end, buff=0.05, color=self.theme.muted, stroke_width=self.theme.stroke(2.5),
                     max_tip_length_to_length_ratio=0.12, tip_length=0.16)

    def keep_inside(self, mobject: Mobject) -> None:
        """Shift sideways so nothing comes within MARGIN of the frame's left or right edge."""
        limit = self.frame_width / 2 - MARGIN
        mobject.shift(RIGHT * max(0.0, -limit - mobject.get_left()[0]) + LEFT * max(0.0, mobject.get_right()[0] - limit))

    def place_edge_label(self, label: Mobject, arrow: Arrow) -> None:
        """Landscape: beside the edge's middle, above it. Portrait (edges run down and converge on the child):
        near the child's end, on the side the edge comes from, so two edges into one child keep apart."""
        start, end = arrow.get_start(), arrow.get_end()
        if self.portrait:
            first = LEFT if start[0] < end[0] - 1e-6 else RIGHT
            for buff in (0.12, 0.3, 0.55):
                for along in (0.7, 0.5, 0.85, 0.3, 0.15):
                    for side in (first, -first):
                        label.next_to(start + along * (end - start), side, buff=buff)
                        self.keep_inside(label)
                        if self.label_is_clear(label):
                            return
            label.next_to(start + 0.7 * (end - start), first, buff=0.12)
            self.keep_inside(label)
            return
        direction = end - start
        normal = np.array([-direction[1], direction[0], 0.0])
        normal /= np.linalg.norm(normal) or 1.0
        if normal[1] < 0 or (abs(normal[1]) < 1e-9 and normal[0] < 0):
            normal = -normal
        # Beside the edge's middle, above it; if another edge or a box runs through it there, the first
        # of: below, then nearer either end, on either side.
        for along in (0.5, 0.35, 0.65):
            for side in (1.0, -1.0):
                label.move_to(start + along * (end - start) + side * normal * (0.22 + 0.5 * abs(label.width * normal[0])))
                if self.label_is_clear(label):
                    return
        label.move_to((start + end) / 2 + normal * (0.22 + 0.5 * abs(label.width * normal[0])))

    def label_is_clear(self, label: Mobject) -> bool:
        """No edge (as a straight line), node box or factor already shown comes within 0.04 units of the label."""
        left, right = label.get_left()[0] - 0.04, label.get_right()[0] + 0.04
        bottom, top = label.get_bottom()[1] - 0.04, label.get_top()[1] + 0.04
        for box in [*self.boxes.values(), *self.edge_labels.values()]:
            if box.get_left()[0] < right and left < box.get_right()[0] and box.get_bottom()[1] < top and bottom < box.get_top()[1]:
                return False
        for arrow in self.edges.values():
            a, b = arrow.get_start()[:2], arrow.get_end()[:2]
            for t in np.linspace(0.0, 1.0, 41):
                x, y = a + t * (b - a)
                if left < x < right and bottom < y < top:
                    return False
        return True

    def backward_step(self, edge: Edge, key: tuple[int, int, int], received: dict[int, list[float]]) -> None:
        theme, pl = self.theme, self.plan
        arrow = self.edges[key]
        factor = pl.number_tex(edge.local_derivative)
        label = self.math(rf"\times\,{{{factor}}}", size=FONT_TICK, colour=theme.accent)
        self.place_edge_label(label, arrow)
        self.edge_labels[key] = label
        parent = pl.nodes[edge.parent]
        received.setdefault(edge.parent, []).append(edge.contribution)
        total = sum(received[edge.parent])
        new_grad = self.line(self.boxes[edge.parent], 2, pl.number_tex(total), theme.reference)
        moving = self.grads[edge.child].copy()
        old = self.grads.get(edge.parent)
        steps = self.params.step_seconds
        # The parent's old grad leaves first; then the child's grad travels back along the edge and turns
        # into the parent's new one (one number at a time in the slot, never two on top of each other).
        self.timed_play(steps * 0.25, FadeIn(label), arrow.animate.set_color(theme.accent),
                        *([FadeOut(old)] if old is not None else []))
        if old is not None:
            self.remove(old)
        self.timed_play(steps * 0.55, ReplacementTransform(moving, new_grad))
        # A stretch shorter than a frame plays nothing: set the end state whether or not it played.
        self.remove(moving, *([old] if old is not None else []))
        self.add(label, new_grad)
        arrow.set_color(theme.accent)
        self.grads[edge.parent] = new_grad
        done = len(received[edge.parent]) == len(parent.contributions)
        extras = []
        note = None
        if done and len(parent.contributions) > 1:
            sum_tex = pl.sum_tex(parent)
            note = self.math(rf"\Sigma = {sum_tex}", size=FONT_TICK, colour=theme.reference)
            box = self.boxes[edge.parent]
            note.next_to(box, DOWN if not self.portrait else LEFT, buff=0.08)
            self.keep_inside(note)
            extras.append(FadeIn(note))
        dense = len(pl.nodes) > PERSISTENT_EDGE_LABELS  # a dense graph: a factor shows during its own step only
        if dense:
            extras.append(FadeOut(label))
        self.timed_play(steps * 0.2, arrow.animate.set_color(theme.muted), *extras)
        arrow.set_color(theme.muted)
        if note is not None:
            self.add(note)
        if dense:
            self.remove(label)
            self.edge_labels.pop(key, None)
