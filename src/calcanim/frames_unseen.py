"""Whether the frames being stepped through right now will be drawn.

A split render (``render --jobs``, :mod:`calcanim.rendering.split`) steps each process through the
animations before its share without drawing them (a *replay*), so that its mobjects reach its first
animation in exactly the state one process has there. Work whose only result is pixels may be left
out while those frames go by: a :class:`~calcanim.raster.manim_view.RasterView` does not render its
3D surface or contour map (most of a replay's cost in gradient-descent and tangent-plane).

The replay marks only the frames *inside* an animation (manim's ``Scene.update_to_time``). The update
manim runs once more after an animation's last frame (``update_mobjects(0)``, after the animations
finish) is not marked, so a view's pixels at every animation boundary, where a split process starts
drawing, are those of a full render, bit for bit. Nothing but the camera reads a view's pixels.

Imports nothing: the raster views and the renderer both read it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

_unseen = 0


def frames_unseen() -> bool:
    """Whether the frame being stepped through now is one nobody will draw (a split render's replay)."""
    return _unseen > 0


@contextlib.contextmanager
def unseen() -> Iterator[None]:
    """Mark the frames stepped through inside the block as not drawn."""
    global _unseen
    _unseen += 1
    try:
        yield
    finally:
        _unseen -= 1
