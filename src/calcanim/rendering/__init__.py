"""Render one :class:`~calcanim.clip.Clip` into place: the manim run happens in a private working
folder (:mod:`.manim_run`), the movie is turned into the requested format (:mod:`.convert`), and
the finished files are moved into place with their key stamp (:mod:`.outputs`), so nothing
partial ever appears under renders/. Importing this package loads no manim.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from calcanim.captions import srt_to_vtt
from calcanim.clip import DEFAULT_RENDERS_DIR, Clip, RenderOptions
from calcanim.params.base import SceneParams
from calcanim.registry import SceneEntry
from calcanim.rendering.convert import extract_frame, finish, movie_to_gif
from calcanim.rendering.manim_run import encoder_settings, render_in, shared_tex_cache
from calcanim.rendering.outputs import (
    RenderResult,
    cached_result,
    check_destinations,
    caption_paths,
    move_all_into_place,
    read_stamp,
    remove_stale_files,
    resolve_output,
    stamp_path,
    stamp_text,
    wants_captions,
)
from calcanim.rendering.progress import FrameProgress, TerminalBar
from calcanim.rendering.split import check_jobs, refuse_unsplittable, render_split_in
from calcanim.rendering.viewer import open_in_viewer

__all__ = [
    "DEFAULT_RENDERS_DIR", "FrameProgress", "RenderOptions", "RenderResult", "TerminalBar", "cached_result", "encoder_settings", "extract_frame",
    "movie_to_gif", "open_in_viewer", "place_finished", "render", "render_clip", "resolve_output", "shared_tex_cache",
]


def render(
    clip: Clip,
    output: Path | None = None,
    *,
    progress: FrameProgress | bool | None = None,
    force: bool = False,
    poster: Path | None = None,
    jobs: int = 1,
) -> RenderResult:
    """Render ``clip`` to ``output`` (default: :meth:`Clip.default_output`) and return the finished files.

    An identical clip already at ``output`` (same key stamp, every file unchanged) is reused
    unless ``force``. With ``poster``, a png of the clip's most telling frame is written there too.
    Files an earlier render wrote for ``output`` that this one does not (captions, after
    ``--no-captions``) are removed, if nobody has changed them since. ``progress`` is a
    ``(done, total)`` frame callback, or True for one progress line on a terminal's stderr. ``jobs``
    processes render parts of the clip at once (:mod:`.split`).
    """
    refuse_unsplittable(clip, check_jobs(jobs))
    options = clip.options
    output = resolve_output(output if output is not None else clip.default_output(), options)
    check_destinations(output, options, poster)
    key = clip.key()
    if not force and (hit := cached_result(output, key, options, poster)) is not None:
        return hit
    bar = TerminalBar(sys.stderr, clip.stem) if progress is True and sys.stderr.isatty() else None
    frames = bar if bar is not None else (progress if callable(progress) else None)
    with tempfile.TemporaryDirectory(prefix="calcanim-") as work_dir:
        work = Path(work_dir)
        try:
            if jobs > 1:
                movie, subtitles, poster_time = render_split_in(work, clip, jobs, progress=frames)
            else:
                movie, subtitles, poster_time = render_in(work, clip, frames)
        finally:
            if bar is not None:
                bar.close()
        return place_finished(work, clip, key, output, movie, subtitles, poster_time, poster)


def place_finished(
    work: Path, clip: Clip, key: str, output: Path, movie: Path, subtitles: Path | None, poster_time: float,
    poster: Path | None,
) -> RenderResult:
    """A rendered movie (manim's format, in ``work``) and its .srt -> the clip's finished files at ``output``:
    the requested format, captions, poster and key stamp moved into place together, and the files an
    earlier render wrote there that this one does not removed. :func:`render` ends with it, and so
    does a batch that rendered a long clip's windows as separate tasks (:mod:`calcanim.batch.long_clips`).
    """
    options = clip.options
    finished = [(finish(movie, options, work, poster_time), output)]
    captions: list[Path] = []
    if wants_captions(options) and subtitles is not None:
        srt, vtt = caption_paths(output)
        vtt_work = work / "captions.vtt"
        vtt_work.write_text(srt_to_vtt(subtitles.read_text(encoding="utf-8")), encoding="utf-8")
        finished += [(subtitles, srt), (vtt_work, vtt)]
        captions = [srt, vtt]
    if poster is not None:
        finished.append((extract_frame(movie, poster_time, work / "poster.png", alpha=options.transparent), poster))
    earlier = read_stamp(output)
    stamp_work = work / "key"
    stamp_work.write_text(stamp_text(key, output, finished), encoding="utf-8")
    finished.append((stamp_work, stamp_path(output)))
    move_all_into_place(finished)
    remove_stale_files(output, earlier, [destination for _, destination in finished])
    return RenderResult(path=output, captions=tuple(captions), poster=poster, cached=False, key=key)


def render_clip(
    entry: SceneEntry, params: SceneParams, options: RenderOptions, output: Path | None = None, **how: Any
) -> RenderResult:
    """:func:`render` for a caller that already holds checked params (tests, library use); ``how`` is
    render's keywords (progress, force, poster)."""
    return render(Clip(scene=entry.name, params=params, options=options), output, **how)
