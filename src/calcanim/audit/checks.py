"""The layout and colour rules, applied to one :class:`Snapshot` (pure geometry, no manim).

Thresholds follow issue 15: a 3% margin on every edge (3% of the width left and right, of the
height top and bottom), text at least 2% of the short side, text contrast 4.5:1, lines 3:1.
A text over a rasterised view is judged against the rendered pixels under it, not the theme's
background, and the lines painted into the view may cross it like any other line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calcanim.audit.snapshot import Cover, PixelBox, Snapshot, StrokeItem, TextItem
from calcanim.style.contrast import LINE_MIN_CONTRAST, TEXT_MIN_CONTRAST, contrast_ratio
from calcanim.style.text_size import MIN_TEXT_FRACTION

MARGIN_FRACTION = 0.03
#: Boxes must share more than this many pixels in both directions to count as overlapping, and a
#: line must pass this far inside a box to count as crossing it: glyph boxes are measured on Bezier
#: control points, which can stand a pixel or so outside the ink.
TOLERANCE_PX = 1.5

#: A text set at exactly the minimum size measures a hair under it (font sizes are read back from
#: heights); this much is forgiven.
SIZE_TOLERANCE_PX = 0.05

#: A text over a rasterised view may have this share (percent) of the pixels under its box below the
#: contrast threshold: antialiased edges, a line crossing it (``crossed`` reports that on its own).
BACKDROP_PERCENTILE = 10

KINDS = ("overlap", "crossed", "outside", "too_small", "low_contrast")


@dataclass(frozen=True)
class Hit:
    """One rule broken at one moment. ``key`` identifies the same problem across moments."""

    kind: str
    key: tuple[object, ...]
    what: str
    detail: str
    severity: float  # how bad, in the rule's own unit (px, ratio), for picking the worst moment


def check(snapshot: Snapshot) -> list[Hit]:
    """Every rule on one moment; size and colour only where the moment is settled."""
    hits = overlaps(snapshot.texts) + crossings(snapshot.texts, snapshot.strokes, snapshot.covers)
    hits += outside(snapshot.texts, snapshot.width, snapshot.height)
    if snapshot.settled:
        hits += too_small(snapshot.texts, min(snapshot.width, snapshot.height))
        hits += low_contrast(snapshot.texts, snapshot.strokes, snapshot.background)
    return hits


def quote(label: str) -> str:
    return f"text {label}"


def intersection(a: PixelBox, b: PixelBox) -> tuple[float, float]:
    """Width and height of the common part of two boxes (negative when apart).

    >>> intersection((0, 0, 10, 10), (5, 8, 20, 20))
    (5, 2)
    """
    return min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])


def same_ink(a: TextItem, b: TextItem) -> bool:
    """A copy lying exactly on its original (same words, colours and box, to TOLERANCE_PX): both paint
    the same pixels, so the frame shows one legible text, not two overlapping ones. (A number that is
    about to travel is copied in place: on the copy's first frame the two coincide.)"""
    return (a.label == b.label and a.colours == b.colours
            and all(abs(p - q) <= TOLERANCE_PX for p, q in zip(a.box, b.box)))


def overlaps(texts: list[TextItem]) -> list[Hit]:
    hits = []
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if same_ink(a, b):
                continue
            w, h = intersection(a.box, b.box)
            if w > TOLERANCE_PX and h > TOLERANCE_PX:
                first, second = sorted((a, b), key=lambda t: t.key)
                hits.append(Hit(
                    "overlap", ("overlap", first.key, second.key), f"{quote(first.label)} and {quote(second.label)}",
                    f"boxes share {w:.0f} x {h:.0f} px", w * h,
                ))
    return hits


def segments_through_box(segments: np.ndarray, box: PixelBox) -> np.ndarray:
    """Which segments pass through the box (Liang-Barsky clipping, vectorised).

    >>> seg = np.array([[[0, 5], [20, 5]], [[0, 50], [20, 50]]], dtype=float)
    >>> segments_through_box(seg, (5, 0, 10, 10)).tolist()
    [True, False]
    """
    if len(segments) == 0:
        return np.zeros(0, dtype=bool)
    x0, y0 = segments[:, 0, 0], segments[:, 0, 1]
    dx, dy = segments[:, 1, 0] - x0, segments[:, 1, 1] - y0
    t_in, t_out = np.zeros(len(segments)), np.ones(len(segments))
    ok = np.ones(len(segments), dtype=bool)
    left, top, right, bottom = box
    for p, q in ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - top), (dy, bottom - y0)):
        parallel = p == 0
        ok &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        t_in = np.where(~parallel & (p < 0), np.maximum(t_in, r), t_in)
        t_out = np.where(~parallel & (p > 0), np.minimum(t_out, r), t_out)
    return ok & (t_in <= t_out)


def _shrunk(box: PixelBox, by: float) -> PixelBox:
    return box[0] + by, box[1] + by, box[2] - by, box[3] - by


def _common(a: PixelBox, b: PixelBox) -> PixelBox:
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def _contains(outer: PixelBox, inner: PixelBox) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


def crossings(texts: list[TextItem], strokes: list[StrokeItem], covers: list[Cover]) -> list[Hit]:
    hits = []
    for text in texts:
        inner = _shrunk(text.box, TOLERANCE_PX)
        if inner[0] >= inner[2] or inner[1] >= inner[3]:
            continue
        for stroke in strokes:
            if stroke.decorative or len(stroke.segments) == 0:
                continue
            if any(stroke.order < c.order < text.order and _contains(c.box, text.box) for c in covers):
                continue  # the line runs under an opaque backing drawn beneath the text
            if any(c.order == stroke.order > text.order for c in covers):
                continue  # the outline of an opaque shape drawn over the text: the text passes under it
            area = inner if stroke.clip is None else _common(inner, stroke.clip)
            if area[0] > area[2] or area[1] > area[3]:
                continue  # the text lies outside the view the line is drawn in
            seg = stroke.segments
            lo, hi = seg.min(axis=1), seg.max(axis=1)
            near = (hi[:, 0] >= area[0]) & (lo[:, 0] <= area[2]) & (hi[:, 1] >= area[1]) & (lo[:, 1] <= area[3])
            if near.any() and segments_through_box(seg[near], area).any():
                hits.append(Hit(
                    "crossed", ("crossed", stroke.key, text.key), f"{stroke.label} through {quote(text.label)}",
                    "a drawn line passes through the text's box", 1.0,
                ))
    return hits


def outside(texts: list[TextItem], width: float, height: float) -> list[Hit]:
    mx, my = MARGIN_FRACTION * width, MARGIN_FRACTION * height
    hits = []
    for text in texts:
        left, top, right, bottom = text.box
        over = {"left": mx - left, "top": my - top, "right": right - (width - mx), "bottom": bottom - (height - my)}
        edges = {edge: px for edge, px in over.items() if px > 0}
        if edges:
            gone = right <= 0 or bottom <= 0 or left >= width or top >= height
            where = ", ".join(f"{edge} by {px:.0f} px" for edge, px in edges.items())
            detail = ("entirely outside the frame" if gone else "reaches into the 3% margin") + f": {where}"
            hits.append(Hit("outside", ("outside", text.key), quote(text.label), detail, max(edges.values())))
    return hits


def too_small(texts: list[TextItem], short_side: float) -> list[Hit]:
    floor = MIN_TEXT_FRACTION * short_side
    return [
        Hit("too_small", ("too_small", t.key), quote(t.label),
            f"{t.height:.1f} px tall, below {floor:.1f} px (2% of the short side)", floor - t.height)
        for t in texts if t.height < floor - SIZE_TOLERANCE_PX
    ]


def low_contrast(texts: list[TextItem], strokes: list[StrokeItem], background: tuple[float, float, float]) -> list[Hit]:
    hits = []
    for t in texts:
        worst = min((text_contrast(c, t) for c in t.colours), default=21.0)
        if worst < TEXT_MIN_CONTRAST:
            against = "" if t.backdrop_samples is None else " against the rendered view under it"
            hits.append(Hit("low_contrast", ("low_contrast", t.key), quote(t.label),
                            f"text contrast {worst:.2f}:1{against}, below {TEXT_MIN_CONTRAST}:1", TEXT_MIN_CONTRAST - worst))
    for s in strokes:
        if s.decorative or not s.check_contrast:
            continue
        worst = min((contrast_ratio(c, background) for c in s.colours), default=21.0)
        if worst < LINE_MIN_CONTRAST:
            hits.append(Hit("low_contrast", ("low_contrast", s.key), s.label,
                            f"line contrast {worst:.2f}:1, below {LINE_MIN_CONTRAST}:1", LINE_MIN_CONTRAST - worst))
    return hits


def luminances(colours: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of (n, 3) sRGB colours in 0..1 (calcanim.style.contrast's, vectorised).

    >>> luminances(np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])).tolist()
    [1.0, 0.0]
    """
    linear = np.where(colours <= 0.04045, colours / 12.92, ((colours + 0.055) / 1.055) ** 2.4)
    return np.asarray(linear @ np.array([0.2126, 0.7152, 0.0722]))


def text_contrast(colour: tuple[float, float, float], text: TextItem) -> float:
    """Contrast of one of a text's colours with what lies under it: its backdrop colour, or the pixels
    of a rendered view under its box (all but the worst BACKDROP_PERCENTILE percent of them).

    >>> item = TextItem(key=1, label="x", box=(0, 0, 1, 1), height=30, colours=(), backdrop=(0, 0, 0), order=0,
    ...                 backdrop_samples=np.array([[0.0, 0.0, 0.0]] * 95 + [[1.0, 1.0, 1.0]] * 5))
    >>> round(text_contrast((1.0, 1.0, 1.0), item), 1)  # white on pixels 95% black
    21.0
    """
    if text.backdrop_samples is None or len(text.backdrop_samples) == 0:
        return contrast_ratio(colour, text.backdrop)
    own = float(luminances(np.array([colour]))[0])
    under = luminances(text.backdrop_samples)
    ratios = (np.maximum(own, under) + 0.05) / (np.minimum(own, under) + 0.05)
    return float(np.percentile(ratios, BACKDROP_PERCENTILE))
