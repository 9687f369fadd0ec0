"""The Cairo path cache must draw what manim draws: manim's own camera, without the cache, is the
reference picture."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Circle,
    Dot,
    Square,
    Star,
    Triangle,
    VGroup,
    tempconfig,
)
from manim.camera.camera import Camera

from calcanim.manim_speedups import cairo_paths_reused

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def shapes(step: int) -> VGroup:
    """Outlines that move (and one that changes shape) from step to step, like a clip's frames."""
    move = step * (0.137 * RIGHT + 0.071 * DOWN)
    return VGroup(
        Dot(radius=0.3, color="#FFCC00").shift(2 * LEFT + move),
        Star(color="#56B4E9", fill_opacity=0.6).shift(UP + move),
        Square(side_length=1.3, color="#E69F00", stroke_width=6).shift(3 * RIGHT - move),
        Triangle(color="#009E73", fill_opacity=1).scale(0.5).shift(2 * DOWN),  # never moves
        Circle(radius=0.2 + 0.1 * step, color="#CC79A7"),  # a new outline every step
    )


def frames(cached: bool, steps: int = 6) -> tuple[list[np.ndarray], object]:
    """Draw the steps with one camera, with or without the path cache (one cache for all, as in a render)."""
    with tempconfig({"pixel_width": 640, "pixel_height": 360, "verbosity": "ERROR"}):
        camera = Camera()
        with cairo_paths_reused() if cached else contextlib.nullcontext() as cache:
            pictures = []
            for step in range(steps):
                camera.reset()
                camera.capture_mobjects(shapes(step))
                pictures.append(camera.pixel_array.copy())
    return pictures, cache


def test_cached_paths_draw_the_same_frames() -> None:
    reference, _ = frames(cached=False)
    ours, cache = frames(cached=True)
    for want, got in zip(reference, ours):
        difference = np.abs(want.astype(int) - got.astype(int))
        # cairo keeps paths in 1/256-pixel fixed point, so a replayed (translated) path may shade a
        # few edge pixels slightly differently (measured: at most 9 levels of 255, on under 0.2% of
        # the pixels); a wrong path would differ by hundreds of levels over whole shapes
        assert difference.max() <= 16
        assert (difference.max(axis=2) > 0).mean() < 0.005
    assert cache.hits >= 3 * 4  # from the third frame on, the four outlines that keep their shape


def test_the_camera_is_restored_afterwards() -> None:
    original = Camera.set_cairo_context_path
    with cairo_paths_reused():
        assert Camera.set_cairo_context_path is not original
    assert Camera.set_cairo_context_path is original


@pytest.mark.render
def test_frames_handed_to_the_encoder_make_the_same_video(tmp_path, monkeypatch) -> None:
    """Handing the camera's buffer to the encoder (no copy) must not change a single pixel, and the
    buffers must be recycled rather than one made per frame."""
    import av

    from calcanim import manim_speedups
    from calcanim.registry import get_scene
    from calcanim.rendering import RenderOptions, render_clip

    entry = get_scene("limit-climb")
    params = entry.params_class.from_mapping({"duration": 2})

    def decoded(path) -> list[np.ndarray]:
        with av.open(str(path)) as container:
            return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]

    pools = []
    original = manim_speedups.encode_frames_in_place
    monkeypatch.setattr(manim_speedups, "encode_frames_in_place", lambda scene: pools.append(original(scene)))
    ours = render_clip(entry, params, RenderOptions(quality="low"), tmp_path / "ours.mp4", progress=False).path
    monkeypatch.setattr(manim_speedups, "encode_frames_in_place", lambda scene: None)  # manim's own path
    manims = render_clip(entry, params, RenderOptions(quality="low"), tmp_path / "manims.mp4", progress=False).path

    ours_frames, manims_frames = decoded(ours), decoded(manims)
    assert len(ours_frames) == len(manims_frames) > 60
    for mine, theirs in zip(ours_frames, manims_frames):
        assert np.array_equal(mine, theirs)
    assert pools[0] is not None and 1 < pools[0].size <= 30
