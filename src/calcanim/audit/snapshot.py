"""What the auditor sees at one moment of a clip: text boxes, stroked lines and opaque covers, in
pixels of a 1080p-equivalent frame (the short side is 1080 px). Plain data; no manim here.

Lines painted into a rasterised view (calcanim.raster) are strokes too, clipped to the view; a text
over such a view carries the colours of the pixels under it (``backdrop_samples``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from calcanim.style.contrast import RGB

#: (left, top, right, bottom) in pixels, y growing downwards.
PixelBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class TextItem:
    """One visible text, number or formula."""

    key: int  # stable for the life of the mobject (its id)
    label: str  # what it says and where, for reports: "'y = x' at (812, 140) px"
    box: PixelBox
    height: float  # digit height at its font size, px (see calcanim.style.text_size)
    colours: tuple[RGB, ...]  # each part's fill colour blended with its opacity over its backdrop
    backdrop: RGB
    order: int  # drawing order: later ones are painted over earlier ones
    #: (n, 3) colours of the rendered pixels under the box, where it lies over a rasterised view (else None:
    #: ``backdrop`` is all there is under it)
    backdrop_samples: np.ndarray | None = field(default=None, compare=False)


@dataclass(frozen=True)
class StrokeItem:
    """One stroked curve or line (not part of a text), sampled as short straight segments."""

    key: int
    label: str
    segments: np.ndarray  # (n, 2, 2): start and end (x, y) of each segment, px
    colours: tuple[RGB, ...]  # stroke colour(s) blended with the stroke opacity over the background
    order: int
    decorative: bool = False  # the theme's grid colour: neither checked for contrast nor for crossing
    clip: PixelBox | None = None  # drawn only inside this box (a rasterised view's drawing area)
    check_contrast: bool = True  # False for lines painted over a raster's own colours, not the background


@dataclass(frozen=True)
class Cover:
    """An opaque filled rectangle or image: what lies under it (drawn earlier) is hidden."""

    box: PixelBox
    order: int
    colour: RGB


@dataclass
class Snapshot:
    """Everything visible at ``time`` seconds. ``settled``: at the end of an animation or a wait,
    where size and colour are judged (mid-animation texts may be half faded or half written)."""

    time: float
    settled: bool
    width: float
    height: float
    background: RGB
    texts: list[TextItem] = field(default_factory=list)
    strokes: list[StrokeItem] = field(default_factory=list)
    covers: list[Cover] = field(default_factory=list)
