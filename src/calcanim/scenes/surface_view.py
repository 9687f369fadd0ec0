"""Fast surface drawing for 3D clips: project with numpy, shade per face, sort once per frame and
rasterise everything (faces, paths riding on the surface, balls, tangent patches) in one Cairo pass
into an image that a manim ImageMobject shows.

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
from manim import Camera, ImageMobject, ManimColor, config
from PIL import Image

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

RGB = tuple[float, float, float]

#: How much nearer the camera overlays count in painter's order (box units), so a path lying on a face wins.
OVERLAY_DEPTH_BIAS = 0.06
#: Added to the depth of overlays drawn on top of the surface whatever their real depth.
ON_TOP_DEPTH = 1e6
#: Overlays are lifted this much (box units) above the surface so their strokes are not half-buried.
OVERLAY_LIFT = 0.012


def rgb(colour: str) -> RGB:
    """A theme hex colour as cairo's 0..1 floats."""
    r, g, b = ManimColor(colour).to_rgb()
    return float(r), float(g), float(b)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """(1 - t) a + t b."""
    return tuple(float((1 - t) * x + t * y) for x, y in zip(a, b))  # type: ignore[return-value]


class Raster:
    """A Cairo image the size of a view, handed to manim as an RGBA array."""

    def __init__(self, width: int, height: int, background: RGB) -> None:
        self.width, self.height, self.background = width, height, background
        self.surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
        self.context = cairo.Context(self.surface)
        self.context.set_line_join(cairo.LINE_JOIN_ROUND)
        self.context.set_line_cap(cairo.LINE_CAP_ROUND)

    def clear(self) -> cairo.Context:
        ctx = self.context
        ctx.set_source_rgb(*self.background)
        ctx.paint()
        return ctx

    def paste(self, image: cairo.ImageSurface) -> cairo.Context:
        ctx = self.context
        ctx.set_source_surface(image, 0, 0)
        ctx.paint()
        return ctx

    def bgra(self) -> np.ndarray:
        """The image as a (height, width, 4) uint8 BGRA view of Cairo's buffer (valid until the next drawing).

        Opaque everywhere, so Cairo's premultiplied alpha equals straight alpha.
        """
        self.surface.flush()
        stride = self.surface.get_stride()
        data = np.ndarray((self.height, stride // 4, 4), dtype=np.uint8, buffer=self.surface.get_data())
        return data[:, : self.width]

    def rgba(self) -> np.ndarray:
        """A copy of the image as (height, width, 4) uint8 RGBA."""
        return self.bgra()[:, :, [2, 1, 0, 3]].copy()


class RasterView(ImageMobject):
    """An ImageMobject covering a view rectangle exactly, one image pixel per video pixel."""

    def __init__(self, centre: np.ndarray, width_units: float, height_units: float, background: RGB) -> None:
        per_unit = config.pixel_width / config.frame_width
        self.pixel_size = (max(2, int(round(width_units * per_unit))), max(2, int(round(height_units * per_unit))))
        self.raster = Raster(*self.pixel_size, background)
        self.raster.clear()
        self.bgra = self.raster.bgra()
        super().__init__(self.raster.rgba())
        self.set_resampling_algorithm(Image.Resampling.NEAREST)
        self.stretch_to_fit_width(self.pixel_size[0] / per_unit).stretch_to_fit_height(self.pixel_size[1] / per_unit)
        self.move_to(centre)

    def show(self, bgra: np.ndarray) -> None:
        """Show a BGRA frame from a :class:`Raster` (no copy: it is copied into the video frame by :meth:`blit`)."""
        self.bgra = bgra

    def to_scene(self, pixel: Sequence[float]) -> np.ndarray:
        """A pixel position in this view -> a manim point (for labels placed over the image)."""
        left, top = self.get_left()[0], self.get_top()[1]
        per_unit = self.pixel_size[0] / self.width
        return np.array([left + pixel[0] / per_unit, top - pixel[1] / per_unit, 0.0])

    def blit(self, camera: Camera, pixel_array: np.ndarray) -> None:
        """Copy the image straight into the frame: it is opaque and already at video resolution."""
        left, top = self.get_left()[0], self.get_top()[1]
        per_x = camera.pixel_width / camera.frame_width
        per_y = camera.pixel_height / camera.frame_height
        x0 = int(round((left - camera.frame_center[0] + camera.frame_width / 2) * per_x))
        y0 = int(round((camera.frame_height / 2 - (top - camera.frame_center[1])) * per_y))
        image = self.bgra
        height, width = image.shape[:2]
        fx0, fy0 = max(x0, 0), max(y0, 0)
        fx1, fy1 = min(x0 + width, camera.pixel_width), min(y0 + height, camera.pixel_height)
        if fx1 > fx0 and fy1 > fy0:
            source = image[fy0 - y0 : fy1 - y0, fx0 - x0 : fx1 - x0]
            pixel_array[fy0:fy1, fx0:fx1, :3] = source[:, :, 2::-1]
            pixel_array[fy0:fy1, fx0:fx1, 3] = 255


class RasterCamera(Camera):
    """manim's Cairo camera, but a :class:`RasterView` is copied into the frame as is.

    Besides speed, this sidesteps manim 0.22's ``display_image_mobject``, which fails with Pillow 13
    (``Image.fromarray(np.zeros((h, w)), mode="RGBA")`` raises "Invalid mode for data type").
    """

    def display_image_mobject(self, image_mobject: ImageMobject, pixel_array: np.ndarray) -> None:
        if isinstance(image_mobject, RasterView):
            image_mobject.blit(self, pixel_array)
        else:
            super().display_image_mobject(image_mobject, pixel_array)



@dataclass
class Polyline:
    """Domain points (x, y, z) to draw as a line riding on the surface; segments between two hidden points are skipped."""

    points: np.ndarray  # (n, 3) domain coordinates
    visible: np.ndarray  # (n,) bool
    colour: RGB
    width: float  # pixels
    dashed: bool = False
    ghost: float = 0.4  # opacity of the parts hidden behind the surface, drawn faintly on top (0: hide them)


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
    depth_bias: float = 0.0  # box units nearer the camera in painter's order (wins ties where it touches the surface)


@dataclass
class SurfaceStyle:
    low: RGB  # face colour at the bottom of the z range
    high: RGB  # ... and at the top
    background: RGB
    floor: RGB
    wire_every: int = 4  # a mesh line every this many faces (0: none)
    wire_strength: float = 0.45  # how far wire lines darken towards the background
    line_scale: float = 1.0  # multiplies every stroke width (pixels)


@dataclass
class SurfaceRenderer:
    """Draws z = f(x, y) from a sampled grid, seen by a camera with fixed phi and any theta."""

    grid: tuple[np.ndarray, np.ndarray, np.ndarray]
    box: Box
    pixel_size: tuple[int, int]
    phi: float
    thetas: np.ndarray  # every theta the clip will use, so the fit never changes
    style: SurfaceStyle
    _cache: dict = field(default_factory=dict, repr=False)

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

    def render(self, theta: float, overlays: Sequence[object] = ()) -> np.ndarray:
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

        payload: list[tuple] = []
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
                    if edges & 1:
                        move_to(x0, y0)
                        line_to(x1, y1)
                    if edges & 2:
                        move_to(x1, y1)
                        line_to(x2, y2)
                    if edges & 4:
                        move_to(x2, y2)
                        line_to(x3, y3)
                    if edges & 8:
                        move_to(x3, y3)
                        line_to(x0, y0)
                    stroke()
            else:
                draw_item(ctx, payload[index - n_faces], line_scale)
        return self.raster.bgra()

    # -- floor and overlays -------------------------------------------------------------------------
    def _draw_floor(self, ctx: cairo.Context, projector: Projector) -> None:
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

    def _overlay_items(self, overlay: object, projector: Projector) -> list[tuple[float, tuple]]:
        """Split an overlay into small painter items: (depth, ("kind", data...))."""
        bias = OVERLAY_DEPTH_BIAS
        if isinstance(overlay, Polyline):
            if len(overlay.points) < 2:
                return []
            pixels, depth = projector.project(self.to_box(overlay.points, OVERLAY_LIFT))
            keep = overlay.visible[:-1] & overlay.visible[1:]
            mid = (depth[:-1] + depth[1:]) / 2 + bias
            pixel_list, mid_list = pixels.tolist(), mid.tolist()
            colour, width, dashed = overlay.colour, overlay.width, overlay.dashed
            kept = np.flatnonzero(keep).tolist()
            items = [(mid_list[i], ("segment", pixel_list[i], pixel_list[i + 1], colour, width, dashed)) for i in kept]
            if overlay.ghost > 0:
                faint = (*colour, overlay.ghost)
                items += [
                    (ON_TOP_DEPTH, ("segment", pixel_list[i], pixel_list[i + 1], faint, width * 0.8, dashed)) for i in kept
                ]
            return items
        if isinstance(overlay, Ball):
            pixels, depth = projector.project(self.to_box(overlay.point, OVERLAY_LIFT))
            lift = ON_TOP_DEPTH * 2 if overlay.on_top else 0.0
            return [(float(depth) + 2 * bias + lift, ("ball", pixels, overlay.colour, overlay.radius, overlay.outline))]
        if isinstance(overlay, Cross):
            pixels, depth = projector.project(self.to_box(overlay.point, OVERLAY_LIFT))
            return [(float(depth) + 2 * bias, ("cross", pixels, overlay.colour, overlay.size, overlay.width))]
        if isinstance(overlay, Arrow):
            pixels, _ = projector.project(self.to_box(overlay.ends, OVERLAY_LIFT))
            return [(ON_TOP_DEPTH * 3, ("arrow", pixels[0].tolist(), pixels[1].tolist(), overlay.colour, overlay.width))]
        if isinstance(overlay, Patch):
            boxed = self.to_box(overlay.grid)
            faces = grid_faces(boxed)
            pixels, _ = projector.project(faces)
            _, depth = projector.project(faces.mean(axis=1))
            shade = lambert_intensity(face_normals(faces), projector.basis[2])
            lift = ON_TOP_DEPTH if overlay.on_top else overlay.depth_bias
            return [
                (float(depth[i]) + lift, ("patch", pixels[i], tuple(np.array(overlay.colour) * (0.55 + 0.45 * shade[i])),
                                   overlay.opacity, overlay.edge))
                for i in range(len(faces))
            ]
        raise TypeError(f"unknown overlay {overlay!r}")

    def _draw_item(self, ctx: cairo.Context, item: tuple) -> None:
        draw_item(ctx, item, self.style.line_scale)


def draw_item(ctx: cairo.Context, item: tuple, line_scale: float = 1.0) -> None:
    """Draw one painter item (shared by the 3D and the contour renderers)."""
    kind = item[0]
    if kind == "segment":
        _, a, b, colour, width, dashed = item
        if len(colour) == 4:
            ctx.set_source_rgba(*colour)
        else:
            ctx.set_source_rgb(*colour)
        ctx.set_line_width(width)
        if dashed:
            ctx.set_dash([width * 2.0, width * 1.6])
        ctx.move_to(*a)
        ctx.line_to(*b)
        ctx.stroke()
        if dashed:
            ctx.set_dash([])
    elif kind == "ball":
        _, centre, colour, radius, outline = item
        ctx.arc(float(centre[0]), float(centre[1]), radius, 0, 2 * np.pi)
        ctx.set_source_rgb(*colour)
        ctx.fill_preserve()
        ctx.set_source_rgb(*outline)
        ctx.set_line_width(max(1.0, radius * 0.28))
        ctx.stroke()
        ctx.arc(float(centre[0]) - radius * 0.3, float(centre[1]) - radius * 0.3, radius * 0.3, 0, 2 * np.pi)
        ctx.set_source_rgba(1, 1, 1, 0.55)
        ctx.fill()
    elif kind == "cross":
        _, centre, colour, size, width = item
        x, y = float(centre[0]), float(centre[1])
        ctx.set_source_rgb(*colour)
        ctx.set_line_width(width)
        ctx.move_to(x - size, y - size)
        ctx.line_to(x + size, y + size)
        ctx.move_to(x - size, y + size)
        ctx.line_to(x + size, y - size)
        ctx.stroke()
    elif kind == "patch":
        _, quad, colour, opacity, edge = item
        ctx.move_to(*quad[0])
        for corner in quad[1:]:
            ctx.line_to(*corner)
        ctx.close_path()
        ctx.set_source_rgba(*colour, opacity)
        if edge is not None:
            ctx.fill_preserve()
            ctx.set_source_rgba(*edge, min(1.0, opacity + 0.2))
            ctx.set_line_width(0.8 * line_scale)
            ctx.stroke()
        else:
            ctx.fill()
    elif kind == "arrow":
        _, a, b, colour, width = item
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        direction = b - a
        length = float(np.hypot(*direction))
        ctx.set_source_rgb(*colour)
        ctx.set_line_width(width)
        if length < 1e-6:
            return
        unit = direction / length
        head = min(width * 3.2, length * 0.5)
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
    else:
        raise ValueError(f"unknown item kind {kind!r}")


@dataclass
class ContourRenderer:
    """The domain seen from straight above: filled level bands and level lines drawn once, paths and arrows per frame."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    pixel_size: tuple[int, int]
    background: RGB
    margin: float = 0.03

    def __post_init__(self) -> None:
        width, height = self.pixel_size
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        scale = min(width * (1 - 2 * self.margin) / (x1 - x0), height * (1 - 2 * self.margin) / (y1 - y0))
        self.scale = scale
        self.offset = ((width - scale * (x1 - x0)) / 2, (height - scale * (y1 - y0)) / 2)
        self.raster = Raster(width, height, self.background)
        self.base = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)

    @property
    def plot_rect(self) -> tuple[float, float, float, float]:
        """Left, top, width, height of the domain in pixels."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return self.offset[0], self.offset[1], self.scale * (x1 - x0), self.scale * (y1 - y0)

    def pixel(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        (x0, _), (_, y1) = self.x_range, self.y_range
        return np.stack([self.offset[0] + (np.asarray(x) - x0) * self.scale, self.offset[1] + (y1 - np.asarray(y)) * self.scale], axis=-1)

    def draw_base(
        self,
        band_values: np.ndarray,
        band_colours: Sequence[RGB],
        levels: Sequence[float],
        level_segments: Sequence[np.ndarray],
        line_colour: RGB,
        line_width: float,
        frame_colour: RGB,
    ) -> None:
        """Bands (band_values on a regular grid over the domain, upper row = y_max first), level lines and a frame."""
        ctx = cairo.Context(self.base)
        ctx.set_source_rgb(*self.background)
        ctx.paint()
        index = np.searchsorted(np.asarray(levels), np.nan_to_num(band_values, nan=np.inf))
        palette = np.array(band_colours)
        colours = palette[np.clip(index, 0, len(palette) - 1)]
        colours[~np.isfinite(band_values)] = self.background
        left, top, w, h = self.plot_rect
        image = Image.fromarray((colours[::-1] * 255).astype(np.uint8), mode="RGB").resize(
            (max(1, int(round(w))), max(1, int(round(h)))), Image.Resampling.BILINEAR
        )
        bands = np.dstack([np.asarray(image), np.full(image.size[::-1], 255, np.uint8)])[:, :, [2, 1, 0, 3]].copy()
        band_surface = cairo.ImageSurface.create_for_data(
            memoryview(bands), cairo.FORMAT_ARGB32, bands.shape[1], bands.shape[0], bands.shape[1] * 4
        )
        ctx.set_source_surface(band_surface, int(round(left)), int(round(top)))
        ctx.paint()
        ctx.set_source_rgb(*line_colour)
        ctx.set_line_width(line_width)
        for segments in level_segments:
            if len(segments) == 0:
                continue
            pixels = self.pixel(segments[..., 0], segments[..., 1])
            for a, b in pixels:
                ctx.move_to(*a)
                ctx.line_to(*b)
        ctx.stroke()
        ctx.set_source_rgb(*frame_colour)
        ctx.set_line_width(line_width * 1.5)
        ctx.rectangle(left, top, w, h)
        ctx.stroke()
        self.base.flush()

    def render(self, items: Sequence[tuple]) -> np.ndarray:
        """The base plus items in pixel coordinates (see :func:`draw_item`), clipped to the domain."""
        ctx = self.raster.paste(self.base)
        ctx.save()
        ctx.rectangle(*self.plot_rect)
        ctx.clip()
        for item in items:
            draw_item(ctx, item)
        ctx.restore()
        return self.raster.bgra()
