"""A patch (a tangent plane) over a surface whose faces are larger than the patch's: where the patch
lies above the surface every bit of it shows; where it lies below, the surface hides all of it.

Sorting each face by its own centre cut such a patch into a comb of stripes (tangent-plane at
resolution 20): a big surface face's centre can be nearer the camera than a small patch face lying
on top of it. Checked on pixels: a pure red patch over a grey flat surface z = 0."""

from __future__ import annotations

import numpy as np
import pytest

from calcanim.numerics.projection import Box
from calcanim.raster.surface import Patch, SurfaceRenderer, SurfaceStyle

GREY = (0.5, 0.5, 0.5)
RED = (1.0, 0.0, 0.0)


def renderer(faces_per_side: int) -> SurfaceRenderer:
    xs, ys = np.meshgrid(np.linspace(-1, 1, faces_per_side + 1), np.linspace(-1, 1, faces_per_side + 1))
    style = SurfaceStyle(low=GREY, high=GREY, background=(0.0, 0.0, 0.0), floor=(0.0, 0.0, 0.0), wire_every=0)
    return SurfaceRenderer(grid=(xs, ys, np.zeros_like(xs)), box=Box((-1, 1), (-1, 1), (-1, 1)), pixel_size=(400, 300),
                           phi=65.0, thetas=np.array([-125.0]), style=style)


def patch_at(height: float) -> Patch:
    u = np.linspace(-0.6, 0.6, 25)
    xs, ys = np.meshgrid(u, u)
    return Patch(np.stack([xs, ys, np.full_like(xs, height)], axis=-1), RED, 1.0)


def red_share_at_patch_centres(faces_per_side: int, height: float) -> float:
    """The share of the patch's face centres (projected) where the frame shows the patch's red."""
    surface = renderer(faces_per_side)
    patch = patch_at(height)
    image = surface.render(-125.0, [patch])[:, :, 2::-1].astype(float) / 255  # RGB
    u = (np.linspace(-0.6, 0.6, 25)[:-1] + 0.6 / 24)
    xs, ys = np.meshgrid(u, u)
    centres = np.stack([xs, ys, np.full_like(xs, height)], axis=-1).reshape(-1, 3)
    pixels, _ = surface.projector(-125.0).project(surface.to_box(centres))
    rgb = image[np.round(pixels[:, 1]).astype(int), np.round(pixels[:, 0]).astype(int)]
    # the grey surface has every channel above 0.2; the red patch keeps green and blue under 0.1 (its antialiased
    # seams let a few percent of the grey through)
    red = (rgb[:, 0] > 0.5) & (rgb[:, 1] < 0.1) & (rgb[:, 2] < 0.1)
    return float(red.mean())


@pytest.mark.parametrize("faces_per_side", [4, 20, 40])
def test_a_patch_above_the_surface_shows_whole(faces_per_side: int) -> None:
    assert red_share_at_patch_centres(faces_per_side, 0.02) == 1.0


@pytest.mark.parametrize("faces_per_side", [4, 20, 40])
def test_a_patch_below_the_surface_is_hidden_whole(faces_per_side: int) -> None:
    assert red_share_at_patch_centres(faces_per_side, -0.02) == 0.0
