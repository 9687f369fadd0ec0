"""Fast surface drawing for 3D clips: project with numpy, shade per face, sort once per frame and
rasterise everything (faces, paths riding on the surface, balls, tangent patches) in one Cairo pass.

Why not manim's ThreeDScene: it keeps every face as its own 3D VMobject, re-sorts and re-shades
them through manim's generic machinery every frame, which makes a turning camera several times
slower. Here one frame is one numpy projection, one argsort and a tight Cairo loop; painter's order
over faces *and* overlays keeps paths correctly hidden behind hills.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cairo
import numpy as np

from calcanim.numerics.projection import (
    Box,
    CameraPose,
    Projector,
    face_normals,
    fit_projector,
    grid_faces,
    lambert_intensity,
    painter_order,
    projector_for,
)
from calcanim.raster.canvas import Raster
from calcanim.raster.items import (
    RGB, ArrowSegment, CrossMark, Disc, DrawItem, Quad, Segment, StrokedLine, path_sides,
)

#: How much nearer the camera overlays count in painter's order (box units), so a path lying on a face wins.
OVERLAY_DEPTH_BIAS = 0.06
#: Added to the depth of overlays drawn on top of the surface whatever their real depth.
ON_TOP_DEPTH = 1e6
#: Overlays are lifted this much (box units) above the surface so their strokes are not half-buried.
OVERLAY_LIFT = 0.012
#: A patch face lying on the surface goes this far (box units of depth) after (before) the faces under it.
PATCH_TIE = 1e-6


@dataclass
class Polyline:
    """Domain points (x, y, z) to draw as a line riding on the surface; segments between two hidden points are skipped."""

    points: np.ndarray  # (n, 3) domain coordinates
    visible: np.ndarray  # (n,) bool
    colour: RGB
    width: float  # pixels
    dashed: bool = False
    ghost: float = 0.4  # opacity of the parts hidden behind the surface, drawn faintly on top (0: hide them)
    kind: str = "path"  # what it is, for the layout audit's reports ("path", "axis")


@dataclass
class Ball:
    point: np.ndarray  # (3,) domain coordinates
    colour: RGB
    radius: float  # pixels
    outline: RGB = (0.0, 0.0, 0.0)
    on_top: bool = False  # drawn after everything else


@dataclass
class Cross:
    point: np.ndarray
    colour: RGB
    size: float  # pixels
    width: float


@dataclass
class Arrow:
    """An arrow between two domain points (x, y, z), drawn over everything (e.g. a gradient)."""

    ends: np.ndarray  # (2, 3) domain coordinates: tail, tip
    colour: RGB
    width: float  # pixels


@dataclass
class Patch:
    """A translucent mesh (e.g. a tangent plane): (n, m, 3) domain points, drawn face by face in painter's order."""

    grid: np.ndarray
    colour: RGB
    opacity: float
    edge: RGB | None = None
    on_top: bool = False  # drawn over the surface (translucent), e.g. a tangent plane that lies under it
    depth_bias: float = 0.0  # box units nearer the camera in painter's order, where no surface lies under a face
    edge_every: int = 1  # an edge line every this many faces (and around the border), not round every face


@dataclass
class SurfaceStyle:
    low: RGB  # face colour at the bottom of the z range
    high: RGB  # ... and at the top
    background: RGB
    floor: RGB
    wire_every: int = 4  # a mesh line every this many faces (0: none)
    wire_strength: float = 0.45  # how far wire lines darken towards the background
    line_scale: float = 1.0  # multiplies every stroke width (pixels)


#: What may ride on a surface; each is split into pixel items by the renderer.
Overlay = Polyline | Ball | Cross | Arrow | Patch


def patch_edges(rows: int, columns: int, every: int) -> np.ndarray:
    """Edge bits (see :class:`~calcanim.raster.items.Quad`) for a rows x columns patch: every face's outline
    when ``every`` is 1, else a grid line every ``every`` faces and the border.

    >>> patch_edges(2, 2, 1).tolist()
    [15, 15, 15, 15]
    >>> patch_edges(3, 3, 2).reshape(3, 3).tolist()  # lines at rows/columns 0 and 2, and the far border
    [[9, 1, 11], [8, 0, 10], [13, 5, 15]]
    """
    if every <= 1:
        return np.full(rows * columns, 15, dtype=np.int64)
    r, c = np.divmod(np.arange(rows * columns), columns)
    return ((r % every == 0) * 1 + (c == columns - 1) * 2 + (r == rows - 1) * 4 + (c % every == 0) * 8).astype(np.int64)


@dataclass
class SurfaceRenderer:
    """Draws z = f(x, y) from a sampled grid, seen by a camera with fixed phi and any theta."""

    grid: tuple[np.ndarray, np.ndarray, np.ndarray]
    box: Box
    pixel_size: tuple[int, int]
    phi: float
    thetas: np.ndarray  # every theta the clip will use, so the fit never changes
    style: SurfaceStyle
    _cache: dict[object, object] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        xs, ys, zs = self.grid
        z0, z1 = self.box.z_range
        finite = np.isfinite(zs)
        vertices = self.box.to_box(xs, ys, np.where(finite, zs, z0))
        self.faces = grid_faces(vertices)
        corner_finite = grid_faces(np.stack([finite] * 3, axis=-1).astype(float))[:, :, 0] > 0
        above = grid_faces(np.stack([np.where(finite, zs, z1) >= z1] * 3, axis=-1).astype(float))[:, :, 0] > 0
        self.face_valid = corner_finite.all(axis=1) & ~above.all(axis=1)
        self.normals = face_normals(self.faces)
        height = (self.faces[:, :, 2].mean(axis=1) / self.box.height) + 0.5
        t = np.clip(height, 0, 1)[:, None]
        self.base_colours = (1 - t) * np.array(self.style.low) + t * np.array(self.style.high)
        self.centroids = self.faces.mean(axis=1)
        rows, cols = xs.shape[0] - 1, xs.shape[1] - 1
        every = self.style.wire_every
        r_index, c_index = np.divmod(np.arange(rows * cols), cols)
        # edges a-b (row start), b-c (column end), c-d (row end), d-a (column start); draw one grid line each
        self.wire_row = (every > 0) & (r_index % max(every, 1) == 0)
        self.wire_col = (every > 0) & (c_index % max(every, 1) == 0)
        self.wire_last_row = (every > 0) & (r_index == rows - 1)
        self.wire_last_col = (every > 0) & (c_index == cols - 1)
        self.wire_edges = (
            self.wire_row * 1 + self.wire_last_col * 2 + self.wire_last_row * 4 + self.wire_col * 8
        ).astype(np.int64)
        self.valid_faces = np.flatnonzero(self.face_valid)
        self.scale, self.centre = fit_projector(self.box, CameraPose(self.phi, 0.0), self.thetas, self.pixel_size)
        self.raster = Raster(*self.pixel_size, self.style.background)

    def projector(self, theta: float) -> Projector:
        return projector_for(self.box, CameraPose(self.phi, theta), self.scale, self.centre)

    def to_box(self, points: np.ndarray, lift: float = 0.0) -> np.ndarray:
        points = np.asarray(points, dtype=float)
        boxed = self.box.to_box(points[..., 0], points[..., 1], points[..., 2])
        boxed[..., 2] += lift
        return boxed

    @property
    def clip_rect(self) -> tuple[float, float, float, float]:
        """Left, top, right, bottom (pixels) of where anything is drawn: the whole view."""
        return 0.0, 0.0, float(self.pixel_size[0]), float(self.pixel_size[1])

    def lines_for(self, theta: float, overlays: Sequence[Overlay] = ()) -> list[StrokedLine]:
        """Every line :meth:`render` strokes over the surface for these overlays, in pixels (the floor's
        grid and the surface's own wireframe are not counted: they are background texture)."""
        projector = self.projector(theta)
        return [line for overlay in overlays for _, item in self._overlay_items(overlay, projector) for line in item.lines()]

    def render(self, theta: float, overlays: Sequence[Overlay] = ()) -> np.ndarray:
        """One frame: floor, then faces and overlays in painter's order. Returns RGBA."""
        projector = self.projector(theta)
        ctx = self.raster.clear()
        self._draw_floor(ctx, projector)
        valid = self.valid_faces
        face_pixels, _ = projector.project(self.faces[valid])
        _, face_depth = projector.project(self.centroids[valid])
        # Grow each quad by ~0.6 px around its centre: neighbours overlap, so antialiased edges leave no seams.
        centres = face_pixels.mean(axis=1, keepdims=True)
        offsets = face_pixels - centres
        lengths = np.linalg.norm(offsets, axis=-1, keepdims=True)
        face_pixels = face_pixels + offsets / np.maximum(lengths, 1e-9) * (0.6 * self.style.line_scale)
        intensity = lambert_intensity(self.normals[valid], projector.basis[2])
        colours = self.base_colours[valid] * intensity[:, None]
        wire_colours = (1 - self.style.wire_strength) * colours + self.style.wire_strength * np.array(self.style.background)

        payload: list[DrawItem] = []
        overlay_depths: list[float] = []
        for overlay in overlays:
            for depth, item in self._overlay_items(overlay, projector):
                payload.append(item)
                overlay_depths.append(depth)
        n_faces = len(valid)
        order = painter_order(np.concatenate([face_depth, np.asarray(overlay_depths, dtype=float)])).tolist()
        quads = face_pixels.reshape(n_faces, 8).tolist()
        colour_list = colours.tolist()
        wire_list = wire_colours.tolist()
        wires = self.wire_edges[valid].tolist()
        wire_width = 1.0 * self.style.line_scale
        line_scale = self.style.line_scale
        move_to, line_to, close_path, fill = ctx.move_to, ctx.line_to, ctx.close_path, ctx.fill
        set_rgb, stroke, set_width = ctx.set_source_rgb, ctx.stroke, ctx.set_line_width
        for index in order:
            if index < n_faces:
                x0, y0, x1, y1, x2, y2, x3, y3 = quads[index]
                move_to(x0, y0)
                line_to(x1, y1)
                line_to(x2, y2)
                line_to(x3, y3)
                close_path()
                set_rgb(*colour_list[index])
                fill()
                edges = wires[index]
                if edges:
                    set_rgb(*wire_list[index])
                    set_width(wire_width)
                    path_sides(ctx, ((x0, y0), (x1, y1), (x2, y2), (x3, y3)), edges)
                    stroke()
            else:
                payload[index - n_faces].draw(ctx, line_scale)
        return self.raster.bgra()

    # -- floor and overlays -------------------------------------------------------------------------
    def _depth_over_surface(self, faces: np.ndarray, fallback: np.ndarray, projector: Projector) -> np.ndarray:
        """Painter's depth for the faces of a patch (domain coordinates, (k, 4, 3)) lying on or near the surface.

        Sorting them by their own centres fails where the surface's faces are larger than the patch's: a big
        face's centre can be nearer than a small face lying on top of it, and its painting cuts the patch into
        a comb. Instead each patch face goes just after every surface face under its corners and centre where
        it is above the surface there, just before them where it is below, so the surface hides exactly the
        parts of the patch that pass under it. Faces with no surface under them keep ``fallback``.
        """
        xs, ys, zs = self.grid
        columns, rows = xs[0, :], ys[:, 0]
        points = np.concatenate([faces, faces.mean(axis=1, keepdims=True)], axis=1)  # (k, 5, 3)
        px, py = points[..., 0], points[..., 1]
        inside = (px >= columns[0]) & (px <= columns[-1]) & (py >= rows[0]) & (py <= rows[-1])
        c = np.clip(np.searchsorted(columns, px, side="right") - 1, 0, len(columns) - 2)
        r = np.clip(np.searchsorted(rows, py, side="right") - 1, 0, len(rows) - 2)
        index = r * (len(columns) - 1) + c
        valid = inside & np.asarray(self.face_valid)[index]
        _, face_depth = projector.project(self.centroids[index])
        # the surface's height under the patch's centre (bilinear in its cell), against the patch's own
        tx = (px[:, 4] - columns[c[:, 4]]) / (columns[c[:, 4] + 1] - columns[c[:, 4]])
        ty = (py[:, 4] - rows[r[:, 4]]) / (rows[r[:, 4] + 1] - rows[r[:, 4]])
        r4, c4 = r[:, 4], c[:, 4]
        under = ((1 - ty) * ((1 - tx) * zs[r4, c4] + tx * zs[r4, c4 + 1]) + ty * ((1 - tx) * zs[r4 + 1, c4] + tx * zs[r4 + 1, c4 + 1]))
        above = ~(points[:, 4, 2] < under)  # nan under: above
        nearest = np.where(valid, face_depth, -np.inf).max(axis=1) + PATCH_TIE
        farthest = np.where(valid, face_depth, np.inf).min(axis=1) - PATCH_TIE
        over = np.where(above, nearest, farthest)
        return np.where(valid.any(axis=1), over, fallback)

    def _draw_floor(self, ctx: cairo.Context[cairo.ImageSurface], projector: Projector) -> None:
        hx, hy, hz = self.box.half_extents
        lines = 8
        ctx.set_line_width(1.0 * self.style.line_scale)
        ctx.set_source_rgb(*self.style.floor)
        for t in np.linspace(-1, 1, lines + 1):
            for a, b in (([t * hx, -hy, -hz], [t * hx, hy, -hz]), ([-hx, t * hy, -hz], [hx, t * hy, -hz])):
                pixels, _ = projector.project(np.array([a, b]))
                ctx.move_to(*pixels[0])
                ctx.line_to(*pixels[1])
        ctx.stroke()

    def _overlay_items(self, overlay: Overlay, projector: Projector) -> list[tuple[float, DrawItem]]:
        """Split an overlay into small painter items: (depth, item)."""
        bias = OVERLAY_DEPTH_BIAS
        if isinstance(overlay, Polyline):
            if len(overlay.points) < 2:
                return []
            pixels, depth = projector.project(self.to_box(overlay.points, OVERLAY_LIFT))
            keep = overlay.visible[:-1] & overlay.visible[1:]
            mid = (depth[:-1] + depth[1:]) / 2 + bias
            pixel_list, mid_list = pixels.tolist(), mid.tolist()
            colour, width, dashed, kind = overlay.colour, overlay.width, overlay.dashed, overlay.kind
            kept = np.flatnonzero(keep).tolist()
            items: list[tuple[float, DrawItem]] = [
                (mid_list[i], Segment(pixel_list[i], pixel_list[i + 1], colour, width, dashed, kind)) for i in kept
            ]
            if overlay.ghost > 0:
                faint = (*colour, overlay.ghost)
                items += [(ON_TOP_DEPTH, Segment(pixel_list[i], pixel_list[i + 1], faint, width * 0.8, dashed, kind))
                          for i in kept]
            return items
        if isinstance(overlay, Ball):
            pixels, depth = projector.project(self.to_box(overlay.point, OVERLAY_LIFT))
            lift = ON_TOP_DEPTH * 2 if overlay.on_top else 0.0
            return [(float(depth) + 2 * bias + lift, Disc(pixels, overlay.colour, overlay.radius, overlay.outline))]
        if isinstance(overlay, Cross):
            pixels, depth = projector.project(self.to_box(overlay.point, OVERLAY_LIFT))
            return [(float(depth) + 2 * bias, CrossMark(pixels, overlay.colour, overlay.size, overlay.width))]
        if isinstance(overlay, Arrow):
            pixels, _ = projector.project(self.to_box(overlay.ends, OVERLAY_LIFT))
            return [(ON_TOP_DEPTH * 3, ArrowSegment(pixels[0].tolist(), pixels[1].tolist(), overlay.colour, overlay.width))]
        if isinstance(overlay, Patch):
            boxed = self.to_box(overlay.grid)
            faces = grid_faces(boxed)
            pixels, _ = projector.project(faces)
            _, depth = projector.project(faces.mean(axis=1))
            if overlay.on_top:
                depth = depth + ON_TOP_DEPTH
            else:
                depth = self._depth_over_surface(grid_faces(np.asarray(overlay.grid, dtype=float)), depth + overlay.depth_bias,
                                                 projector)
            shade = lambert_intensity(face_normals(faces), projector.basis[2])
            edges = patch_edges(overlay.grid.shape[0] - 1, overlay.grid.shape[1] - 1, overlay.edge_every).tolist()
            return [
                (float(depth[i]), Quad(pixels[i], tuple(np.array(overlay.colour) * (0.55 + 0.45 * shade[i])),
                                       overlay.opacity, overlay.edge, edges[i]))
                for i in range(len(faces))
            ]
        raise TypeError(f"unknown overlay {overlay!r}")
