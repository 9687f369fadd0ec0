"""Where a clip rests: the natural stops a presenter pauses at.

Every clip already holds still at the end of each beat (a mark reached, a zoom level, a phase of
descent). A rest is a run of frames that do not change; a slide segment ends where a rest ends,
so it plays its motion and then holds the rested picture. Pure: works on the per-frame change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Mean absolute change between consecutive frames (0-255 grey levels) below which nothing moved.
STILL_BELOW = 0.02
#: A rest at least this long (seconds) is a stop; shorter holds are part of the motion.
MIN_REST_SECONDS = 0.4
#: No segment shorter than this (seconds): stops closer together are merged.
MIN_SEGMENT_SECONDS = 1.0


@dataclass(frozen=True)
class Segment:
    """Seconds [start, end) of the clip; frames [first, last) at the clip's frame rate."""

    first: int
    last: int
    fps: float

    @property
    def start(self) -> float:
        return self.first / self.fps

    @property
    def end(self) -> float:
        return self.last / self.fps


def rest_ends(changes: Sequence[float], fps: float, *, still_below: float = STILL_BELOW,
              min_rest: float = MIN_REST_SECONDS) -> list[int]:
    """The frame index where each long enough rest ends (the first frame that moves again).

    ``changes[i]`` is the change from frame i to frame i + 1. A rest that lasts to the last frame
    is the clip's end, not a stop.

    >>> rest_ends([5, 0, 0, 0, 0, 3, 4, 0, 0, 0], fps=10, min_rest=0.3)
    [5]
    """
    ends: list[int] = []
    run = 0
    for index, change in enumerate(changes):
        if change < still_below:
            run += 1
            continue
        if run / fps >= min_rest:
            ends.append(index)
        run = 0
    return ends


def snapped(cut: int, changes: Sequence[float], fps: float, *, before: float = 0.6, after: float = 0.3) -> int:
    """``cut`` (a frame index) moved to the quietest moment near it: the frame after the smallest
    change within ``before`` seconds before and ``after`` seconds after (the later one on ties), so
    a segment ends on a picture that hardly differs from where the next one starts.

    >>> snapped(10, [9, 9, 9, 9, 9, 9, 0, 0, 9, 9, 9, 9], fps=10)
    8
    """
    low = max(0, cut - 1 - round(before * fps))
    high = min(len(changes) - 1, cut - 1 + round(after * fps))
    if high < low:
        return cut
    quietest = min(range(low, high + 1), key=lambda i: (changes[i], -i))
    return quietest + 1


def segments(frame_count: int, fps: float, cuts: Sequence[int], *,
             min_segment: float = MIN_SEGMENT_SECONDS) -> list[Segment]:
    """Split ``frame_count`` frames at ``cuts``, merging pieces shorter than ``min_segment`` into
    the one before (the last piece into the one before it too).

    >>> [(s.first, s.last) for s in segments(100, 10, [5, 40, 45, 95])]
    [(0, 40), (40, 100)]
    """
    edges = [0]
    for cut in sorted(set(cuts)):
        if 0 < cut < frame_count and (cut - edges[-1]) / fps >= min_segment:
            edges.append(cut)
    if len(edges) > 1 and (frame_count - edges[-1]) / fps < min_segment:
        edges.pop()
    edges.append(frame_count)
    return [Segment(a, b, fps) for a, b in zip(edges, edges[1:]) if b > a]
