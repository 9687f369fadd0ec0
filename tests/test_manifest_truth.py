"""The manifest and gallery say what was done: a clip whose re-render failed or was not run is
marked stale (its files are kept, labelled as made with earlier settings), a clip without files is
listed as missing with what happened, and a png still has no frame rate or duration."""

from __future__ import annotations

import io
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from calcanim.batch import Job, clip_record, run_lesson
from calcanim.clip import RenderOptions, resolve_clip
from calcanim.errors import RenderError
from calcanim.gallery import build_gallery
from calcanim.rendering import render

pytestmark = pytest.mark.render

LESSON = """
[lesson]
title = "Truth"
[defaults]
quality = "low"
[[clip]]
name = "a"
scene = "limit-climb"
[clip.params]
duration = 1
n_max = {n_max}
marks = [1, 10, 100]
[[clip]]
name = "new"
scene = "limit-climb"
[clip.params]
duration = 1
"""
PARAMS = {"duration": 1, "n_max": 100, "marks": [1, 10, 100]}


def threads(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=workers)


def failing(job: Job) -> dict[str, Any]:
    raise RenderError(f"rendering {job.name} failed: on purpose")


def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lesson_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Clip 'a' rendered for real (n_max = 100) into a lesson folder, as a first batch would leave it."""
    root = tmp_path_factory.mktemp("truth")
    clip = resolve_clip("limit-climb", PARAMS, RenderOptions(quality="low"), name="a")
    render(clip, root / "a.mp4", progress=False, poster=root / "a.png")
    return root


def fresh_copy(lesson_folder: Path, tmp_path: Path, n_max: int) -> tuple[Path, Path]:
    folder = tmp_path / "out"
    shutil.copytree(lesson_folder, folder)
    lesson = tmp_path / "truth.toml"
    lesson.write_text(LESSON.format(n_max=n_max), encoding="utf-8")
    return lesson, folder


def test_a_failed_rerender_marks_the_old_clip_stale_and_a_clip_without_files_missing(
    lesson_folder: Path, tmp_path: Path
) -> None:
    lesson, folder = fresh_copy(lesson_folder, tmp_path, 100)
    first = run_lesson(lesson, output_dir=folder, job=failing, stream=io.StringIO(), executor_factory=threads)
    assert {o.name: o.status for o in first.outcomes} == {"a": "cached", "new": "failed"}
    data = manifest(folder)
    assert [(c["name"], c["status"]) for c in data["clips"]] == [("a", "current")]
    assert "note" not in data["clips"][0] and "error" not in data["clips"][0]
    assert data["missing"] == [{"name": "new", "title": "", "scene": "limit-climb", "status": "failed",
                                "error": "rendering new failed: on purpose"}]
    duration = data["clips"][0]["duration"]

    lesson.write_text(LESSON.format(n_max=1000), encoding="utf-8")  # 'a' asks for other settings now
    second = run_lesson(lesson, output_dir=folder, job=failing, stream=io.StringIO(), executor_factory=threads)
    assert {o.name: o.status for o in second.outcomes} == {"a": "failed", "new": "failed"}
    record = manifest(folder)["clips"][0]
    assert record["status"] == "stale" and record["params"]["n_max"] == 100  # the old clip, said to be old
    assert record["note"] == "made with earlier settings; rendering it again failed: rendering a failed: on purpose"
    assert record["error"] == "rendering a failed: on purpose" and record["duration"] == duration
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert 'class="clip stale"' in page and "Stale: </strong>made with earlier settings" in page
    assert "1 clip (1 stale), 1 not rendered" in page and "Not rendered" in page

    only_new = run_lesson(lesson, output_dir=folder, only=["new"], job=failing, stream=io.StringIO(),
                          executor_factory=threads)
    assert [o.name for o in only_new.outcomes] == ["new"]
    record = manifest(folder)["clips"][0]
    assert record["status"] == "stale" and record["note"] == "made with earlier settings; it was not rendered again in this run"

    lesson.write_text(LESSON.format(n_max=100), encoding="utf-8")  # back to what the files are
    back = run_lesson(lesson, output_dir=folder, only=["new"], job=failing, stream=io.StringIO(), executor_factory=threads)
    assert back.outcomes[0].status == "failed"
    record = manifest(folder)["clips"][0]
    assert record["status"] == "current" and "note" not in record


def test_a_forced_rerender_that_fails_keeps_the_good_files_current_with_a_note(lesson_folder: Path, tmp_path: Path) -> None:
    lesson, folder = fresh_copy(lesson_folder, tmp_path, 100)
    run_lesson(lesson, output_dir=folder, only=["a"], job=failing, stream=io.StringIO(), executor_factory=threads)
    run_lesson(lesson, output_dir=folder, only=["a"], force=True, job=failing, stream=io.StringIO(), executor_factory=threads)
    record = manifest(folder)["clips"][0]
    assert record["status"] == "current"
    assert record["note"] == "these files are the last good render; rendering it again failed: rendering a failed: on purpose"
    assert "Note: </strong>these files are the last good render" in (folder / "index.html").read_text(encoding="utf-8")


def test_old_records_whose_files_were_damaged_are_dropped(lesson_folder: Path, tmp_path: Path) -> None:
    lesson, folder = fresh_copy(lesson_folder, tmp_path, 100)
    run_lesson(lesson, output_dir=folder, only=["a"], job=failing, stream=io.StringIO(), executor_factory=threads)
    (folder / "a.mp4").write_bytes(b"")
    run_lesson(lesson, output_dir=folder, only=["new"], job=failing, stream=io.StringIO(), executor_factory=threads)
    data = manifest(folder)
    assert data["clips"] == [] and {m["name"]: m["status"] for m in data["missing"]} == {"a": "not rendered", "new": "failed"}


def test_a_png_still_has_no_frame_rate_or_duration(tmp_path: Path) -> None:
    clip = resolve_clip("limit-climb", PARAMS, RenderOptions(quality="low", format="png"), name="still")
    render(clip, tmp_path / "still.png", progress=False)
    record = clip_record(clip, tmp_path, clip.key())
    assert (record["width"], record["height"]) == (854, 480)
    assert record["fps"] is None and record["duration"] is None and record["frames"] is None
    page = build_gallery({"title": "t", "clips": [record]})
    assert "fps" not in page and "854×480" in page


def test_an_unreadable_video_is_one_error_not_a_traceback(tmp_path: Path) -> None:
    from calcanim.batch import probe_video

    bad = tmp_path / "bad.mp4"
    for content in (b"", b"\0" * 1000, b"not a video"):
        bad.write_bytes(content)
        with pytest.raises(RenderError, match="cannot read the rendered file"):
            probe_video(bad)
