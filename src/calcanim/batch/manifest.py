"""The lesson folder's manifest.json: one record per clip with files (files, params, key, what PyAV
reads from the video, the plan's numbers, versions), kept across runs while its files are complete,
and always true about them: ``status`` is ``current`` when the files are what the lesson asks for
now and ``stale`` when they were made with earlier settings (a ``note`` says why: the re-render
failed, was stopped, is running, or was not asked for). Clips without files are listed under
``missing`` with what happened to them."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from calcanim import __version__
from calcanim.clip import Clip, RenderOptions
from calcanim.clip_key import manim_version
from calcanim.errors import CalcanimError, RenderError
from calcanim.files import write_text_atomically
from calcanim.json_data import plain_json
from calcanim.lesson import Lesson
from calcanim.rendering.outputs import cached_result, wants_captions

MANIFEST_NAME = "manifest.json"


def clip_record(clip: Clip, folder: Path, key: str, numbers: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The manifest entry of a finished clip in ``folder``: files, params, key, what PyAV reads
    from the video, the plan's numbers (``numbers``, when a worker already has them) and the
    versions that made it."""
    output, poster = clip.output_in(folder), clip.poster_in(folder)
    files: dict[str, Any] = {"video": output.name, "poster": poster.name if poster is not None else output.name}
    if wants_captions(clip.options):
        files["captions"] = {ext: output.with_suffix(f".{ext}").name for ext in ("vtt", "srt")
                             if output.with_suffix(f".{ext}").is_file()}
    else:
        files["captions"] = {}
    plan = clip.plan()
    return {
        "name": clip.name,
        "title": clip.title,
        "scene": clip.scene,
        "status": "current",
        "files": files,
        "params": clip.params.to_dict(),
        "options": dataclasses.asdict(clip.options),
        "key": key,
        "hash": key[:10],
        **probe_video(output),
        "plan_duration": float(plan.duration),
        "poster_time": float(plan.poster_time),
        "numbers": plain_json(numbers if numbers is not None else plan.to_json()),
        "calcanim_version": __version__,
        "manim_version": manim_version(),
    }


def probe_video(path: Path) -> dict[str, Any]:
    """Duration (s), size and fps as the file itself reports them (PyAV); a png is a still, with
    neither. A file PyAV cannot read raises RenderError."""
    import av

    try:
        return _probe(av, path)
    except (av.FFmpegError, OSError, IndexError, ValueError) as error:
        raise RenderError(f"cannot read the rendered file {path}: {error}") from None


def _probe(av: Any, path: Path) -> dict[str, Any]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        else:
            duration = None
        if path.suffix.lower() == ".png":  # a still: no duration, rate or frame count to report
            return {"duration": None, "width": stream.codec_context.width, "height": stream.codec_context.height,
                    "fps": None, "frames": None}
        # The nominal rate (r_frame_rate); average_rate is frames / duration and drifts off 15 by rounding.
        rate = stream.guessed_rate or stream.average_rate
        return {
            "duration": duration,
            "width": stream.codec_context.width,
            "height": stream.codec_context.height,
            "fps": float(rate) if rate else None,
            "frames": stream.frames or None,
        }


def is_complete(record: Mapping[str, Any], folder: Path) -> bool:
    """All of a record's files are there and the clip's key stamp still matches it."""
    try:
        options = RenderOptions(**record["options"])
        files = record["files"]
        output = folder / files["video"]
        poster = folder / files["poster"] if files.get("poster") and files["poster"] != files["video"] else None
        captions_ok = all((folder / name).is_file() for name in files.get("captions", {}).values())
        return captions_ok and cached_result(output, record["key"], options, poster) is not None
    except (KeyError, TypeError, CalcanimError):
        return False


def build_manifest(
    spec: Lesson, records: Sequence[Mapping[str, Any]], missing: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    return {
        "lesson": spec.name,
        "title": spec.title,
        "description": spec.description,
        "source": str(spec.path),
        "calcanim_version": __version__,
        "manim_version": manim_version(),
        "clips": [dict(r) for r in records],
        "missing": [dict(m) for m in missing],
    }


class ManifestState:
    """What a batch run knows about each clip of the lesson, to write a true manifest at any moment:
    records made or checked in this run, the earlier manifest's records (used while their files are
    complete), clips being rendered, and what happened to those that failed or were cut off."""

    def __init__(self, spec: Lesson, selected: Sequence[Clip], folder: Path, previous: Mapping[str, dict[str, Any]]) -> None:
        self.spec = spec
        self.folder = folder
        self.previous = previous
        self.keys = {clip.name: clip.key() for clip in spec.clips} | {clip.name: clip.key() for clip in selected}
        self.fresh: dict[str, dict[str, Any]] = {}
        self.in_progress: set[str] = set()
        self.ended: dict[str, tuple[str, str]] = {}  # name -> (status, why): failed, interrupted, skipped
        self._complete: dict[str, bool] = {}

    def cached_record(self, clip: Clip, key: str) -> dict[str, Any]:
        """The record of a clip served from the cache: the earlier one when it is for the same key
        (its files were just verified), else read from the files (RenderError if unreadable)."""
        old = self.previous.get(clip.name)
        return dict(old) if old is not None and old.get("key") == key else clip_record(clip, self.folder, key)

    def rendering(self, names: Iterable[str]) -> None:
        self.in_progress.update(names)

    def settled(self, name: str, record: Mapping[str, Any]) -> None:
        self.fresh[name] = dict(record)
        self.in_progress.discard(name)
        self.ended.pop(name, None)

    def cut_off(self, name: str, status: str, why: str) -> None:
        self.in_progress.discard(name)
        self.ended[name] = (status, why)

    def recheck(self) -> None:
        """Forget which earlier files were complete (a stopped worker may have replaced some)."""
        self._complete.clear()

    def earlier_complete(self, name: str) -> bool:
        if name not in self._complete:
            self._complete[name] = name in self.previous and is_complete(self.previous[name], self.folder)
        return self._complete[name]

    def manifest(self) -> dict[str, Any]:
        records: list[dict[str, Any]] = []
        missing: list[dict[str, Any]] = []
        for clip in self.spec.clips:
            name = clip.name
            if name in self.fresh:
                record = {**self.fresh[name], "status": "current"}
                record.pop("note", None)
                record.pop("error", None)
                records.append(record)
            elif self.earlier_complete(name):
                records.append(self._earlier_record(name))
            else:
                entry: dict[str, Any] = {"name": name, "title": clip.title, "scene": clip.scene}
                status, why = self.ended.get(name, ("rendering" if name in self.in_progress else "not rendered", ""))
                entry["status"] = status
                if why:
                    entry["error"] = why
                missing.append(entry)
        return build_manifest(self.spec, records, missing)

    def _earlier_record(self, name: str) -> dict[str, Any]:
        record = dict(self.previous[name])
        current = record.get("key") == self.keys[name]
        record["status"] = "current" if current else "stale"
        record.pop("note", None)
        record.pop("error", None)
        status, why = self.ended.get(name, ("", ""))
        if status == "failed":
            record["error"] = why
            attempt = f"rendering it again failed: {why}"
        elif status:
            attempt = f"rendering it again was {status} ({why})" if why else f"rendering it again was {status}"
        elif name in self.in_progress:
            attempt = "it is being rendered again"
        else:
            attempt = "it was not rendered again in this run"
        if not current:
            record["note"] = f"made with earlier settings; {attempt}"
        elif status:
            record["note"] = f"these files are the last good render; {attempt}"
        return record


def read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        return {c["name"]: c for c in data.get("clips", []) if isinstance(c, dict) and "name" in c}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def write_json_atomically(path: Path, data: Any) -> None:
    write_text_atomically(path, json.dumps(plain_json(data), indent=2, allow_nan=False) + "\n", suffix=".tmp")
