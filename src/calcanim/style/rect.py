"""A rectangle of the frame in manim units, split into panels (the 3D clips lay out their views with it)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Rect:
    """A rectangle of the frame in manim units."""

    cx: float
    cy: float
    width: float
    height: float

    @property
    def centre(self) -> np.ndarray:
        return np.array([self.cx, self.cy, 0.0])

    @property
    def top(self) -> float:
        return self.cy + self.height / 2

    @property
    def bottom(self) -> float:
        return self.cy - self.height / 2

    @property
    def left(self) -> float:
        return self.cx - self.width / 2

    @property
    def right(self) -> float:
        return self.cx + self.width / 2

    def top_part(self, height: float) -> Rect:
        """The top ``height`` of this rectangle (full width)."""
        return Rect(self.cx, self.top - height / 2, self.width, height)

    def bottom_part(self, height: float) -> Rect:
        return Rect(self.cx, self.bottom + height / 2, self.width, height)

    def left_part(self, width: float) -> Rect:
        return Rect(self.left + width / 2, self.cy, width, self.height)

    def right_part(self, width: float) -> Rect:
        return Rect(self.right - width / 2, self.cy, width, self.height)

    def split(self, count: int, horizontal: bool, gap: float = 0.2) -> list[Rect]:
        """``count`` equal parts side by side (horizontal) or stacked top to bottom."""
        if horizontal:
            w = (self.width - gap * (count - 1)) / count
            return [Rect(self.left + w / 2 + i * (w + gap), self.cy, w, self.height) for i in range(count)]
        h = (self.height - gap * (count - 1)) / count
        return [Rect(self.cx, self.top - h / 2 - i * (h + gap), self.width, h) for i in range(count)]
