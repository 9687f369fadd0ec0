"""Live readouts must change while a play runs, not jump at its end.

manim paints mobjects without updaters of their own into a play's frozen background; a readout set
from another mobject's updater then stays frozen on screen (it happened in limit-climb and
tangent-bases). These tests compare the readout corner of two frames inside one play.
"""

from pathlib import Path

import av
import numpy as np
import pytest

from calcanim.registry import get_scene
from calcanim.rendering import RenderOptions, render_clip

pytestmark = pytest.mark.render


def frames_at(path: Path, seconds: list[float]) -> list[np.ndarray]:
    wanted = sorted(seconds)
    found: list[np.ndarray] = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if wanted and frame.time >= wanted[0]:
                found.append(frame.to_ndarray(format="rgb24"))
                wanted.pop(0)
    return found


def top_right(frame: np.ndarray, down_to: float) -> np.ndarray:
    height, width, _ = frame.shape
    return frame[: int(height * down_to), int(width * 0.55) :].astype(int)


@pytest.mark.parametrize(
    ("scene", "values", "inside_one_play", "down_to"),
    [
        # the climb from n = 10^3 to 10^6 is one play, from 2 + 8 * 3/6 = 6 s to 10 s; the readouts are
        # in the top fifth, above the e line the dot rides along
        ("limit-climb", {}, [7.0, 9.0], 0.22),
        # the first leg sweeps b from 1.5 to 2 right after the 2 s intro, for about 1.76 s; the
        # readouts stand right of the axes
        ("tangent-bases", {"quotients": False}, [2.4, 3.4], 0.35),
    ],
)
def test_readouts_change_during_a_play(
    tmp_path: Path, scene: str, values: dict, inside_one_play: list[float], down_to: float
) -> None:
    entry = get_scene(scene)
    params = entry.params_class.from_mapping(values)
    out = render_clip(entry, params, RenderOptions(quality="low"), tmp_path / "clip.mp4", progress=False).path
    early, late = frames_at(out, inside_one_play)
    changed = np.abs(top_right(early, down_to) - top_right(late, down_to)).max(axis=2) > 40
    assert changed.sum() > 30, "the readouts did not change between two frames of one play"
