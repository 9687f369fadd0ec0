"""Turning manim's movie into what was asked for: a +faststart mp4, a ProRes 4444 mov, a GIF with
its own palette, or a png poster frame (PyAV and Pillow, loaded only when used)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from calcanim.clip import RenderOptions
from calcanim.errors import RenderError

GIF_MAX_WIDTH = 640
GIF_MAX_FPS = 15


def finish(movie: Path, options: RenderOptions, work: Path, poster_time: float) -> Path:
    """Turn manim's movie into the requested format."""
    if options.format == "mp4":
        return _remux(movie, work / "clip-faststart.mp4")
    if options.format == "mov":
        # manim's segment join writes ProRes 4444 under the 422 HQ tag (apch); editors read the tag.
        return _remux(movie, work / "clip-4444.mov", codec_tag="ap4h")
    if options.format == "gif":
        return movie_to_gif(movie, work / "clip.gif")
    if options.format == "png":
        return extract_frame(movie, poster_time, work / "clip.png", alpha=options.transparent)
    return movie


def extract_frame(movie: Path, seconds: float, target: Path, *, alpha: bool = False) -> Path:
    """Save the frame shown at ``seconds`` (clamped to the clip) as a PNG; RGBA when ``alpha``."""
    chosen = None
    for frame in _decoded_frames(movie, alpha, from_seconds=seconds):
        chosen = frame
        if frame.time is not None and frame.time >= seconds - 1e-6:
            break
    if chosen is None:
        raise RenderError(f"{movie.name} has no frames to take a poster from")
    image = _rgba_image(chosen) if alpha else chosen.to_image()
    image.save(target)
    return target


def _decoded_frames(movie: Path, alpha: bool, from_seconds: float = 0.0) -> Iterator[Any]:
    """The movie's frames in order, from the last keyframe at or before ``from_seconds`` (so a poster
    near the end of a long clip does not decode the whole clip). VP9 alpha lives in side data that
    only libvpx decodes, so a transparent webm is decoded with libvpx-vp9, from the start, rather
    than with FFmpeg's native vp9 decoder."""
    import av

    with av.open(str(movie)) as container:
        stream = container.streams.video[0]
        if not (alpha and stream.codec_context.name == "vp9"):
            if from_seconds > 0 and stream.time_base:
                container.seek(int(from_seconds / stream.time_base), stream=stream, backward=True, any_frame=False)
            yield from container.decode(stream)
            return
        codec = av.CodecContext.create("libvpx-vp9", "r")
        for packet in container.demux(stream):
            for frame in codec.decode(packet):
                frame.pts = packet.pts
                frame.time_base = stream.time_base
                yield frame


def _rgba_image(frame: Any) -> Any:
    from PIL import Image

    return Image.fromarray(frame.to_ndarray(format="rgba"), "RGBA")


def movie_to_gif(movie: Path, target: Path) -> Path:
    """A GIF with one palette built for the clip: at most GIF_MAX_WIDTH wide and GIF_MAX_FPS."""
    import av
    from PIL import Image

    images: list[Image.Image] = []
    with av.open(str(movie)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate or GIF_MAX_FPS)
        keep_every = max(1, round(fps / GIF_MAX_FPS))
        scale = min(1.0, GIF_MAX_WIDTH / stream.width)
        size = (_even_int(stream.width * scale), _even_int(stream.height * scale))
        for index, frame in enumerate(container.decode(stream)):
            if index % keep_every == 0:
                images.append(frame.to_image().resize(size, Image.Resampling.LANCZOS))
    if not images:
        raise RenderError(f"{movie.name} has no frames to make a GIF from")
    sample = images[:: max(1, len(images) // 24)]
    sheet = Image.new("RGB", (size[0], size[1] * len(sample)))
    for row, image in enumerate(sample):
        sheet.paste(image, (0, row * size[1]))
    palette = sheet.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    # GIF delays are whole centiseconds: spread the rounding so the total stays true to the clip,
    # and merge identical neighbours into one longer frame.
    step = keep_every / fps
    frames: list[Image.Image] = []
    durations: list[int] = []
    for index, image in enumerate(images):
        delay = 10 * (round((index + 1) * step * 100) - round(index * step * 100))
        quantized = image.quantize(palette=palette, dither=Image.Dither.NONE)
        if frames and quantized.tobytes() == frames[-1].tobytes():
            durations[-1] += delay
        else:
            frames.append(quantized)
            durations.append(delay)
    frames[0].save(target, save_all=True, append_images=frames[1:], duration=durations, loop=0, optimize=True)
    return target


def _even_int(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _remux(movie: Path, target: Path, codec_tag: str | None = None) -> Path:
    """Copy the video packets into a new file with its index first (+faststart, so browsers can
    play it while it loads), optionally fixing the codec tag."""
    import av

    with av.open(str(movie)) as source, av.open(str(target), "w", options={"movflags": "+faststart"}) as sink:
        video = source.streams.video[0]
        stream = sink.add_stream_from_template(video)
        if codec_tag:
            stream.codec_tag = codec_tag
        for packet in source.demux(video):
            if packet.dts is None:
                continue
            packet.stream = stream
            sink.mux(packet)
    return target
