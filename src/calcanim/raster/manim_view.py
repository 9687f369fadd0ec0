"""Showing a raster in manim: an ImageMobject covering a view rectangle pixel for pixel, a camera
that copies it straight into the frame, and theme colours as Cairo's 0..1 floats."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from manim import Camera, ImageMobject, ManimColor, config
from PIL import Image

from calcanim.frames_unseen import frames_unseen
from calcanim.raster.canvas import Raster
from calcanim.raster.items import RGB
from calcanim.raster.surface import SurfaceStyle
from calcanim.style.themes import Theme


def rgb(colour: str) -> RGB:
    """A theme hex colour as cairo's 0..1 floats."""
    r, g, b = ManimColor(colour).to_rgb()
    return float(r), float(g), float(b)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """(1 - t) a + t b."""
    return (float((1 - t) * a[0] + t * b[0]), float((1 - t) * a[1] + t * b[1]), float((1 - t) * a[2] + t * b[2]))


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

    def redraw(self, render: Callable[[], np.ndarray]) -> None:
        """Show the frame ``render()`` makes: in an updater, where the view follows the scene. While a
        split render replays frames nobody draws (:mod:`calcanim.frames_unseen`), ``render`` is not
        called; the update after each animation's last frame still renders, so the view is up to date
        wherever a process starts drawing."""
        if not frames_unseen():
            self.show(render())

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


def surface_style(theme: Theme, pixel_scale: float) -> SurfaceStyle:
    """Surface colours from the theme: muted, so the run colours stand out on it."""
    background = rgb(theme.background)
    return SurfaceStyle(
        low=mix(rgb(theme.curve), background, 0.55),
        high=mix(rgb(theme.muted), background, 0.1),
        background=background,
        floor=mix(rgb(theme.grid), background, 0.0),
        line_scale=pixel_scale,
    )
