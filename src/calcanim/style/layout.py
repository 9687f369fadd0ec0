"""Frame shapes per aspect ratio: pixel sizes per quality and manim frame sizes that follow them."""

from __future__ import annotations

from dataclasses import dataclass

from calcanim.errors import ParamError
from calcanim.suggest import did_you_mean

#: quality name -> (height in pixels of a 16:9 frame, frames per second)
QUALITIES: dict[str, tuple[int, int]] = {"low": (480, 15), "medium": (720, 30), "high": (1080, 60), "4k": (2160, 60)}
ASPECTS: dict[str, tuple[int, int]] = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:3": (4, 3)}
SHORT_SIDE_UNITS = 8.0


@dataclass(frozen=True)
class Layout:
    """The shape of one frame: pixels, fps, and manim units (the short side is always 8 units)."""

    aspect: str
    pixel_width: int
    pixel_height: int
    fps: int

    @property
    def ratio(self) -> float:
        return self.pixel_width / self.pixel_height

    @property
    def frame_height(self) -> float:
        return SHORT_SIDE_UNITS if self.ratio >= 1 else SHORT_SIDE_UNITS / self.ratio

    @property
    def frame_width(self) -> float:
        return self.frame_height * self.ratio

    @property
    def portrait(self) -> bool:
        return self.ratio < 1


def make_layout(quality: str, aspect: str = "16:9") -> Layout:
    """Pixel size and fps for a quality and aspect; the short side keeps the quality's line count.

    >>> make_layout("high").pixel_width, make_layout("low", "9:16").pixel_height
    (1920, 854)
    """
    if quality not in QUALITIES:
        raise ParamError(f"unknown quality '{quality}'; use one of {', '.join(QUALITIES)}", field="quality")
    if aspect not in ASPECTS:
        hint = did_you_mean(aspect, ASPECTS)
        raise ParamError(f"unknown aspect ratio '{aspect}'; {hint}use one of {', '.join(ASPECTS)}", field="aspect")
    short, fps = QUALITIES[quality]
    w, h = ASPECTS[aspect]
    long = _even(short * max(w, h) / min(w, h))
    width, height = (long, short) if w >= h else (short, long)
    return Layout(aspect=aspect, pixel_width=width, pixel_height=height, fps=fps)


def _even(value: float) -> int:
    return int(round(value / 2) * 2)
