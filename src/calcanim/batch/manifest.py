"""The lesson folder's manifest.json: one record per complete clip (files, params, key, what PyAV
reads from the video, the plan's numbers, versions), kept across runs while its files are complete."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from calcanim import __version__
from calcanim.clip import Clip, RenderOptions
from calcanim.errors import CalcanimError
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
    """Duration (s), size and fps as the file itself reports them (PyAV)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        else:
            duration = None
        # The nominal rate (r_frame_rate); average_rate is frames / duration and drifts off 15 by rounding.
        rate = stream.guessed_rate or stream.average_rate
        return {
            "duration": duration,
            "width": stream.codec_context.width,
            "height": stream.codec_context.height,
            "fps": float(rate) if rate else None,
            "frames": stream.frames or None,
        }


def manim_version() -> str | None:
    """manim's installed version, read from package metadata (importing manim takes seconds)."""
    try:
        return metadata.version("manim")
    except metadata.PackageNotFoundError:
        return None


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


def sweep_partials(folder: Path) -> None:
    """Remove half-moved files (``.NAME.XXXX.partial``) a killed worker may have left behind."""
    for leftover in folder.glob(".*.partial"):
        with contextlib.suppress(OSError):
            leftover.unlink()
    for leftover in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def build_manifest(spec: Lesson, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "lesson": spec.name,
        "title": spec.title,
        "description": spec.description,
        "source": str(spec.path),
        "calcanim_version": __version__,
        "manim_version": manim_version(),
        "clips": [dict(r) for r in records],
    }


def read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        return {c["name"]: c for c in data.get("clips", []) if isinstance(c, dict) and "name" in c}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def write_json_atomically(path: Path, data: Any) -> None:
    write_text_atomically(path, json.dumps(plain_json(data), indent=2, allow_nan=False) + "\n", suffix=".tmp")
