"""The manim run: the one place that sets manim's config, renders a scene into a private working
folder, and keeps LaTeX's outputs in a cache shared by every render on the machine."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from calcanim.clip import Clip, RenderOptions
from calcanim.formats import ENCODERS
from calcanim.errors import CalcanimError, RenderError
from calcanim.files import atomic_target
from calcanim.rendering.progress import FrameProgress
from calcanim.style.themes import load_theme
from calcanim.svg_cache import svg_disk_cache, tex_svg_looks_complete

#: What manim renders for each requested format; gif and png are made from an mp4 (or webm with alpha).
MANIM_FORMAT = {"mp4": "mp4", "webm": "webm", "mov": "mov", "gif": "mp4", "png": "mp4"}


def render_in(
    work: Path, clip: Clip, progress: FrameProgress | None, prepare: Callable[[Any], None] | None = None
) -> tuple[Path, Path | None, float]:
    """Render with manim inside ``work``; return the movie, its .srt (if any) and the poster time.

    ``progress(done, total)`` hears of every frame drawn (manim's own bars stay off). ``prepare(scene)``
    runs on the built scene just before it renders (a split render's worker keeps only its animations).
    """
    options = clip.options
    from manim import tempconfig

    from calcanim.manim_speedups import (
        cairo_paths_reused,
        encode_frames_in_place,
        svg_paths_shared_by_copies,
    )

    layout = options.layout
    manim_format = "webm" if options.transparent and options.format == "png" else MANIM_FORMAT[options.format]
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
        "progress_bar": "none",
        "preview": False,
        **encoder_settings(options),
    }
    entry = clip.entry
    plan = clip.plan()
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
            scene = scene_class(params=clip.params, theme=theme, plan=plan)
            encode_frames_in_place(scene)
            if prepare is not None:
                prepare(scene)
            if progress is not None:
                _count_frames(scene, round(float(plan.duration) * layout.fps), progress)
            with cairo_paths_reused() as paths:
                paths.forget_at_each_animation(scene)
                scene.render()
        except CalcanimError:
            raise
        except Exception as error:  # manim and LaTeX errors reach the user as one line
            raise RenderError(f"rendering {entry.name} failed: {type(error).__name__}: {error}") from error
        finished = getattr(scene.renderer.file_writer, "final_file_path", None)  # unset if no animation was drawn
        produced = Path(finished) if finished is not None else work / "none"
        poster_time = float(plan.poster_time)
    if not produced.is_file():
        raise RenderError(f"rendering {entry.name} produced no {manim_format} file")
    subtitles = produced.with_suffix(".srt")
    has_captions = subtitles.is_file() and subtitles.stat().st_size > 0
    return produced, subtitles if has_captions else None, poster_time


def _count_frames(scene: Any, total: int, progress: FrameProgress) -> None:
    """Call ``progress`` after each frame the renderer adds (a frozen frame counts its repeats)."""
    renderer = scene.renderer
    add_frame = renderer.add_frame
    done = 0

    def counted(frame: Any, num_frames: int = 1) -> None:
        nonlocal done
        add_frame(frame, num_frames)
        done += num_frames
        progress(min(done, total), total)

    renderer.add_frame = counted


#: x264 presets (formats.ENCODERS), at manim's crf 23. On 1080p60 limit-climb frames (bench/RESULTS.md)
#: x264 took 27 ms a frame at manim's default (medium), 17 at superfast, 11 at ultrafast, and ultrafast had
#: the best PSNR (47 dB against 45.5 for medium; no difference to the eye) for 2.5-4x medium's file size.
#: "fast" (ultrafast) is the default; "small" trades encoding time for much smaller files.
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
    elif not options.transparent and MANIM_FORMAT[options.format] == "mp4":
        settings["video_encoder_options"] = {"preset": ENCODERS[options.encoder]}
    return settings


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
    """Give manim a private TeX folder that looks formulas up in the shared cache first, and publish
    new formulas back.

    manim writes .tex/.dvi/.svg in place under their hash, so two renders typesetting the same new
    formula at once (batch workers) can read each other's half-written files. Each render compiles in
    its own folder; finished SVGs are renamed into the shared cache atomically. A formula is looked up
    when it is typeset (one file check), so a render's cost does not grow with the cache's size.
    """
    import manim.mobject.text.tex_mobject as tex_mobject

    shared = _tex_cache_dir()
    private.mkdir(parents=True, exist_ok=True)
    compile_svg = tex_mobject.tex_to_svg_file
    tex_mobject.tex_to_svg_file = svg_looked_up_first(shared, compile_svg)
    opened_by = os.getpid()
    try:
        yield
    finally:
        tex_mobject.tex_to_svg_file = compile_svg
        if os.getpid() == opened_by:  # a forked copy (render --jobs) leaves it to the process that opened the folder
            _publish_svgs(private, shared)


def svg_looked_up_first(folder: Path, compile_svg: Callable[..., Any]) -> Callable[..., Path]:
    """manim 0.22's ``tex_to_svg_file`` with ``folder``'s SVGs looked up first: the file name is manim's
    hash of the formula's TeX code, as in ``generate_tex_file``. A missing, empty or truncated SVG there
    is compiled again by ``compile_svg`` (into manim's own tex folder)."""
    from manim import config
    from manim.utils.tex_file_writing import tex_hash

    def tex_to_svg_file(expression: str, environment: str | None = None, tex_template: Any = None) -> Path:
        template = tex_template if tex_template is not None else config["tex_template"]
        code = (template.get_texcode_for_expression_in_env(expression, environment) if environment is not None
                else template.get_texcode_for_expression(expression))
        compiled = folder / f"{tex_hash(code)}.svg"
        if tex_svg_looks_complete(compiled):
            return compiled
        return Path(compile_svg(expression, environment, tex_template))

    return tex_to_svg_file


def _publish_svgs(private: Path, shared: Path) -> None:
    """Copy the formulas compiled in ``private`` into the ``shared`` cache, each file whole or not at all."""
    for svg in private.glob("*.svg"):
        if tex_svg_looks_complete(shared / svg.name):
            continue
        with contextlib.suppress(OSError), atomic_target(shared / svg.name, ".svg.partial") as temp:
            shutil.copyfile(svg, temp)
