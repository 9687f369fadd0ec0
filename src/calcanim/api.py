"""calcanim from Python: ``calcanim.inspect(scene, **params)`` and ``calcanim.render(scene, ...)``.

The same clip, checks and files as the command line: ``inspect`` returns exactly what
``calcanim inspect SCENE --format json`` prints, and a bad value raises :class:`CalcanimError`
(a ValueError) whose message is the command line's one line.
"""

from __future__ import annotations

import base64
import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from calcanim.clip import Clip, RenderOptions, Source, resolve_clip
from calcanim.errors import CalcanimError
from calcanim.formats import format_of_output
from calcanim.json_data import json_default

#: Videos up to this size are embedded in a notebook when they are not under its folder.
INLINE_LIMIT_BYTES = 50 * 1024 * 1024
MIME = {"mp4": "video/mp4", "webm": "video/webm", "mov": "video/quicktime", "gif": "image/gif", "png": "image/png"}


def resolve(scene: str, *, quality: str = "high", format: str | None = None, theme: str = "dark",
         aspect: str = "16:9", transparent: bool = False, captions: bool = True, output: str | os.PathLike[str] | None = None,
         **params: Any) -> Clip:
    """The checked :class:`~calcanim.clip.Clip` for ``scene`` with these params and options."""
    fmt = format_of_output(os.fspath(_path_argument(output, "output")) if output is not None else "", format)
    options = RenderOptions(quality=quality, format=fmt, theme=theme, aspect=aspect,
                            transparent=transparent, captions=captions)
    return resolve_clip(scene, params, options, Source(label="calcanim.render()"))


def inspect(scene: str, **params: Any) -> dict[str, Any]:
    """Every number the clip shows, as ``calcanim inspect SCENE --format json`` prints it.

    >>> inspect("limit-climb", n_max=1000, marks=[1, 10, 100, 1000])["scene"]
    'limit-climb'
    """
    data = resolve_clip(scene, params, RenderOptions(), Source(label="calcanim.inspect()")).plan().to_json()
    result: dict[str, Any] = json.loads(json.dumps(data, allow_nan=False, default=json_default))
    return result


@dataclass(frozen=True)
class RenderedClip:
    """A finished clip: the video, its poster and captions, and the numbers it shows.

    ``os.fspath(clip)`` is the video's path; in Jupyter the clip plays inline.
    """

    path: Path
    poster: Path | None
    captions: tuple[Path, ...]
    numbers: dict[str, Any] = field(repr=False)
    cached: bool = False
    key: str = field(default="", repr=False)

    def __fspath__(self) -> str:
        return str(self.path)

    def _repr_html_(self) -> str:
        kind = self.path.suffix.lstrip(".").lower()
        source = self._source()
        if kind in ("png", "gif"):
            return f'<img src="{html.escape(source)}" alt="{html.escape(self.path.name)}" style="max-width:100%">'
        poster = f' poster="{html.escape(_relative_or_data(self.poster))}"' if self.poster else ""
        tracks = "".join(
            f'<track kind="captions" src="{html.escape(_relative_or_data(p))}" srclang="en" label="English" default>'
            for p in self.captions if p.suffix == ".vtt"
        )
        return (f'<video controls preload="metadata" style="max-width:100%"{poster}>'
                f'<source src="{html.escape(source)}" type="{MIME.get(kind, "video/mp4")}">{tracks}</video>')

    def _source(self) -> str:
        return _relative_or_data(self.path)


def _relative_or_data(path: Path) -> str:
    """A path relative to the notebook's folder when the file is under it, else a data: URL."""
    try:
        return Path(os.path.relpath(path.resolve(), Path.cwd())).as_posix() if path.resolve().is_relative_to(Path.cwd()) else _data_url(path)
    except (OSError, ValueError):
        return _data_url(path)


def _data_url(path: Path) -> str:
    if path.stat().st_size > INLINE_LIMIT_BYTES:
        return path.resolve().as_uri()
    kind = path.suffix.lstrip(".").lower()
    mime = MIME.get(kind, "text/vtt" if kind == "vtt" else "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def render(scene: str, *, quality: str = "high", format: str | None = None, theme: str = "dark",
           aspect: str = "16:9", transparent: bool = False, captions: bool = True,
           output: str | os.PathLike[str] | None = None, force: bool = False, progress: bool = False,
           jobs: int = 1, **params: Any) -> RenderedClip:
    """Render ``scene`` with ``params`` and return the finished files (cached when nothing changed).

    ``format`` defaults to the output's extension (mp4 without one); the poster png is written
    beside the video (a png clip is its own poster). ``jobs`` processes render parts of the clip at
    once (the same frames and files as one).
    """
    from calcanim.rendering import render as render_to_file

    resolved = resolve(scene, quality=quality, format=format, theme=theme, aspect=aspect,
                    transparent=transparent, captions=captions, output=output, **params)
    target = Path(output) if output is not None else resolved.default_output()
    poster = resolved.poster_in(target.parent)
    if poster is not None:
        poster = target.with_suffix(".png")
    result = render_to_file(resolved, target, force=force, progress=progress, poster=poster, jobs=jobs)
    numbers: dict[str, Any] = json.loads(json.dumps(resolved.plan().to_json(), allow_nan=False, default=json_default))
    return RenderedClip(path=result.path, poster=result.poster, captions=result.captions, numbers=numbers,
                        cached=result.cached, key=result.key)


def _path_argument(value: Any, what: str) -> Path:
    """``value`` as a Path, or the one-line error a wrong type deserves (not a TypeError from deep inside)."""
    if not isinstance(value, (str, os.PathLike)):
        raise CalcanimError(f"{what} must be a path (text or os.PathLike), got {value!r}")
    return Path(value)


def render_lesson(lesson: str | os.PathLike[str], *, jobs: int | None = None, only: tuple[str, ...] = (),
                  force: bool = False, quality: str | None = None, output_dir: str | os.PathLike[str] | None = None,
                  scheduler: str | None = None, cluster: str | None = None) -> Any:
    """``calcanim batch`` from Python: every clip of a lesson file, in parallel worker processes, or on
    a Dask cluster (``scheduler="tcp://host:port"``, or ``cluster="local:4"``). Returns the summary
    (``.folder``, ``.manifest``, ``.gallery``, ``.outcomes``, ``.failed``)."""
    from calcanim.batch import run_lesson

    lesson_path = _path_argument(lesson, "lesson")
    folder = _path_argument(output_dir, "output_dir") if output_dir is not None else None
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise CalcanimError(f"jobs must be a whole number of at least 1 (or None: one per core), got {jobs!r}")
    only = (only,) if isinstance(only, str) else tuple(only)
    if scheduler is None and cluster is None:
        return run_lesson(lesson_path, jobs=jobs, only=only, force=force, quality=quality, output_dir=folder)
    if scheduler is not None and cluster is not None:
        raise CalcanimError("give scheduler or cluster, not both")
    from calcanim.batch.cluster import connect, parse_cluster
    from calcanim.lesson import load_lesson

    load_lesson(lesson_path)  # every problem in the file before a cluster starts
    with connect(scheduler, parse_cluster(cluster) if cluster is not None else None) as dask:
        return run_lesson(lesson_path, jobs=jobs or dask.workers, only=only, force=force, quality=quality,
                          output_dir=folder, executor_factory=dask.factory)
