"""The auditor's look inside calcanim's rasterised 3D and contour views (:mod:`calcanim.raster`).

Painting a view on every frame is two thirds of a gradient-descent audit, so while auditing the
renderers only record what they were asked to draw (:func:`rasters_recorded`). At each snapshot the
lines they would have painted (``lines_for``: paths, arrows, crosses, level lines, axes) become
strokes clipped to the view, and on settled snapshots with a text over a view, that one frame is
painted for real so the text's contrast is judged on the pixels under it (:func:`backdrop_samples`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from calcanim.audit.snapshot import PixelBox, StrokeItem
from calcanim.raster.items import StrokedLine

#: A text box over a view is sampled at most this many pixels across (the view's own pixels are coarser
#: than the 1080p-equivalent box, so this is rarely reached).
MAX_SAMPLES_PER_SIDE = 160


@dataclass
class _Recorded:
    painter: Any  # a SurfaceRenderer or ContourRenderer
    render: Callable[..., np.ndarray]  # its real render method
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@contextlib.contextmanager
def rasters_recorded() -> Iterator[None]:
    """Renderers record their calls instead of painting; each RasterView remembers the last call whose
    picture it was handed (``audit_source``). Everything is restored on exit."""
    from calcanim.raster.contour import ContourRenderer
    from calcanim.raster.manim_view import RasterView
    from calcanim.raster.surface import SurfaceRenderer

    last: list[_Recorded | None] = [None]
    saved: list[tuple[type, str, Any]] = []

    def recorder(real: Callable[..., np.ndarray]) -> Callable[..., Any]:
        def record(self: Any, *args: Any, **kwargs: Any) -> Any:
            last[0] = _Recorded(self, real, args, kwargs)
            return self.raster.bgra()  # the raster as it stands (cleared at construction)
        return record

    def show(self: Any, bgra: np.ndarray) -> None:
        self.bgra = bgra
        self.audit_source = last[0]

    for cls in (SurfaceRenderer, ContourRenderer):
        saved.append((cls, "render", cls.__dict__["render"]))
        setattr(cls, "render", recorder(cls.__dict__["render"]))
    saved.append((RasterView, "show", RasterView.__dict__["show"]))
    setattr(RasterView, "show", show)
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


@dataclass(frozen=True)
class ViewPlacement:
    """Where a view's image lies in the 1080p-equivalent frame: its box and pixels per image pixel."""

    box: PixelBox
    scale_x: float
    scale_y: float

    def to_frame(self, pixels: np.ndarray) -> np.ndarray:
        """(..., 2) image pixels -> frame pixels."""
        out = np.empty_like(pixels, dtype=float)
        out[..., 0] = self.box[0] + pixels[..., 0] * self.scale_x
        out[..., 1] = self.box[1] + pixels[..., 1] * self.scale_y
        return out

    def clip_to_frame(self, rect: tuple[float, float, float, float]) -> PixelBox:
        (left, top), (right, bottom) = self.to_frame(np.array([[rect[0], rect[1]], [rect[2], rect[3]]]))
        return float(left), float(top), float(right), float(bottom)


def placement(view: Any, box: PixelBox) -> ViewPlacement:
    width, height = view.pixel_size
    return ViewPlacement(box, (box[2] - box[0]) / width, (box[3] - box[1]) / height)


def recorded(view: Any) -> _Recorded | None:
    source = getattr(view, "audit_source", None)
    return source if isinstance(source, _Recorded) else None


#: How reports name the views, by their renderer.
VIEW_NAMES = {"SurfaceRenderer": "3D view", "ContourRenderer": "contour view"}


def raster_strokes(view: Any, where: ViewPlacement, order: int) -> list[StrokeItem]:
    """The lines painted into ``view`` at this moment, one stroke per kind and colour, in frame pixels."""
    source = recorded(view)
    if source is None:
        return []
    lines: list[StrokedLine] = source.painter.lines_for(*source.args, **source.kwargs)
    groups: dict[tuple[str, tuple[float, float, float]], list[np.ndarray]] = {}
    for line in lines:
        if len(line.segments):
            colour = tuple(round(c, 4) for c in line.colour)
            groups.setdefault((line.kind, colour), []).append(line.segments)  # type: ignore[arg-type]
    clip = where.clip_to_frame(source.painter.clip_rect)
    name = VIEW_NAMES.get(type(source.painter).__name__, "raster view")
    strokes = []
    for (kind, colour), parts in groups.items():
        hexed = "#" + "".join(f"{round(c * 255):02X}" for c in colour)
        strokes.append(StrokeItem(
            key=hash((id(view), kind, colour)), label=f"{kind} in the {name} ({hexed})",
            segments=where.to_frame(np.concatenate(parts)), colours=(colour,),
            order=order, clip=clip, check_contrast=False,
        ))
    return strokes


def painted(view: Any) -> np.ndarray | None:
    """The view's picture at this moment, painted for real: (height, width, 3) RGB in 0..1."""
    source = recorded(view)
    if source is None:
        return None
    bgra = source.render(source.painter, *source.args, **source.kwargs)
    return np.asarray(bgra[:, :, 2::-1], dtype=float) / 255.0


def backdrop_samples(image: np.ndarray, where: ViewPlacement, box: PixelBox, outside: tuple[float, float, float]) -> np.ndarray:
    """Colours under a text box: the image's pixels where the box lies over the view, ``outside`` (one
    sample per image pixel's worth of area) where it does not."""
    height, width = image.shape[:2]
    x0, x1 = (box[0] - where.box[0]) / where.scale_x, (box[2] - where.box[0]) / where.scale_x
    y0, y1 = (box[1] - where.box[1]) / where.scale_y, (box[3] - where.box[1]) / where.scale_y
    c0, c1 = max(0, int(np.floor(x0))), min(width, int(np.ceil(x1)))
    r0, r1 = max(0, int(np.floor(y0))), min(height, int(np.ceil(y1)))
    inside = np.zeros((0, 3))
    if c1 > c0 and r1 > r0:
        step = max(1, int(np.ceil(max(c1 - c0, r1 - r0) / MAX_SAMPLES_PER_SIDE)))
        inside = image[r0:r1:step, c0:c1:step].reshape(-1, 3)
    whole = max(0.0, (x1 - x0) * (y1 - y0))
    covered = max(0, c1 - c0) * max(0, r1 - r0)
    missing = int(round(max(0.0, whole - covered)))
    if missing <= 0:
        return inside
    step_area = max(1, int(np.ceil(max(c1 - c0, r1 - r0, 1) / MAX_SAMPLES_PER_SIDE))) ** 2
    return np.concatenate([inside, np.tile(np.asarray(outside, dtype=float), (max(1, missing // step_area), 1))])
