"""Shared check for the real low-quality renders of the tangent-bases and zoom-linearity clips."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def check_low_quality_video(path: Path, expected_seconds: float) -> None:
    """The file opens with PyAV, is 854x480 at 15 fps, lasts expected_seconds (+-0.2 s) and is not blank."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (854, 480)
        # mp4 muxing can report 15.0003 or so as the average rate; the nominal rate is 15
        assert abs(float(stream.average_rate) - 15.0) < 0.01
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    assert abs(len(frames) / 15.0 - expected_seconds) <= 0.2
    middle = frames[len(frames) // 2]
    assert middle.shape == (480, 854, 3)
    assert len(np.unique(middle.reshape(-1, 3), axis=0)) > 10  # not one flat colour
    assert not np.array_equal(frames[0], frames[-1])  # something moved
