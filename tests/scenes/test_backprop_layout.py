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


#: Issue 12 review: a two-unit net (8 columns, two of 4 nodes) at 1:1 drew its boxes on top of each other.
USER_NET = {"expression": "(tanh(w1*x + b1)*v1 + tanh(w2*x + b2)*v2 - y)**2",
            "values": {"x": 0.5, "w1": 0.8, "b1": 0.1, "w2": -0.6, "b2": 0.3, "v1": 1.2, "v2": -0.7, "y": 1.0}}


@pytest.mark.parametrize(("values", "span", "height", "slot_gap", "box"), [
    (NEURON_LOSS, (-3.35, 3.35), (2.04, -2.04), STAGGER_GAP, (1.24, 0.94)),  # 1:1, boxes 1.24 x 0.94
    (TWO_UNITS, (-4.69, 4.69), (2.04, -1.36), BOX_GAP, (1.24, 0.94)),  # 4:3 with the sum row
    # 1:1 (8 x 8 units, margin 0.45) between the title's 3 lines and the legend's 2 and the sum row, at the
    # smallest legible text: boxes 0.95 x 0.85 once the numbers go without their approx signs (1.2 wide with)
    (USER_NET, (-3.075, 3.075), (1.725, -1.405), BOX_GAP, (0.95, 0.85)),
])
def test_closed_up_columns_keep_boxes_apart_and_read_left_to_right(values: dict, span: tuple, height: tuple,
                                                                    slot_gap: float, box: tuple) -> None:
    p = plan(BackpropParams.from_mapping(values))
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


def test_the_two_unit_net_does_not_fit_1_1_with_its_approx_signs() -> None:
    """Why the 1:1 drawing drops the approx signs: 8 columns, 4 heights, boxes 1.2 wide ("approx -0.8408" at the
    smallest legible size) leave no closed-up layout (columns of 3 + 4 and 4 + 2 nodes cannot share 4 heights, so
    too many neighbours stand a full column apart for 6.1 units)."""
    p = plan(BackpropParams.from_mapping(USER_NET))
    links = [(parent, node.id) for node in p.nodes for parent in node.parents]
    assert staggered_centres(p.layout.positions, p.layout.rows, links, (1.2, 0.85), (-2.95, 2.95), (1.725, -1.405),
                             BOX_GAP, BOX_GAP) is None


def test_compact_numbers_drop_only_the_approx_sign_and_the_legend_says_they_are_rounded() -> None:
    """tanh(0.8 * 0.5 + 0.1) = tanh(0.5) = 0.46211715726... -> 0.4621 (mpmath at 50 digits); 0.5 is exact."""
    import mpmath

    mpmath.mp.dps = 50
    p = plan(BackpropParams.from_mapping(USER_NET))
    tanh_node = next(n for n in p.nodes if n.op == "tanh" and "w1" in n.label)
    reference = mpmath.nstr(mpmath.tanh(mpmath.mpf("0.5")), 4, strip_zeros=False)
    assert p.value_tex(tanh_node) == rf"\approx {reference}" and p.value_tex(tanh_node, compact=True) == reference
    add_node = next(n for n in p.nodes if n.op == "add" and n.label == "w1*x + b1")
    assert p.value_tex(add_node) == p.value_tex(add_node, compact=True) == "0.5"
    assert p.rounded_note_tex == r"\text{all rounded to 4 places}"
    assert "1 place}" in plan(BackpropParams.from_mapping({**USER_NET, "decimals": 1})).rounded_note_tex


def test_the_two_unit_net_is_clean_at_1_1() -> None:
    """Before: 28 findings (boxes squeezed onto each other); the audit's own checks, at 1:1."""
    report = audit_clip("backprop", "1:1", "dark", BackpropParams.from_mapping({**USER_NET, "step_seconds": 0.2}))
    assert report.findings == [], [f.detail for f in report.findings][:3]

