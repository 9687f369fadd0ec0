"""Play a scene without drawing a pixel or writing a file, and take :class:`Snapshot`s of it.

:class:`SamplingRenderer` is manim's Cairo renderer with the camera and the file writer taken out:
``Scene.play`` still compiles the animations and ``play_internal`` still steps every frame through
``update_to_time`` (animations interpolated, updaters run), but ``render``/``update_frame`` only
advance the clock and hand the moment to a :class:`Sampler`. A snapshot is taken at regular times
and at the end of every play or wait (the clip's key moments) that is not too close to the last.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import numpy as np
from manim import (
    DashedVMobject,
    DecimalNumber,
    ImageMobject,
    MarkupText,
    Mobject,
    Paragraph,
    Rectangle,
    SingleStringMathTex,
    Text,
    VMobject,
)
from manim.renderer.cairo_renderer import CairoRenderer
from manim.utils.family import extract_mobject_family_members

from calcanim.audit.raster_views import ViewPlacement, backdrop_samples, painted, placement, raster_strokes
from calcanim.audit.snapshot import Cover, Snapshot, StrokeItem, TextItem
from calcanim.raster.manim_view import RasterView
from calcanim.style.contrast import RGB, blend, hex_to_rgb
from calcanim.style.text_size import TextKind, digit_height

TEX_TYPES = (SingleStringMathTex, DecimalNumber)
PANGO_TYPES = (Text, MarkupText, Paragraph)
#: A filled rectangle at least this opaque hides the lines under it (manim's BackgroundRectangle is 0.75).
COVER_OPACITY = 0.75
#: Opacity below which a shape counts as not shown.
INVISIBLE = 0.05
#: Points per cubic Bezier piece when a curve is turned into segments.
SAMPLES_PER_CURVE = 9
#: Settled moments closer together than this (seconds) are sampled once.
MIN_GAP = 0.3


class _NoFiles:
    """Stands in for manim's SceneFileWriter: accepts every call and writes nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.subcaptions: list[Any] = []
        self.sections: list[Any] = []

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


class Sampler:
    """Decides when to look and turns the scene's mobjects into snapshots in 1080p-equivalent pixels."""

    def __init__(self, interval: float, short_side_px: float = 1080.0, grid_colour: str | None = None) -> None:
        self.interval = max(0.1, interval)
        self.short_side_px = short_side_px
        self.grid = grid_colour.upper() if grid_colour else None
        self.snapshots: list[Snapshot] = []
        self.next_regular = 0.0
        self.last_settled = -1.0

    def frame(self, scene: Any, time: float) -> None:
        if time + 1e-9 >= self.next_regular:
            self.snapshots.append(self.take(scene, time, settled=False))
            while self.next_regular <= time + 1e-9:
                self.next_regular += self.interval

    def settled(self, scene: Any, time: float, force: bool = False) -> None:
        if force or time - self.last_settled >= MIN_GAP:
            self.snapshots.append(self.take(scene, time, settled=True))
            self.last_settled = time

    def take(self, scene: Any, time: float, settled: bool) -> Snapshot:
        camera = scene.camera
        fw, fh = float(camera.frame_width), float(camera.frame_height)
        per_unit = self.short_side_px / min(fw, fh)
        centre = np.asarray(camera.frame_center, dtype=float)
        origin = np.array([centre[0] - fw / 2, centre[1] + fh / 2])

        def to_px(points: np.ndarray) -> np.ndarray:
            out = np.empty((len(points), 2))
            out[:, 0] = (points[:, 0] - origin[0]) * per_unit
            out[:, 1] = (origin[1] - points[:, 1]) * per_unit
            return out

        background = _rgb(camera.background_color)
        shot = Snapshot(time=round(float(time), 3), settled=settled, width=fw * per_unit, height=fh * per_unit,
                        background=background)
        tops = list(scene.mobjects) + [m for m in scene.foreground_mobjects if m not in scene.mobjects]
        flat = extract_mobject_family_members(tops, use_z_index=camera.use_z_index)
        order = {id(m): i for i, m in enumerate(flat)}
        texts: list[tuple[Mobject, str, int]] = []
        others: list[tuple[Mobject, str, int]] = []
        for top in tops:
            _walk(top, type(top).__name__, texts, others)

        views: list[tuple[RasterView, ViewPlacement, int]] = []
        for mob, _, _ in others:
            if isinstance(mob, ImageMobject):
                box = _box(to_px(np.asarray(mob.points)))
                if box is not None:
                    shot.covers.append(Cover(box, order.get(id(mob), 0), background))
                    if isinstance(mob, RasterView):  # what it paints is looked at too
                        views.append((mob, placement(mob, box), order.get(id(mob), 0)))
            elif isinstance(mob, Rectangle) and len(mob.points) and mob.get_fill_opacity() >= COVER_OPACITY:
                box = _box(to_px(mob.points))
                if box is not None:
                    colour = blend(_rgb(mob.get_fill_color()), background, mob.get_fill_opacity())
                    shot.covers.append(Cover(box, order.get(id(mob), 0), colour))

        for mob, _, _ in texts:
            text = self._text(mob, to_px, order, shot, per_unit)
            if text is not None:
                shot.texts.append(text)
        for mob, path, key in others:
            stroke = self._stroke(mob, path, key, to_px, order, background)
            if stroke is not None:
                shot.strokes.append(stroke)
        for view, where, position in views:
            shot.strokes += raster_strokes(view, where, position)
            if settled:
                self._judge_over(view, where, position, shot)
        return shot

    def _judge_over(self, view: RasterView, where: ViewPlacement, position: int, shot: Snapshot) -> None:
        """Texts drawn over a raster view (with no opaque backing of their own between) get the rendered
        pixels under them as their backdrop; the view is painted once, only if some text lies over it."""
        image = None
        for i, text in enumerate(shot.texts):
            box = text.box
            if text.order <= position or not _meets(box, where.box):
                continue
            if any(position < c.order < text.order and _inside(box, c.box) for c in shot.covers):
                continue
            if image is None:
                image = painted(view)
                if image is None:
                    return
            shot.texts[i] = replace(text, backdrop_samples=backdrop_samples(image, where, box, text.backdrop))

    def _text(self, mob: Mobject, to_px: Any, order: dict[int, int], shot: Snapshot, per_unit: float) -> TextItem | None:
        parts = [m for m in mob.get_family() if len(m.points) and isinstance(m, VMobject)]
        shown = [m for m in parts if m.get_fill_opacity() >= INVISIBLE]
        if not shown:
            return None
        points = np.concatenate([m.points for m in shown])
        box = _box(to_px(points))
        if box is None or box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
            return None
        kind: TextKind = "text" if isinstance(mob, PANGO_TYPES) else "tex"
        try:
            size = float(mob.font_size)
        except (AttributeError, ZeroDivisionError, TypeError):
            size = float("nan")
        height = digit_height(size, kind) * per_unit if np.isfinite(size) and size > 0 else box[3] - box[1]
        position = min(order.get(id(m), 0) for m in shown)
        backdrop = shot.background
        for cover in sorted(shot.covers, key=lambda c: c.order):
            if cover.order < position and _inside(box, cover.box):
                backdrop = cover.colour
        colours = {tuple(round(c, 4) for c in blend(_rgb(m.get_fill_color()), backdrop, m.get_fill_opacity()))
                   for m in shown}
        where = f" at ({(box[0] + box[2]) / 2:.0f}, {(box[1] + box[3]) / 2:.0f}) px"
        return TextItem(key=id(mob), label=f"'{_label(mob)}'{where}", box=box, height=height,
                        colours=tuple(sorted(colours)), backdrop=backdrop, order=position)  # type: ignore[arg-type]

    def _stroke(self, mob: Mobject, path: str, key: int, to_px: Any, order: dict[int, int], background: RGB) -> StrokeItem | None:
        if not isinstance(mob, VMobject) or len(mob.points) < 4:
            return None
        if mob.get_stroke_width() <= 0 or mob.get_stroke_opacity() < INVISIBLE:
            return None
        segments = _segments(to_px(mob.points[: len(mob.points) // 4 * 4]))
        if len(segments) == 0:
            return None
        colours = [_rgb(c) for c in mob.get_stroke_colors()]
        opacity = mob.get_stroke_opacity()
        hexes = {_hex(c) for c in colours}
        decorative = self.grid is not None and hexes == {self.grid}
        blended = tuple(sorted({tuple(round(x, 4) for x in blend(c, background, opacity)) for c in colours}))
        label = f"line {path} ({', '.join(sorted(hexes))})"
        return StrokeItem(key=key, label=label, segments=segments, colours=blended,  # type: ignore[arg-type]
                          order=order.get(id(mob), 0), decorative=decorative)


class SamplingRenderer(CairoRenderer):
    """A Cairo renderer that draws nothing and writes nothing; it keeps time and calls a Sampler."""

    def __init__(self, sampler: Sampler, frame_rate: float) -> None:
        super().__init__(file_writer_class=_NoFiles)
        self.sampler = sampler
        self.dt = 1.0 / frame_rate

    def init_scene(self, scene: Any, *args: Any, **kwargs: Any) -> None:
        self.file_writer = _NoFiles()

    def update_skipping_status(self) -> None:
        self.skip_animations = False

    def play(self, scene: Any, *args: Any, **kwargs: Any) -> None:
        super().play(scene, *args, **kwargs)
        self.sampler.settled(scene, self.time)

    def update_frame(self, *args: Any, **kwargs: Any) -> None:
        return None

    def save_static_frame_data(self, scene: Any, static_mobjects: Iterable[Mobject]) -> None:
        self.static_image = None
        return None

    def render(self, scene: Any, time: float, moving_mobjects: Iterable[Mobject] | None = None) -> None:
        self.sampler.frame(scene, self.time)
        self.time += self.dt

    def get_frame(self) -> Any:
        return None

    def add_frame(self, frame: Any, num_frames: int = 1) -> None:
        self.time += num_frames * self.dt

    def scene_finished(self, scene: Any) -> None:
        return None


def _walk(mob: Mobject, path: str, texts: list[tuple[Mobject, str, int]], others: list[tuple[Mobject, str, int]],
          owner: int | None = None) -> None:
    """Texts (not looked into) and everything else; ``path`` names the nearest named class, and the
    pieces of a dashed line share the dashed line's key (``owner``)."""
    if isinstance(mob, TEX_TYPES + PANGO_TYPES):
        texts.append((mob, path, id(mob)))
        return
    others.append((mob, path, owner if owner is not None else id(mob)))
    if owner is None and (isinstance(mob, DashedVMobject) or type(mob).__name__.startswith("Dashed")):
        owner = id(mob)
    for part in mob.submobjects:
        _walk(part, path if type(part).__name__ in ("VGroup", "VMobject", "Group") else type(part).__name__,
              texts, others, owner)


def _box(points: np.ndarray) -> tuple[float, float, float, float] | None:
    finite = points[np.all(np.isfinite(points), axis=1)]
    if len(finite) == 0:
        return None
    (left, top), (right, bottom) = finite.min(axis=0), finite.max(axis=0)
    return float(left), float(top), float(right), float(bottom)


def _meets(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


_T = np.linspace(0.0, 1.0, SAMPLES_PER_CURVE)
_BERNSTEIN = np.stack([(1 - _T) ** 3, 3 * (1 - _T) ** 2 * _T, 3 * (1 - _T) * _T**2, _T**3], axis=1)  # (S, 4)


def _segments(points: np.ndarray) -> np.ndarray:
    """Cubic Bezier pieces (every 4 points) -> (n, 2, 2) straight segments along them."""
    curves = points.reshape(-1, 4, 2)
    curves = curves[np.all(np.isfinite(curves), axis=(1, 2))]
    if len(curves) == 0:
        return np.zeros((0, 2, 2))
    samples = np.einsum("sk,nkd->nsd", _BERNSTEIN, curves)  # (n, S, 2)
    segments = np.stack([samples[:, :-1], samples[:, 1:]], axis=2).reshape(-1, 2, 2)
    moving = np.any(segments[:, 0] != segments[:, 1], axis=1)
    return segments[moving]


def _rgb(colour: Any) -> RGB:
    if isinstance(colour, str):
        return hex_to_rgb(colour)
    r, g, b = colour.to_rgb()[:3]
    return float(r), float(g), float(b)


def _hex(colour: RGB) -> str:
    return "#" + "".join(f"{round(c * 255):02X}" for c in colour)


def _label(mob: Mobject) -> str:
    if isinstance(mob, DecimalNumber):
        text = getattr(mob, "_shown", None) or mob._get_num_string(mob.number)
    elif isinstance(mob, SingleStringMathTex):
        text = mob.tex_string
    else:
        text = getattr(mob, "original_text", None) or getattr(mob, "text", "") or type(mob).__name__
    text = " ".join(str(text).split())
    return text if len(text) <= 40 else text[:39] + "…"
