"""Speed-ups that reach into manim's Cairo camera, applied only while calcanim renders.

Pinned to manim 0.22 (pyproject); re-check each on a manim upgrade.
"""

from __future__ import annotations

import contextlib
import functools
from collections import OrderedDict, deque
from collections.abc import Iterator
from fractions import Fraction
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

    A replayed path can land on other 1/256-pixel steps than a freshly built one, so what the cache
    holds shows (faintly) in the pixels. :meth:`forget_at_each_animation` empties it as each animation
    starts, so an animation's frames depend on that animation alone: a split render (``--jobs``),
    whose workers start mid-clip, draws exactly the frames one process draws.
    """

    def __init__(self, size: int = PATH_CACHE_SIZE) -> None:
        self.size = size
        self.paths: OrderedDict[bytes, tuple[Any, float, float]] = OrderedDict()
        self.seen: OrderedDict[bytes, None] = OrderedDict()
        self.hits = self.misses = 0

    def forget(self) -> None:
        self.paths.clear()
        self.seen.clear()

    def forget_at_each_animation(self, scene: Any) -> None:
        """Empty the cache at the start of every ``play``/``wait`` of ``scene``."""
        renderer = scene.renderer
        play = renderer.play

        def play_forgetting(*args: Any, **kwargs: Any) -> None:
            self.forget()
            play(*args, **kwargs)

        renderer.play = play_forgetting

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


class _FramePool:
    """Frame buffers that the camera draws into and hands to the encoder, instead of copying.

    manim copies every finished frame (``CairoRenderer.get_frame``, 8 MB at 1080p) because the
    encoder thread reads it later while the camera draws the next one. Here the camera gets a
    free buffer for the next frame instead, and the encoder gives each buffer back once it has
    converted it to YUV. Every frame starts by copying the background into the camera's buffer,
    so a recycled buffer's old pixels never show. Buffers are kept alive for the whole render:
    manim caches a Cairo context per buffer ``id``, so an id must never be reused by new memory.
    At most as many buffers exist as frames manim lets wait in its encoder queues.
    """

    def __init__(self) -> None:
        self._owned: dict[int, np.ndarray] = {}
        self._free: deque[np.ndarray] = deque()

    @property
    def size(self) -> int:
        """How many frame buffers this render has made (bounded by manim's encoder queues)."""
        return len(self._owned)

    def hand_over(self, camera: Any) -> np.ndarray:
        frame = camera.pixel_array
        self._owned.setdefault(id(frame), frame)
        try:
            fresh = self._free.pop()
        except IndexError:
            fresh = np.empty_like(frame)
            self._owned[id(fresh)] = fresh
        camera.pixel_array = fresh
        return frame

    def give_back(self, frame: Any) -> None:
        owned = self._owned.get(id(frame))
        if owned is not None and owned is frame:
            self._free.append(owned)


def encode_frames_in_place(scene: Any) -> _FramePool | None:
    """Give this scene's x264 segments an encoder that takes manim's frames without copying them.

    manim copies each finished frame for its encoder thread (``get_frame``) and the encoder copies
    it again into a VideoFrame (``VideoFrame.from_ndarray``, ~5 ms at 1080p). Here the camera hands
    its buffer over and draws the next frame into a recycled one (:class:`_FramePool`); the encoder
    reads the buffer in place, converts it to YUV once (once per frozen frame, not once per
    repeat) and gives it back. Same swscale call as PyAV's own encode path: the same bytes out.
    """
    writer = scene.renderer.file_writer
    spec = getattr(writer, "video_encoder", None)
    if spec is None or spec.codec != "libx264":
        return None
    pool = _FramePool()
    encoder_class = _in_place_encoder_class()

    def create_segment_encoder(target: Any) -> Any:
        encoder = encoder_class(target=target, spec=spec)
        encoder.after_conversion = pool.give_back
        return encoder

    writer._create_segment_encoder = create_segment_encoder
    renderer = scene.renderer

    def render(scene: Any, time: float, moving_mobjects: Any = None) -> None:
        """CairoRenderer.render, with the finished frame handed over instead of copied."""
        renderer.update_frame(scene, moving_mobjects)
        skipped = renderer.skip_animations  # manim drops the frame: nothing would give the buffer back
        renderer.add_frame(renderer.get_frame() if skipped else pool.hand_over(renderer.camera))

    renderer.render = render
    return pool


@functools.cache
def _in_place_encoder_class() -> type:
    import av
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    class InPlaceSegmentEncoder(VideoSegmentEncoder):
        """manim's segment encoder, with the same pixels out but less work per frame."""

        after_conversion: Any = None

        def write_frame(self, pixels: Any, *, repeat: int = 1) -> None:
            self._validate_frame(pixels, repeat)
            time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
            try:
                source = av.VideoFrame.from_numpy_buffer(pixels, format="rgba")
                frame = source.reformat(format=self.spec.pixel_format)
                if frame is not source and self.after_conversion is not None:
                    self.after_conversion(pixels)  # the YUV frame owns its own memory
                frame.time_base = time_base
                for _ in range(repeat):  # the encoder keeps its own reference to each frame sent
                    frame.pts = self._next_pts
                    self._next_pts += 1
                    for packet in self._stream.encode(frame):
                        self._container.mux(packet)
            except BaseException as error:
                raise self._operation_error("encode", error) from error

    return InPlaceSegmentEncoder


@contextlib.contextmanager
def svg_paths_shared_by_copies() -> Iterator[None]:
    """While rendering, copies of TeX and SVG shapes share their parsed SVG path instead of deep-copying it.

    A glyph keeps the svgelements Path it was built from (``path_obj``) but never reads it again;
    deep-copying it was ~85% of the cost of copying a formula, and manim copies whole groups at
    the start of every FadeIn, Transform and Write. The points, colours and everything drawn are
    still copied, so frames do not change.
    """
    from manim import Mobject
    from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

    def deepcopy_sharing_path(self: Any, memo: dict[int, Any]) -> Any:
        path = self.__dict__.get("path_obj")
        if path is not None:
            memo.setdefault(id(path), path)
        return Mobject.__deepcopy__(self, memo)

    had_own = "__deepcopy__" in VMobjectFromSVGPath.__dict__
    previous = VMobjectFromSVGPath.__dict__.get("__deepcopy__")
    VMobjectFromSVGPath.__deepcopy__ = deepcopy_sharing_path
    try:
        yield
    finally:
        if had_own:
            VMobjectFromSVGPath.__deepcopy__ = previous
        else:
            del VMobjectFromSVGPath.__deepcopy__
