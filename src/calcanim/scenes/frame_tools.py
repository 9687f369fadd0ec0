"""Small tools the tangent-bases and zoom-linearity scenes share: frame-exact timing and
polylines updated in place (cheaper than rebuilding a graph every frame)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from manim import VMobject, config


class FrameClock:
    """Turns the plan's seconds into run times of whole frames, so the video lasts plan.duration.

    manim renders ceil(run_time * fps) frames per play; rounding every play up would add up to
    a frame each. The clock keeps the planned time and hands out the frames still owed.
    """

    def __init__(self, fps: float | None = None) -> None:
        self.fps = float(fps if fps is not None else config.frame_rate)
        self.planned = 0.0
        self.frames = 0

    def frames_for(self, seconds: float) -> int:
        """Frames the next stretch of ``seconds`` gets (0 when it is shorter than what is owed)."""
        self.planned += seconds
        target = round(self.planned * self.fps)
        count = max(0, target - self.frames)
        self.frames += count
        return count

    def run_time(self, frames: int) -> float:
        """A run time that manim turns into exactly ``frames`` frames (np.arange(0, t, 1/fps))."""
        return (frames - 0.5) / self.fps


def set_polyline(
    mobject: VMobject, parts: Sequence[np.ndarray], to_screen: Callable[[np.ndarray], np.ndarray]
) -> None:
    """Replace mobject's points by the polylines ``parts`` ((n, 2) arrays in plot coordinates)."""
    mobject.clear_points()
    for part in parts:
        points = to_screen(part)
        mobject.start_new_path(points[0])
        mobject.add_points_as_corners(points[1:])
    if not parts:  # nothing inside the window: park one zero-length segment far off screen
        mobject.set_points_as_corners(np.full((2, 3), 1000.0))


#: Where a straight line's one cubic keeps its control points (what Line's set_points_as_corners builds).
_THIRDS = np.array([0.0, 1 / 3, 2 / 3, 1.0])


def place_segment(line: VMobject, start: np.ndarray, end: np.ndarray) -> None:
    """Make a straight Line run from start to end: the points Line builds for itself, without
    put_start_and_end_on's rotation matrices (a third of zoom-linearity's per-frame work)."""
    line.points = start + np.outer(_THIRDS, np.asarray(end) - start)


def show_stroke(mobject: VMobject, visible: bool) -> None:
    """Show or hide a shape's stroke, restyling only when that changes."""
    opacity = 1.0 if visible else 0.0
    if mobject.get_stroke_opacity() != opacity:
        mobject.set_stroke(opacity=opacity)


class NextTo:
    """``mobject.next_to(point, direction, buff)`` for shapes that move every frame without changing
    shape: the aligned edge is measured once per shape and direction, then only shifted."""

    def __init__(self) -> None:
        self._anchors: dict[tuple[int, tuple[float, ...]], tuple[Any, Any, np.ndarray]] = {}

    def __call__(self, mobject: Any, point: np.ndarray, direction: np.ndarray, buff: float) -> Any:
        key = (id(mobject), tuple(direction))
        anchor = self._anchors.get(key)
        if anchor is None:
            first = mobject.family_members_with_points()[0]
            anchor = self._anchors[key] = (mobject, first, mobject.get_critical_point(-direction) - first.points[0])
        _, first, offset = anchor
        mobject.shift(point + buff * direction - (first.points[0] + offset))
        return mobject


class FrameTimed:
    """Mixin for a Scene: play and wait for the frames the plan's seconds are worth (see FrameClock)."""

    clock: FrameClock

    if TYPE_CHECKING:  # provided by the Scene this is mixed into

        def play(self, *animations: Any, **kwargs: Any) -> None: ...

        def wait(self, duration: float = ..., **kwargs: Any) -> None: ...

    def start_clock(self) -> None:
        self.clock = FrameClock()

    def timed_play(self, seconds: float, *animations: Any, **kwargs: Any) -> None:
        frames = self.clock.frames_for(seconds)
        if frames > 0:
            self.play(*animations, run_time=self.clock.run_time(frames), **kwargs)

    def timed_wait(self, seconds: float) -> None:
        frames = self.clock.frames_for(seconds)
        if frames > 0:
            # A frozen wait writes int(t * fps) frames, not ceil: keep it unfrozen so the count is exact.
            self.wait(self.clock.run_time(frames), frozen_frame=False)
