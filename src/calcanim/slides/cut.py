"""Cut a rendered clip into its segments: find the rests in the decoded video, then write each
segment as its own short H.264 mp4 (yuv420p, +faststart), frame for frame the clip's own frames."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

from calcanim.errors import RenderError
from calcanim.files import atomic_target
from calcanim.slides.stops import Segment, rest_ends, segments, snapped

#: Frames are compared at this width (grey levels): enough to see a moving dot, cheap to decode.
PROBE_WIDTH = 320


def frame_changes(video: Path) -> tuple[list[float], float, int]:
    """Mean absolute grey change between consecutive frames, the frame rate and the frame count."""
    import av

    changes: list[float] = []
    previous: np.ndarray | None = None
    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            fps = float(stream.average_rate or stream.guessed_rate or 30)
            count = 0
            for frame in container.decode(stream):
                height = max(2, round(frame.height * PROBE_WIDTH / frame.width / 2) * 2)
                grey = frame.reformat(width=PROBE_WIDTH, height=height, format="gray").to_ndarray().astype(np.int16)
                if previous is not None:
                    changes.append(float(np.abs(grey - previous).mean()))
                previous = grey
                count += 1
    except (OSError, av.error.FFmpegError) as error:
        raise RenderError(f"cannot read {video} to find its stops: {error}; render the clip again with --force") from None
    return changes, fps, count


def split_points(video: Path, beats: Sequence[float] = ()) -> list[Segment]:
    """The clip's segments: where it rests, and at the end of each narration beat (``beats``, in
    seconds: the captions' cue ends), moved to the quietest frame nearby."""
    changes, fps, count = frame_changes(video)
    cuts = rest_ends(changes, fps) + [snapped(round(t * fps), changes, fps) for t in beats]
    return segments(count, fps, cuts)


def write_segments(video: Path, parts: Sequence[Segment], names: Sequence[Path]) -> None:
    """Write ``parts`` of ``video`` to ``names`` (each file appears whole or not at all)."""
    import av

    index = 0
    part = 0
    try:
        with av.open(str(video)) as source:
            stream = source.streams.video[0]
            stream.thread_type = "AUTO"
            frames = source.decode(stream)
            for part, (segment, name) in enumerate(zip(parts, names, strict=True)):
                with atomic_target(name, ".mp4.partial") as temp:
                    with av.open(str(temp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
                        encoder = out.add_stream("libx264", rate=Fraction(segment.fps).limit_denominator(1001))
                        encoder.width, encoder.height = stream.codec_context.width, stream.codec_context.height
                        encoder.pix_fmt = "yuv420p"
                        encoder.options = {"crf": "20", "preset": "veryfast"}
                        written = 0
                        while index < segment.last:
                            frame = next(frames)
                            index += 1
                            if index <= segment.first:
                                continue
                            image = frame.reformat(format="yuv420p")
                            image.pts = written
                            written += 1
                            out.mux(encoder.encode(image))
                        out.mux(encoder.encode(None))
    except StopIteration:
        raise RenderError(f"{video} ended before segment {part + 1}; render the clip again with --force") from None
    except (OSError, av.error.FFmpegError) as error:
        raise RenderError(f"cannot cut {video} into slides: {error}") from None
