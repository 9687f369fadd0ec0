"""What the rasterizer draws, in pixel coordinates: one small typed item per stroke or fill, each
drawing itself on a Cairo context. The 3D surface renderer sorts them with the surface's faces
(painter's order); the contour renderer draws them in the order given.

Each item also names the lines it strokes (:meth:`lines`, as :class:`StrokedLine`), so the layout
audit can check texts placed over a raster against them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cairo
import numpy as np

RGB = tuple[float, float, float]
#: A pixel position: two floats, or a numpy array of two.
Pixel = Sequence[float] | np.ndarray


@dataclass(frozen=True, slots=True)
class StrokedLine:
    """Straight pieces an item strokes, for the layout audit: their pixel ends, colour and what they
    are ("path", "arrow", "cross", "level line", "frame")."""

    segments: np.ndarray  # (n, 2, 2): start and end (x, y) of each piece, pixels
    colour: RGB
    kind: str


def _line(kind: str, colour: Sequence[float], *ends: tuple[Pixel, Pixel]) -> StrokedLine:
    r, g, b = (float(c) for c in colour[:3])
    segments = np.array([[[float(a[0]), float(a[1])], [float(b[0]), float(b[1])]] for a, b in ends])
    return StrokedLine(segments, (r, g, b), kind)


@dataclass(frozen=True, slots=True)
class Segment:
    """A straight stroke from ``a`` to ``b``; ``colour`` may carry an alpha as a fourth value."""

    a: Pixel
    b: Pixel
    colour: tuple[float, ...]
    width: float
    dashed: bool = False
    kind: str = "path"  # what it is, for the audit's reports: "path", "level line", "frame", "axis"

    def lines(self) -> list[StrokedLine]:
        return [_line(self.kind, self.colour, (self.a, self.b))]

    def draw(self, ctx: cairo.Context[cairo.ImageSurface], line_scale: float = 1.0) -> None:
        r, g, b, *alpha = self.colour
        if alpha:
            ctx.set_source_rgba(r, g, b, alpha[0])
        else:
            ctx.set_source_rgb(r, g, b)
        ctx.set_line_width(self.width)
        if self.dashed:
            ctx.set_dash([self.width * 2.0, self.width * 1.6])
        ctx.move_to(*self.a)
        ctx.line_to(*self.b)
        ctx.stroke()
        if self.dashed:
            ctx.set_dash([])


@dataclass(frozen=True, slots=True)
class Disc:
    """A shaded ball: a filled disc with an outline and a small highlight."""

    centre: Pixel
    colour: RGB
    radius: float
    outline: RGB

    def lines(self) -> list[StrokedLine]:
        return []  # a ball, not a line

    def draw(self, ctx: cairo.Context[cairo.ImageSurface], line_scale: float = 1.0) -> None:
        x, y, radius = float(self.centre[0]), float(self.centre[1]), self.radius
        ctx.arc(x, y, radius, 0, 2 * np.pi)
        ctx.set_source_rgb(*self.colour)
        ctx.fill_preserve()
        ctx.set_source_rgb(*self.outline)
        ctx.set_line_width(max(1.0, radius * 0.28))
        ctx.stroke()
        ctx.arc(x - radius * 0.3, y - radius * 0.3, radius * 0.3, 0, 2 * np.pi)
        ctx.set_source_rgba(1, 1, 1, 0.55)
        ctx.fill()


@dataclass(frozen=True, slots=True)
class CrossMark:
    """An x of half-size ``size`` centred on a point (a minimum, or where a run left the domain)."""

    centre: Pixel
    colour: RGB
    size: float
    width: float

    def lines(self) -> list[StrokedLine]:
        x, y, size = float(self.centre[0]), float(self.centre[1]), self.size
        return [_line("cross", self.colour, ((x - size, y - size), (x + size, y + size)),
                      ((x - size, y + size), (x + size, y - size)))]

    def draw(self, ctx: cairo.Context[cairo.ImageSurface], line_scale: float = 1.0) -> None:
        x, y, size = float(self.centre[0]), float(self.centre[1]), self.size
        ctx.set_source_rgb(*self.colour)
        ctx.set_line_width(self.width)
        ctx.move_to(x - size, y - size)
        ctx.line_to(x + size, y + size)
        ctx.move_to(x - size, y + size)
        ctx.line_to(x + size, y - size)
        ctx.stroke()


def path_sides(ctx: cairo.Context[cairo.ImageSurface], corners: Sequence[Pixel] | np.ndarray, edges: int) -> None:
    """Add to the path the sides of a polygon whose bit is set in ``edges`` (bit k: corner k to corner k + 1),
    ready for one stroke."""
    count = len(corners)
    for side in range(count):
        if edges >> side & 1:
            ctx.move_to(*corners[side])
            ctx.line_to(*corners[(side + 1) % count])


@dataclass(frozen=True, slots=True)
class Quad:
    """A translucent polygon (one face of a patch), with an optional edge colour."""

    corners: Sequence[Pixel] | np.ndarray
    colour: tuple[float, ...]
    opacity: float
    edge: RGB | None = None
    #: Which sides get the edge colour, a bit per side from corner k to k + 1 (1, 2, 4, 8); 15 is all four.
    edges: int = 15

    def lines(self) -> list[StrokedLine]:
        return []  # a translucent face; its edge is a faint mesh line, like the surface's wireframe

    def draw(self, ctx: cairo.Context[cairo.ImageSurface], line_scale: float = 1.0) -> None:
        corners = self.corners
        ctx.move_to(*corners[0])
        for corner in corners[1:]:
            ctx.line_to(*corner)
        ctx.close_path()
        r, g, b = self.colour
        ctx.set_source_rgba(r, g, b, self.opacity)
        ctx.fill()
        if self.edge is None or not self.edges:
            return
        ctx.set_source_rgba(*self.edge, min(1.0, self.opacity + 0.2))
        ctx.set_line_width(0.8 * line_scale)
        path_sides(ctx, corners, self.edges)
        ctx.stroke()


@dataclass(frozen=True, slots=True)
class ArrowSegment:
    """A stroke from ``a`` to ``b`` with a filled head at ``b`` (an optimizer step)."""

    a: Pixel
    b: Pixel
    colour: RGB
    width: float

    def lines(self) -> list[StrokedLine]:
        return [_line("arrow", self.colour, (self.a, self.b))]

    def draw(self, ctx: cairo.Context[cairo.ImageSurface], line_scale: float = 1.0) -> None:
        a, b = np.asarray(self.a, dtype=float), np.asarray(self.b, dtype=float)
        direction = b - a
        length = float(np.hypot(direction[0], direction[1]))
        ctx.set_source_rgb(*self.colour)
        ctx.set_line_width(self.width)
        if length < 1e-6:
            return
        unit = direction / length
        head = min(self.width * 3.2, length * 0.5)
        base = b - unit * head
        ctx.move_to(*a)
        ctx.line_to(*base)
        ctx.stroke()
        normal = np.array([-unit[1], unit[0]])
        ctx.move_to(*b)
        ctx.line_to(*(base + normal * head * 0.55))
        ctx.line_to(*(base - normal * head * 0.55))
        ctx.close_path()
        ctx.fill()


DrawItem = Segment | Disc | CrossMark | Quad | ArrowSegment
