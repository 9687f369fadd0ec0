"""Shared checks of a real low-quality render: the file opens, 854x480 at 15 fps, the planned length, not blank."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np

from calcanim.registry import get_scene
from calcanim.rendering import RenderOptions, render_clip


def render_and_check(name: str, values: dict[str, Any], folder: Path) -> Any:
    """Render scene `name` at low quality into folder, check the video, return the plan."""
    entry = get_scene(name)
    params = entry.params_class.from_mapping(values)
    plan = entry.plan(params)
    result = render_clip(entry, params, RenderOptions(quality="low"), folder / "clip.mp4", progress=False)
    with av.open(str(result.path)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (854, 480)
        assert round(float(stream.average_rate)) == 15
        assert abs(float(container.duration) / 1e6 - plan.duration) <= 0.2
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    assert abs(len(frames) / 15 - plan.duration) <= 0.2
    middle = frames[len(frames) // 2]
    assert np.ptp(middle.reshape(-1, 3), axis=0).max() > 50, "the middle frame is one flat colour"
    assert any(not np.array_equal(frames[0], frame) for frame in frames[1:]), "nothing moves"
    assert result.captions and result.captions[0].read_text(encoding="utf-8").strip()
    return plan
