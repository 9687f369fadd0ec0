"""`calcanim slides LESSON`: render the lesson (cached clips are reused), cut each clip at its
natural stops, and write slides.json, slides.html and the segment files into one folder."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from calcanim.batch import run_lesson
from calcanim.errors import RenderError
from calcanim.files import write_text_atomically
from calcanim.slides.cut import split_points, write_segments
from calcanim.slides.page import slides_page
from calcanim.slides.stops import Segment

#: Clip formats a presenter can cut (gif and png clips are skipped with a note).
CUTTABLE = ("mp4", "webm", "mov")


@dataclass(frozen=True)
class SlidesResult:
    folder: Path
    page: Path
    deck: Path
    segments: int
    reused: int


def build_slides(lesson: Path, *, output_dir: Path | None = None, jobs: int | None = None,
                 quality: str | None = None, force: bool = False, stream: TextIO | None = None) -> SlidesResult:
    """Render ``lesson`` and turn it into a presenter folder (default: renders/<lesson>/slides)."""
    out = stream if stream is not None else sys.stderr
    if output_dir is not None:
        _check_writable(output_dir)
    summary = run_lesson(lesson, jobs=jobs, quality=quality, force=force, stream=out)
    if summary.failed:
        names = ", ".join(o.name for o in summary.failed)
        raise RenderError(f"{len(summary.failed)} clip(s) failed ({names}); fix them, then run slides again")
    folder = output_dir if output_dir is not None else summary.folder / "slides"
    _check_writable(folder)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = json.loads(summary.manifest.read_text(encoding="utf-8"))
    slides: list[dict[str, Any]] = []
    count = reused = 0
    for record in manifest["clips"]:
        if record.get("options", {}).get("format") not in CUTTABLE:
            out.write(f"slides: {record['name']} is a {record['options']['format']} clip; skipped\n")
            continue
        video = summary.folder / record["files"]["video"]
        segments, was_cached = _segments_of(record, video, folder)
        reused += was_cached
        count += len(segments)
        slides.append({"clip": record["name"], "title": record.get("title") or record["name"], "segments": segments})
    deck = {"lesson": manifest.get("lesson", lesson.stem), "title": manifest.get("title", lesson.stem), "slides": slides}
    deck_path, page_path = folder / "slides.json", folder / "slides.html"
    write_text_atomically(deck_path, json.dumps(deck, indent=2) + "\n")
    write_text_atomically(page_path, slides_page(deck))
    return SlidesResult(folder=folder, page=page_path, deck=deck_path, segments=count, reused=reused)


def _segments_of(record: dict[str, Any], video: Path, folder: Path) -> tuple[list[dict[str, Any]], bool]:
    """The clip's segments, cut again only when the clip changed (its key) or a file is missing."""
    name = record["name"]
    stamp = folder / f".{name}.slides.json"
    try:
        known = json.loads(stamp.read_text(encoding="utf-8"))
        if known.get("key") == _cut_key(record) and all((folder / s["file"]).is_file() for s in known["segments"]):
            return list(known["segments"]), True
    except (OSError, ValueError, KeyError, TypeError):
        pass
    captions = record["files"].get("captions") or {}
    cues = _cues(video.parent / captions["vtt"]) if "vtt" in captions else []
    parts = split_points(video, [end for _, end, _ in cues])
    files = [folder / f"{name}-{i + 1:02d}.mp4" for i in range(len(parts))]
    write_segments(video, parts, files)
    _remove_stale(folder, name, {f.name for f in files})
    segments = [{"file": f.name, "start": round(p.start, 3), "end": round(p.end, 3), "note": note}
                for p, f, note in zip(parts, files, _notes(cues, parts), strict=True)]
    write_text_atomically(stamp, json.dumps({"key": _cut_key(record), "segments": segments}) + "\n")
    return segments, False


def _cut_key(record: dict[str, Any]) -> str:
    """The clip's key and the cutter's own source: either changing cuts the clip again."""
    source = b"".join((Path(__file__).parent / name).read_bytes() for name in ("stops.py", "cut.py", "build.py"))
    return f"{record['key']}-{hashlib.sha256(source).hexdigest()[:16]}"


def _remove_stale(folder: Path, name: str, keep: set[str]) -> None:
    """Segments of an earlier cut of this clip (only calcanim's own ``<clip>-NN.mp4`` names)."""
    pattern = re.compile(re.escape(name) + r"-\d\d\.mp4")
    for path in folder.iterdir():
        if pattern.fullmatch(path.name) and path.name not in keep:
            path.unlink(missing_ok=True)


VTT_TIME = re.compile(r"(\d+):(\d\d):(\d\d)\.(\d\d\d) --> (\d+):(\d\d):(\d\d)\.(\d\d\d)")


def _cues(vtt: Path) -> list[tuple[float, float, str]]:
    """(start, end, text) of each caption cue; none if the file is missing."""
    try:
        blocks = vtt.read_text(encoding="utf-8").split("\n\n")
    except OSError:
        return []
    cues = []
    for block in blocks:
        lines = block.strip().splitlines()
        for i, line in enumerate(lines):
            match = VTT_TIME.match(line)
            if match:
                h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, match.groups())
                cues.append((h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000,
                             " ".join(lines[i + 1:])))
                break
    return cues


def _notes(cues: list[tuple[float, float, str]], parts: list[Segment]) -> list[str]:
    """Each segment's speaker note: the caption cues heard mostly during it (each cue goes to the
    segment it overlaps most, so a cut snapped a few frames early does not repeat it)."""
    notes: list[list[str]] = [[] for _ in parts]
    for start, end, text in cues:
        overlaps = [max(0.0, min(end, p.end) - max(start, p.start)) for p in parts]
        if overlaps and max(overlaps) > 0:
            notes[overlaps.index(max(overlaps))].append(text)
    return [" ".join(n) for n in notes]


def _check_writable(folder: Path) -> None:
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise RenderError(f"cannot write slides to '{folder}': {existing} is not a writable folder; choose another -o")
