"""The one module that touches manim's config: render a scene into a private working folder,
then move the finished files into place, so nothing partial ever appears under renders/."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from calcanim import __version__
from calcanim.captions import srt_to_vtt
from calcanim.errors import ParamError, RenderError
from calcanim.params.base import SceneParams
from calcanim.registry import SceneEntry
from calcanim.style.layout import Layout, make_layout
from calcanim.style.themes import DEFAULT_THEME, load_theme

FORMATS = ("mp4", "webm", "gif", "png")
DEFAULT_RENDERS_DIR = Path("renders")


@dataclass(frozen=True)
class RenderOptions:
    """How to render, beside what to render (the params)."""

    quality: str = "high"
    format: str = "mp4"
    theme: str = DEFAULT_THEME
    aspect: str = "16:9"
    captions: bool = True

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ParamError(f"unknown format '{self.format}'; use one of {', '.join(FORMATS)}")
        make_layout(self.quality, self.aspect)
        load_theme(self.theme)

    @property
    def layout(self) -> Layout:
        return make_layout(self.quality, self.aspect)


@dataclass(frozen=True)
class RenderResult:
    """The finished files of one render."""

    path: Path
    captions: tuple[Path, ...] = field(default=())


def clip_hash(entry: SceneEntry, params: SceneParams, options: RenderOptions) -> str:
    """A short, stable hash of everything that decides the clip's content."""
    payload = {"scene": entry.name, "params": params.to_dict(), "options": asdict(options), "version": __version__}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:10]


def default_output(entry: SceneEntry, params: SceneParams, options: RenderOptions, root: Path = DEFAULT_RENDERS_DIR) -> Path:
    """renders/<scene>/<scene>-<hash>.<ext>: variants never overwrite each other."""
    return root / entry.name / f"{entry.name}-{clip_hash(entry, params, options)}.{options.format}"


def resolve_output(path: Path, options: RenderOptions) -> Path:
    """Check the output path before any work: right extension, and a folder we can write to."""
    if path.suffix.lower() != f".{options.format}":
        raise ParamError(
            f"output '{path}' does not end in .{options.format}; use -o NAME.{options.format} or --format {path.suffix.lstrip('.') or '...'}"
        )
    folder = path.parent
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise RenderError(f"cannot write to output folder '{folder}': {existing} is not a writable folder; choose another -o path")
    if path.is_dir():
        raise RenderError(f"output '{path}' is a folder; give a file name such as {path / ('clip.' + options.format)}")
    return path


def render_clip(
    entry: SceneEntry, params: SceneParams, options: RenderOptions, output: Path | None = None, *, progress: bool = True
) -> RenderResult:
    """Render one clip to ``output`` (default: :func:`default_output`) and return the finished files."""
    output = resolve_output(output if output is not None else default_output(entry, params, options), options)
    with tempfile.TemporaryDirectory(prefix="calcanim-") as work:
        produced, subtitles = _render_in(Path(work), entry, params, options, progress)
        if options.format == "mp4":
            produced = _faststart(produced)
        finished = [(produced, output)]
        if options.captions and subtitles is not None and subtitles.is_file() and subtitles.stat().st_size > 0:
            vtt = subtitles.with_suffix(".vtt")
            vtt.write_text(srt_to_vtt(subtitles.read_text(encoding="utf-8")), encoding="utf-8")
            finished += [(subtitles, output.with_suffix(".srt")), (vtt, output.with_suffix(".vtt"))]
        _move_all_into_place(finished)
    return RenderResult(path=output, captions=tuple(dst for _, dst in finished[1:]))


def _render_in(
    work: Path, entry: SceneEntry, params: SceneParams, options: RenderOptions, progress: bool
) -> tuple[Path, Path | None]:
    from manim import tempconfig

    layout = options.layout
    settings: dict[str, Any] = {
        "media_dir": str(work / "media"),
        "tex_dir": str(_tex_cache_dir()),
        "pixel_width": layout.pixel_width,
        "pixel_height": layout.pixel_height,
        "frame_width": layout.frame_width,
        "frame_height": layout.frame_height,
        "frame_rate": layout.fps,
        "format": options.format,
        "output_file": "clip",
        "disable_caching": True,
        "verbosity": "ERROR",
        "progress_bar": "display" if progress else "none",
        "preview": False,
    }
    scene_class = entry.scene_class()
    theme = load_theme(options.theme)
    with tempconfig(settings), _quiet_manim_logger():
        try:
            scene = scene_class(params=params, theme=theme)
            scene.render()
        except Exception as error:  # manim and LaTeX errors reach the user as one line
            raise RenderError(f"rendering {entry.name} failed: {type(error).__name__}: {error}") from error
        writer = scene.renderer.file_writer
        produced = Path(writer.image_file_path if options.format == "png" else writer.final_file_path)
        subtitles = None if options.format == "png" else produced.with_suffix(".srt")
    if not produced.is_file():
        raise RenderError(f"rendering {entry.name} produced no {options.format} file")
    return produced, subtitles


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


def _faststart(movie: Path) -> Path:
    """Remux an mp4 with its index first (+faststart) so browsers can play it while it loads."""
    import av

    target = movie.with_name(movie.stem + "-faststart.mp4")
    with av.open(str(movie)) as source, av.open(str(target), "w", options={"movflags": "+faststart"}) as sink:
        streams = {s.index: sink.add_stream_from_template(s) for s in source.streams if s.type == "video"}
        for packet in source.demux(*[s for s in source.streams if s.index in streams]):
            if packet.dts is None:
                continue
            packet.stream = streams[packet.stream.index]
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
        for temp, (_, destination) in zip(staged, pairs, strict=True):
            os.replace(temp, destination)
    except OSError as error:
        raise RenderError(f"cannot write {pairs[0][1]}: {error.strerror or error}; check the output folder") from error
    finally:
        for temp in staged:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


def open_in_viewer(path: Path) -> str | None:
    """Open a finished file in the desktop's viewer; returns a note when there is none (headless)."""
    opener = {"darwin": "open", "win32": "start"}.get(sys.platform, "xdg-open")
    if shutil.which(opener) is None or (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")):
        return f"--preview: no screen or viewer here; open {path} yourself"
    import subprocess

    subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return None
