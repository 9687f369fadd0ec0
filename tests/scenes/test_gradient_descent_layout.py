"""Where gradient-descent's views go: issue 15 review, the ravine's contour map was 2.8 of 8 units wide at 1:1."""

from __future__ import annotations

import itertools

import pytest

from calcanim.scenes.gradient_descent import clip_layout
from calcanim.style.rect import Rect

#: The body (the frame below the header, inside the margins) measured at each aspect, in manim units.
BODIES = {"16:9": Rect(0.0, -0.48, 13.28, 6.46), "1:1": Rect(0.0, -0.48, 7.42, 6.46), "4:3": Rect(0.0, -0.48, 9.93, 6.46)}


def _inside(inner: Rect, outer: Rect) -> bool:
    eps = 1e-9
    return (inner.left >= outer.left - eps and inner.right <= outer.right + eps
            and inner.bottom >= outer.bottom - eps and inner.top <= outer.top + eps)


def _apart(a: Rect, b: Rect) -> bool:
    return a.right <= b.left + 1e-9 or b.right <= a.left + 1e-9 or a.top <= b.bottom + 1e-9 or b.top <= a.bottom + 1e-9


def _map_width(rect: Rect, domain_aspect: float) -> float:
    """The drawn map's width: the widest 2:1 (say) picture in the rect, less about 0.8 for the tick labels."""
    return min(rect.width - 0.8, (rect.height - 0.55) * domain_aspect)


@pytest.mark.parametrize("aspect", list(BODIES))
@pytest.mark.parametrize("domain_aspect", [1.0, 2.0, 4.0])
def test_panels_stay_in_the_body_and_apart(aspect: str, domain_aspect: float) -> None:
    body = BODIES[aspect]
    layout = clip_layout(body, ["surface", "contour"], domain_aspect, portrait=False)
    rects = [*layout.views.values(), layout.legend, layout.inset]
    assert all(_inside(r, body) for r in rects)
    assert all(_apart(a, b) for a, b in itertools.combinations(rects, 2))
    assert all(r.width > 1.5 and r.height > 1.5 for r in rects)


def test_a_flat_map_gets_room_in_a_square_frame() -> None:
    """Side by side, the 2:1 ravine map had half of 7.42 less its tick labels: 2.76 units wide. Now 30% more."""
    body = BODIES["1:1"]
    layout = clip_layout(body, ["surface", "contour"], 2.0, portrait=False)
    assert _map_width(layout.views["contour"], 2.0) >= 1.3 * _map_width(Rect(0.0, 0.0, 3.56, 4.22), 2.0)
    surface = layout.views["surface"]
    assert min(surface.width, surface.height) >= 3.0  # the 3D view keeps room too
    # A square domain keeps the side-by-side layout, where its map is as tall as it is wide.
    square = clip_layout(body, ["surface", "contour"], 1.0, portrait=False)
    assert square.views["surface"].cy == pytest.approx(square.views["contour"].cy)
