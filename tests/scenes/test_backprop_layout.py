"""backprop's layout for graphs too deep for their columns (issue 15 review: a neuron with a squared-error
loss at 1:1 drew its boxes on top of each other)."""

from __future__ import annotations

import itertools

import pytest

from calcanim.audit.run import audit_clip
from calcanim.params.backprop import BackpropParams
from calcanim.plans.backprop import plan
from calcanim.scenes.backprop import BOX_GAP, STAGGER_GAP, staggered_centres

NEURON_LOSS = {"expression": "(sigmoid(w1*x1 + w2*x2 + b) - y)**2",
               "values": {"x1": 0.5, "x2": -1.5, "w1": 0.8, "w2": -0.4, "b": 0.1, "y": 1.0}}
TWO_UNITS = {"expression": "(sigmoid(v1*tanh(w1*x1 + b1) + v2*tanh(w2*x1 + b2)) - y)**2",
             "values": {"x1": 0.5, "w1": 0.8, "b1": 0.1, "w2": -0.6, "b2": 0.3, "v1": 1.2, "v2": -0.7, "y": 1.0}}


@pytest.mark.parametrize(("values", "span", "height", "slot_gap"), [
    (NEURON_LOSS, (-3.35, 3.35), (2.04, -2.04), STAGGER_GAP),  # 1:1, boxes 1.24 x 0.94
    (TWO_UNITS, (-4.69, 4.69), (2.04, -1.36), BOX_GAP),  # 4:3 with the sum row
])
def test_closed_up_columns_keep_boxes_apart_and_read_left_to_right(values: dict, span: tuple, height: tuple,
                                                                    slot_gap: float) -> None:
    p = plan(BackpropParams.from_mapping(values))
    box = (1.24, 0.94)
    links = [(parent, node.id) for node in p.nodes for parent in node.parents]
    centres = staggered_centres(p.layout.positions, p.layout.rows, links, box, span, height, BOX_GAP, slot_gap)
    assert centres is not None and set(centres) == {n.id for n in p.nodes}
    # inside the room given, every box
    assert all(span[0] - 1e-9 <= x <= span[1] + 1e-9 and height[1] - 1e-9 <= y <= height[0] + 1e-9
               for x, y in centres.values())
    # no two boxes meet: apart by a gap in x or in y
    for (a, (ax, ay)), (b, (bx, by)) in itertools.combinations(centres.items(), 2):
        assert abs(ax - bx) >= box[0] + BOX_GAP - 1e-9 or abs(ay - by) >= box[1] + slot_gap - 1e-9, (a, b)
    # left to right: every parent stands left of its child; a column's nodes share one x
    for parent, child in links:
        assert centres[parent][0] < centres[child][0]
    for column in {c for c, _ in p.layout.positions.values()}:
        assert len({centres[n][0] for n, (c, _) in p.layout.positions.items() if c == column}) == 1
    # an edge between two boxes that overlap in x joins neighbouring heights: nothing sits between them
    for parent, child in links:
        (px, py), (cx, cy) = centres[parent], centres[child]
        if abs(px - cx) < box[0] + BOX_GAP:
            between = [n for n, (x, y) in centres.items() if n not in (parent, child)
                       and abs(x - px) < box[0] + BOX_GAP and min(py, cy) < y < max(py, cy)]
            assert not between, (parent, child, between)


def test_a_neuron_with_its_loss_is_clean_at_1_1() -> None:
    """Before: 15 findings (boxes drawn over each other); the audit's own checks, at 1:1."""
    report = audit_clip("backprop", "1:1", "dark", BackpropParams.from_mapping({**NEURON_LOSS, "step_seconds": 0.2}))
    assert report.findings == [], [f.detail for f in report.findings][:3]
