"""Speed-ups that reach into manim's Cairo camera, applied only while calcanim renders.

Pinned to manim 0.22 (pyproject); re-check each on a manim upgrade.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numpy as np

#: Outlines remembered per render. A readout glyph, a dot or a tick is a few hundred bytes of path.
PATH_CACHE_SIZE = 4096
#: Relative outlines are compared after rounding to this many decimals of a manim unit (1e-6 of a
#: unit is 1/7400 of a pixel at 1080p), so the same glyph moved by float arithmetic still matches.
SHAPE_DECIMALS = 6


class _PathCache:
    """Cairo paths of outlines already drawn, keyed by their shape relative to their first point.

    manim builds a path for every shape in every frame with one Python call per Bezier curve
    (``Camera.set_cairo_context_path``): in limit-climb at 1080p60 that was the largest single cost
    of drawing. A live readout's glyphs, a moving dot or a fading label have the same outline frame
    after frame, only moved; the path cairo built the second time it saw an outline is kept and
    replayed translated (one C call). An outline is kept from its second sighting, so shapes that
    change every frame (a curve being drawn) cost one rounding and a lookup, not a copy.
    """

    def __init__(self, size: int = PATH_CACHE_SIZE) -> None:
        self.size = size
        self.paths: OrderedDict[bytes, tuple[Any, float, float]] = OrderedDict()
        self.seen: OrderedDict[bytes, None] = OrderedDict()
        self.hits = self.misses = 0

    def draw(self, camera: Any, ctx: Any, vmobject: Any, build: Any) -> None:
        points = vmobject.points
        if len(points) == 0 or not np.all(np.isfinite(points)):
            build(camera, ctx, vmobject)  # manim's own handling of empty and broken shapes
            return
        x0, y0 = float(points[0, 0]), float(points[0, 1])
        key = np.round(points[:, :2] - points[0, :2], SHAPE_DECIMALS).tobytes()
        cached = self.paths.get(key)
        if cached is not None:
            self.hits += 1
            self.paths.move_to_end(key)
            path, cx, cy = cached
            ctx.new_path()
            ctx.save()
            ctx.translate(x0 - cx, y0 - cy)
            ctx.append_path(path)
            ctx.restore()  # the path stays in device space; only the transform is restored
            return
        self.misses += 1
        build(camera, ctx, vmobject)
        if key in self.seen:
            del self.seen[key]
            self.paths[key] = (ctx.copy_path(), x0, y0)
            _trim(self.paths, self.size)
        else:
            self.seen[key] = None
            _trim(self.seen, self.size)


def _trim(table: OrderedDict[bytes, Any], size: int) -> None:
    while len(table) > size:
        table.popitem(last=False)


@contextlib.contextmanager
def cairo_paths_reused() -> Iterator[_PathCache]:
    """While active, manim's 2D Cairo camera replays the paths of outlines it has already drawn.

    Only the plain ``Camera`` is sped up (its transform_points_pre_display only guards against
    non-finite points); cameras that project points (ThreeDCamera) keep manim's path building.
    """
    from manim.camera.camera import Camera

    cache = _PathCache()
    original = Camera.__dict__["set_cairo_context_path"]
    plain_projection = Camera.transform_points_pre_display

    def set_cairo_context_path(self: Any, ctx: Any, vmobject: Any) -> Any:
        if type(self).transform_points_pre_display is not plain_projection:
            return original(self, ctx, vmobject)
        cache.draw(self, ctx, vmobject, original)
        return self

    Camera.set_cairo_context_path = set_cairo_context_path
    try:
        yield cache
    finally:
        Camera.set_cairo_context_path = original
