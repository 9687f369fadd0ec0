"""The domain seen from straight above: filled level bands and level lines drawn once, then
paths, arrows and marks per frame (typed items from :mod:`calcanim.raster.items`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cairo
import numpy as np
from PIL import Image

from calcanim.raster.canvas import Raster
from calcanim.raster.items import RGB, DrawItem, StrokedLine


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
        self.base_lines: list[StrokedLine] = []  # the level lines and the frame drawn by draw_base

    @property
    def plot_rect(self) -> tuple[float, float, float, float]:
        """Left, top, width, height of the domain in pixels."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return self.offset[0], self.offset[1], self.scale * (x1 - x0), self.scale * (y1 - y0)

    def pixel(self, x: float | np.ndarray, y: float | np.ndarray) -> np.ndarray:
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
            bands.data, cairo.FORMAT_ARGB32, bands.shape[1], bands.shape[0], bands.shape[1] * 4
        )
        ctx.set_source_surface(band_surface, int(round(left)), int(round(top)))
        ctx.paint()
        ctx.set_source_rgb(*line_colour)
        ctx.set_line_width(line_width)
        drawn: list[np.ndarray] = []
        for segments in level_segments:
            if len(segments) == 0:
                continue
            pixels = self.pixel(segments[..., 0], segments[..., 1])
            drawn.append(pixels.reshape(-1, 2, 2))
            for a, b in pixels:
                ctx.move_to(*a)
                ctx.line_to(*b)
        ctx.stroke()
        ctx.set_source_rgb(*frame_colour)
        ctx.set_line_width(line_width * 1.5)
        ctx.rectangle(left, top, w, h)
        ctx.stroke()
        self.base.flush()
        corners = np.array([[left, top], [left + w, top], [left + w, top + h], [left, top + h]])
        self.base_lines = [
            StrokedLine(np.concatenate(drawn) if drawn else np.zeros((0, 2, 2)), line_colour, "level line"),
            StrokedLine(np.stack([corners, np.roll(corners, -1, axis=0)], axis=1), frame_colour, "frame"),
        ]

    @property
    def clip_rect(self) -> tuple[float, float, float, float]:
        """Left, top, right, bottom (pixels) of where anything is drawn: the domain."""
        left, top, w, h = self.plot_rect
        return left, top, left + w, top + h

    def lines_for(self, items: Sequence[DrawItem]) -> list[StrokedLine]:
        """Every line :meth:`render` strokes for these items (the level lines and frame included)."""
        return self.base_lines + [line for item in items for line in item.lines()]

    def render(self, items: Sequence[DrawItem]) -> np.ndarray:
        """The base plus items in pixel coordinates, clipped to the domain."""
        ctx = self.raster.paste(self.base)
        ctx.save()
        ctx.rectangle(*self.plot_rect)
        ctx.clip()
        for item in items:
            item.draw(ctx)
        ctx.restore()
        return self.raster.bgra()
