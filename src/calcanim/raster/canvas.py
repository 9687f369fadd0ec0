"""A Cairo image the size of a view, read back as BGRA or RGBA numpy arrays."""

from __future__ import annotations

import cairo
import numpy as np

from calcanim.raster.items import RGB


class Raster:
    """A Cairo image the size of a view, handed to manim as an RGBA array."""

    def __init__(self, width: int, height: int, background: RGB) -> None:
        self.width, self.height, self.background = width, height, background
        self.surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
        self.context = cairo.Context(self.surface)
        self.context.set_line_join(cairo.LINE_JOIN_ROUND)
        self.context.set_line_cap(cairo.LINE_CAP_ROUND)

    def clear(self) -> cairo.Context[cairo.ImageSurface]:
        ctx = self.context
        ctx.set_source_rgb(*self.background)
        ctx.paint()
        return ctx

    def paste(self, image: cairo.ImageSurface) -> cairo.Context[cairo.ImageSurface]:
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
