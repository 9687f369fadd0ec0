"""The one module that touches manim's config: render a scene into a private working folder,
then move the finished files into place, so nothing partial ever appears under renders/."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from calcanim import __version__
from calcanim.captions import srt_to_vtt
from calcanim.errors import CalcanimError, ParamError, RenderError
from calcanim.params.base import SceneParams
from calcanim.registry import SceneEntry
from calcanim.style.assets import assets_dir
from calcanim.style.layout import Layout, make_layout
from calcanim.style.themes import DEFAULT_THEME, load_theme, theme_key
from calcanim.svg_cache import svg_disk_cache, tex_svg_looks_complete

FORMATS = ("mp4", "webm", "gif", "png", "mov")
TRANSPARENT_FORMATS = ("webm", "mov", "png")
DEFAULT_RENDERS_DIR = Path("renders")
#: What manim renders for each requested format; gif and png are made from an mp4 (or webm with alpha).
_MANIM_FORMAT = {"mp4": "mp4", "webm": "webm", "mov": "mov", "gif": "mp4", "png": "mp4"}
GIF_MAX_WIDTH = 640
GIF_MAX_FPS = 15


@dataclass(frozen=True)
class RenderOptions:
    """How to render, beside what to render (the params)."""

    quality: str = "high"
    format: str = "mp4"
    theme: str = DEFAULT_THEME
    aspect: str = "16:9"
    captions: bool = True
    transparent: bool = False

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ParamError(f"unknown format '{self.format}'; use one of {', '.join(FORMATS)}")
        if self.transparent and self.format not in TRANSPARENT_FORMATS:
            raise ParamError(
                f"--transparent needs a format with an alpha channel: {', '.join(TRANSPARENT_FORMATS)}; "
                f"got {self.format} (try --format webm or --format mov)"
            )
        make_layout(self.quality, self.aspect)
        load_theme(self.theme)

    @property
    def layout(self) -> Layout:
        return make_layout(self.quality, self.aspect)


@dataclass(frozen=True)
class RenderResult:
    """The finished files of one render."""

    path: Path
    captions: tuple[Path, ...] = ()
    poster: Path | None = None
    cached: bool = False
    key: str = ""

    @property
    def extras(self) -> tuple[Path, ...]:
        return self.captions + ((self.poster,) if self.poster else ())


def _tree_digest(root: Path, pattern: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def assets_digest() -> str:
    """A hash of every asset file (themes, TeX preamble): changing one invalidates cached clips."""
    return _tree_digest(assets_dir(), "*")


#: The parts of calcanim that decide what a clip looks like (not the CLI, batch runner or gallery page).
PIXEL_SOURCES = ("scenes", "plans", "params", "numerics", "style", "expr.py", "render.py", "captions.py")


@functools.cache
def code_digest() -> str:
    """A hash of the source that draws clips: a changed scene invalidates cached clips even before a
    release, while an edit to the CLI or the gallery page does not."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for part in PIXEL_SOURCES:
        path = package / part
        digest.update(part.encode())
        digest.update(_tree_digest(path, "*.py").encode() if path.is_dir() else path.read_bytes())
    return digest.hexdigest()


def clip_key(entry: SceneEntry, params: SceneParams, options: RenderOptions) -> str:
    """A stable hash of everything that decides the clip's content: scene, params, options,
    assets, calcanim's source and version."""
    payload = {
        "scene": entry.name,
        "params": params.to_dict(),
        "options": {**asdict(options), "theme": theme_key(options.theme)},
        "assets": assets_digest(),
        "code": code_digest(),
        "version": __version__,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def clip_hash(entry: SceneEntry, params: SceneParams, options: RenderOptions) -> str:
    """The short form of :func:`clip_key` used in default file names."""
    return clip_key(entry, params, options)[:10]


def default_output(entry: SceneEntry, params: SceneParams, options: RenderOptions, root: Path = DEFAULT_RENDERS_DIR) -> Path:
    """renders/<scene>/<scene>-<hash>.<ext>: variants never overwrite each other."""
    return root / entry.name / f"{entry.name}-{clip_hash(entry, params, options)}.{options.format}"


def resolve_output(path: Path, options: RenderOptions) -> Path:
    """Check the output path before any work: right extension, and a folder we can write to (made if missing)."""
    if path.suffix.lower() != f".{options.format}":
        raise ParamError(
            f"output '{path}' does not end in .{options.format}; use -o NAME.{options.format} or --format {path.suffix.lstrip('.') or '...'}"
        )
    folder = path.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise RenderError(f"cannot write to output folder '{folder}': {existing} is not a writable folder; choose another -o path")
    if path.is_dir():
        raise RenderError(f"output '{path}' is a folder; give a file name such as {path / ('clip.' + options.format)}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".calcanim-probe-"):
            pass
    except OSError as error:
        raise RenderError(
            f"cannot write to output folder '{folder}': {error.strerror or error}; choose another -o path"
        ) from None
    return path


def wants_captions(options: RenderOptions) -> bool:
    """Caption files go beside videos that a player shows with a captions track (not png or gif)."""
    return options.captions and options.format not in ("png", "gif")


def _stamp_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.key")


def _caption_paths(output: Path) -> tuple[Path, Path]:
    return output.with_suffix(".srt"), output.with_suffix(".vtt")


def cached_result(output: Path, key: str, options: RenderOptions, poster: Path | None = None) -> RenderResult | None:
    """The finished files of an identical earlier render, if they are all still there."""
    stamp = _stamp_path(output)
    try:
        if not output.is_file() or stamp.read_text(encoding="utf-8").strip() != key:
            return None
    except OSError:
        return None
    captions = tuple(p for p in _caption_paths(output) if p.is_file()) if wants_captions(options) else ()
    if poster is not None and not poster.is_file():
        return None
    return RenderResult(path=output, captions=captions, poster=poster, cached=True, key=key)


def render_clip(
    entry: SceneEntry,
    params: SceneParams,
    options: RenderOptions,
    output: Path | None = None,
    *,
    progress: bool = True,
    force: bool = False,
    poster: Path | None = None,
) -> RenderResult:
    """Render one clip to ``output`` (default: :func:`default_output`) and return the finished files.

    An identical clip already at ``output`` (same key stamp) is reused unless ``force``. With
    ``poster``, a png of the clip's most telling frame is written there too.
    """
    output = resolve_output(output if output is not None else default_output(entry, params, options), options)
    key = clip_key(entry, params, options)
    if not force and (hit := cached_result(output, key, options, poster)) is not None:
        return hit
    with tempfile.TemporaryDirectory(prefix="calcanim-") as work_dir:
        work = Path(work_dir)
        movie, subtitles, poster_time = _render_in(work, entry, params, options, progress)
        finished = [(_finish(movie, options, work, poster_time), output)]
        captions: list[Path] = []
        if wants_captions(options) and subtitles is not None:
            srt, vtt = _caption_paths(output)
            vtt_work = work / "captions.vtt"
            vtt_work.write_text(srt_to_vtt(subtitles.read_text(encoding="utf-8")), encoding="utf-8")
            finished += [(subtitles, srt), (vtt_work, vtt)]
            captions = [srt, vtt]
        if poster is not None:
            finished.append((extract_frame(movie, poster_time, work / "poster.png", alpha=options.transparent), poster))
        stamp_work = work / "key"
        stamp_work.write_text(key + "\n", encoding="utf-8")
        finished.append((stamp_work, _stamp_path(output)))
        _move_all_into_place(finished)
    return RenderResult(path=output, captions=tuple(captions), poster=poster, cached=False, key=key)


def _finish(movie: Path, options: RenderOptions, work: Path, poster_time: float) -> Path:
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


def _render_in(
    work: Path, entry: SceneEntry, params: SceneParams, options: RenderOptions, progress: bool
) -> tuple[Path, Path | None, float]:
    """Render with manim inside ``work``; return the movie, its .srt (if any) and the poster time."""
    from manim import tempconfig

    from calcanim.manim_speedups import (
        cairo_paths_reused,
        encode_frames_in_place,
        svg_paths_shared_by_copies,
    )

    layout = options.layout
    manim_format = "webm" if options.transparent and options.format == "png" else _MANIM_FORMAT[options.format]
    settings: dict[str, Any] = {
        "media_dir": str(work / "media"),
        "tex_dir": str(work / "tex"),
        "pixel_width": layout.pixel_width,
        "pixel_height": layout.pixel_height,
        "frame_width": layout.frame_width,
        "frame_height": layout.frame_height,
        "frame_rate": layout.fps,
        "format": manim_format,
        "transparent": options.transparent,
        "output_file": "clip",
        "disable_caching": True,
        "verbosity": "ERROR",
        "progress_bar": "display" if progress else "none",
        "preview": False,
        **encoder_settings(options),
    }
    scene_class = entry.scene_class()
    theme = load_theme(options.theme)
    with (
        _quiet_manim_logger(),
        tempconfig(settings),
        shared_tex_cache(work / "tex"),
        svg_disk_cache(),
        svg_paths_shared_by_copies(),
    ):
        try:
            scene = scene_class(params=params, theme=theme)
            encode_frames_in_place(scene)
            with cairo_paths_reused():
                scene.render()
        except CalcanimError:
            raise
        except Exception as error:  # manim and LaTeX errors reach the user as one line
            raise RenderError(f"rendering {entry.name} failed: {type(error).__name__}: {error}") from error
        produced = Path(scene.renderer.file_writer.final_file_path)
        poster_time = float(getattr(scene.plan, "poster_time", 0.0))
    if not produced.is_file():
        raise RenderError(f"rendering {entry.name} produced no {manim_format} file")
    subtitles = produced.with_suffix(".srt")
    has_captions = subtitles.is_file() and subtitles.stat().st_size > 0
    return produced, subtitles if has_captions else None, poster_time


#: x264 preset per quality, at manim's crf 23. On 1080p60 limit-climb frames (bench/RESULTS.md) x264 took
#: 27 ms a frame at manim's default (medium), 17 at superfast, 11 at ultrafast, and ultrafast had the best
#: PSNR (47 dB against 45.5 for medium; no difference to the eye) for 2.5-4x medium's file size:
#: 0.8 MB for limit-climb's 13 s at 1080p60, 3.4 MB for zoom-linearity's 16.5 s. "superfast" roughly
#: halves files for ~12% more wall time.
X264_PRESETS = {"low": "ultrafast", "medium": "ultrafast", "high": "ultrafast", "4k": "ultrafast"}
#: Segments manim may still be encoding while the scene draws on. manim's default, 1, makes every
#: animation wait at its end until its segment is flushed (a quarter of limit-climb's 1080p time).
INFLIGHT_ENCODERS = 3


def encoder_settings(options: RenderOptions) -> dict[str, Any]:
    """manim's encoder config for the requested format: ProRes 4444 for mov, a fast x264 preset for
    what manim renders as mp4 (mp4, gif, png), and segments encoded while the scene draws on."""
    settings: dict[str, Any] = {"max_inflight_encoders": INFLIGHT_ENCODERS}
    if options.format == "mov":
        pixel_format = "yuva444p10le" if options.transparent else "yuv444p10le"
        settings.update(video_codec="prores_ks", pixel_format=pixel_format, video_encoder_options={"profile": "4444"})
    elif not options.transparent and _MANIM_FORMAT[options.format] == "mp4":
        settings["video_encoder_options"] = {"preset": X264_PRESETS.get(options.quality, "ultrafast")}
    return settings


def extract_frame(movie: Path, seconds: float, target: Path, *, alpha: bool = False) -> Path:
    """Save the frame shown at ``seconds`` (clamped to the clip) as a PNG; RGBA when ``alpha``."""
    chosen = None
    for frame in _decoded_frames(movie, alpha):
        chosen = frame
        if frame.time is not None and frame.time >= seconds - 1e-6:
            break
    if chosen is None:
        raise RenderError(f"{movie.name} has no frames to take a poster from")
    image = _rgba_image(chosen) if alpha else chosen.to_image()
    image.save(target)
    return target


def _decoded_frames(movie: Path, alpha: bool) -> Iterator[Any]:
    """Every frame of the movie. VP9 alpha lives in side data that only libvpx decodes, so a
    transparent webm is decoded with libvpx-vp9 rather than FFmpeg's native vp9 decoder."""
    import av

    with av.open(str(movie)) as container:
        stream = container.streams.video[0]
        if not (alpha and stream.codec_context.name == "vp9"):
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


@contextlib.contextmanager
def _quiet_manim_logger() -> Iterator[None]:
    """Manim logs INFO lines to stderr; keep only what the user needs (the progress bars)."""
    import logging

    logger = logging.getLogger("manim")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _tex_cache_dir() -> Path:
    """One LaTeX cache shared across renders, so each formula compiles once per machine."""
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    folder = base / "calcanim" / "tex"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir()) / "calcanim-tex"
        folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def shared_tex_cache(private: Path) -> Iterator[None]:
    """Give manim a private TeX folder seeded from the shared cache, and publish new formulas back.

    manim writes .tex/.dvi/.svg in place under their hash, so two renders typesetting the same new
    formula at once (batch workers) can read each other's half-written files. Each render works in
    its own folder; finished SVGs are renamed into the shared cache atomically.
    """
    shared = _tex_cache_dir()
    private.mkdir(parents=True, exist_ok=True)
    for svg in shared.glob("*.svg"):
        with contextlib.suppress(OSError):
            if not tex_svg_looks_complete(svg):
                svg.unlink()  # corrupt: compile the formula again and publish a good copy
                continue
            (private / svg.name).symlink_to(svg)
    try:
        yield
    finally:
        for svg in private.glob("*.svg"):
            if svg.is_symlink() or (shared / svg.name).exists():
                continue
            with contextlib.suppress(OSError):
                fd, temp = tempfile.mkstemp(prefix=".", suffix=".svg.partial", dir=shared)
                os.close(fd)
                shutil.copyfile(svg, temp)
                os.replace(temp, shared / svg.name)


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


def _move_all_into_place(pairs: list[tuple[Path, Path]]) -> None:
    """Copy each finished file next to its destination under a hidden name, then rename it into place."""
    staged: list[Path] = []
    try:
        for source, destination in pairs:
            destination.parent.mkdir(parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent)
            os.close(fd)
            staged.append(Path(temp_name))
            shutil.copyfile(source, temp_name)
            os.chmod(temp_name, 0o666 & ~_umask())  # mkstemp makes 0600; a web server must read clips
        for temp, (_, destination) in zip(staged, pairs, strict=True):
            os.replace(temp, destination)
    except OSError as error:
        raise RenderError(f"cannot write {pairs[0][1]}: {error.strerror or error}; check the output folder") from error
    finally:
        for temp in staged:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def open_in_viewer(path: Path) -> str | None:
    """Open a finished file in the desktop's viewer; returns a note when there is none (headless)."""
    opener = {"darwin": "open", "win32": "start"}.get(sys.platform, "xdg-open")
    if shutil.which(opener) is None or (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")):
        return f"--preview: no screen or viewer here; open {path} yourself"
    import subprocess

    subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return None
