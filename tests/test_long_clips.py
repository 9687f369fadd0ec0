"""Long clips in a batch: the rule that cuts a clip into windows (which clips, into how many), and a
real lesson of one long clip and a short one whose cut render (windows on two workers, joined here)
gives the frames, captions, names and keys of the uncut one. The Dask side is in test_cluster.py."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest

from calcanim.batch import Job, run_lesson
from calcanim.batch.cluster import write_returned_files
from calcanim.batch.long_clips import WindowJob, cut_long_clips, windows_for
from calcanim.batch.runner import expected_cost
from calcanim.lesson import load_lesson

REPO = Path(__file__).resolve().parents[1]

#: limit-climb plays a 2 s intro, the climb (duration) and a 3 s ending: 15 s and 7 s here.
LONG_AND_SHORT = """
[lesson]
name = "long-and-short"
title = "One long clip and a short one"

[defaults]
quality = "low"

[[clip]]
name = "long"
scene = "limit-climb"
[clip.params]
n_max = 100
marks = [1, 10, 100]
duration = 10

[[clip]]
name = "short"
scene = "limit-climb"
[clip.params]
n_max = 10
marks = [1, 10]
duration = 2
"""


def write_lesson(folder: Path, text: str = LONG_AND_SHORT) -> Path:
    lesson = folder / "long-and-short.toml"
    lesson.write_text(text, encoding="utf-8")
    return lesson


def jobs_of(lesson: Path, folder: Path) -> list[Job]:
    return [Job(clip, str(folder)) for clip in load_lesson(lesson).clips]


def tasks_for(jobs: list[Job], workers: int, tmp_path: Path) -> list[Job | WindowJob]:
    folders = iter(range(1000))
    tasks, _ = cut_long_clips(jobs, workers, expected_cost, lambda job: tmp_path / f"w{next(folders)}")
    return tasks


def test_a_clip_longer_than_its_share_is_cut_and_its_windows_cover_every_frame_once(tmp_path: Path) -> None:
    """15 s and 7 s of video on three workers: two windows of the long clip end long before 15 s."""
    jobs = jobs_of(write_lesson(tmp_path), tmp_path)
    tasks = tasks_for(jobs, 3, tmp_path)
    windows = [task for task in tasks if isinstance(task, WindowJob)]
    assert [task.name for task in tasks if isinstance(task, Job)] == ["short"]
    assert {w.name for w in windows} == {"long"} and len(windows) == 2
    frames = 15 * 15  # 15 s at -q low's 15 fps
    assert {w.window.frames for w in windows} == {frames} and {w.window.count for w in windows} == {2}
    ordered = sorted(windows, key=lambda w: w.window.index)
    assert ordered[0].window.first == 0 and ordered[-1].window.end is None
    assert ordered[0].window.end == ordered[1].window.first and 0 < ordered[1].window.first < frames


def test_one_clip_alone_is_cut_for_every_worker_it_has_seconds_for(tmp_path: Path) -> None:
    (long_job,) = jobs_of(write_lesson(tmp_path, LONG_AND_SHORT.split("[[clip]]\nname = \"short\"")[0]), tmp_path)
    cost = expected_cost(long_job)
    assert windows_for(long_job.clip, cost, [], 1) == 1, "-j 1 never cuts"
    assert windows_for(long_job.clip, cost, [], 2) == 2
    assert 2 < windows_for(long_job.clip, cost, [], 8) <= 8
    assert windows_for(long_job.clip, cost, [], 64) <= 15, "no window under a second of video"
    assert windows_for(long_job.clip.with_options(format="png"), cost, [], 2) == 1, "a png is one frame"


def test_clips_no_longer_than_their_share_stay_whole(tmp_path: Path) -> None:
    long_job, short_job = jobs_of(write_lesson(tmp_path), tmp_path)
    cost = expected_cost(long_job)
    assert windows_for(long_job.clip, cost, [cost], 2) == 1, "two equal clips on two workers"
    # 15 s and 7 s on two workers: the long clip's two windows (~0.62 of it each, the second replaying the
    # first's frames) keep both workers busy ~9.4 s, and the short clip then ends at ~16.4 s, after 15 s.
    assert windows_for(long_job.clip, cost, [expected_cost(short_job)], 2) == 1
    for lesson in sorted((REPO / "scenes").glob("*.toml")):  # the course's own lessons on two cores: as before
        assert all(isinstance(task, Job) for task in tasks_for(jobs_of(lesson, tmp_path), 2, tmp_path)), lesson.name


def frames(video: Path) -> list[np.ndarray]:
    with av.open(str(video)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def assert_same_lesson(ours: Path, theirs: Path) -> None:
    """The same files by name, keys, captions and decoded frames."""
    assert sorted(p.name for p in ours.iterdir()) == sorted(p.name for p in theirs.iterdir())
    mine, other = (json.loads((folder / "manifest.json").read_text()) for folder in (ours, theirs))
    assert [(c["name"], c["key"], c["files"]) for c in mine["clips"]] == [(c["name"], c["key"], c["files"]) for c in other["clips"]]
    for clip in mine["clips"]:
        for name in clip["files"]["captions"].values():
            assert (ours / name).read_text() == (theirs / name).read_text(), name
        a, b = frames(ours / clip["files"]["video"]), frames(theirs / clip["files"]["video"])
        assert len(a) == len(b) == round(clip["plan_duration"] * 15), clip["name"]
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True)), clip["name"]


@pytest.fixture(scope="session")
def uncut_long_and_short(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LONG_AND_SHORT rendered by one worker (never cut): the reference, here and in test_cluster.py."""
    folder = tmp_path_factory.mktemp("uncut")
    log = io.StringIO()
    whole = run_lesson(write_lesson(folder), jobs=1, output_dir=folder / "whole", stream=log)
    assert not whole.failed and "cut into windows" not in log.getvalue(), log.getvalue()
    return folder / "whole"


@pytest.mark.render
def test_a_cut_long_clip_renders_the_frames_names_and_keys_of_the_uncut_one(tmp_path: Path, uncut_long_and_short: Path) -> None:
    lesson = write_lesson(tmp_path)
    log = io.StringIO()
    cut = run_lesson(lesson, jobs=3, output_dir=tmp_path / "cut", stream=log, split=True)
    assert not cut.failed, log.getvalue()
    assert "cut into windows rendered side by side: long into 2" in log.getvalue()
    assert_same_lesson(tmp_path / "cut", uncut_long_and_short)
    manifest = json.loads((tmp_path / "cut" / "manifest.json").read_text())
    assert [c["files"]["captions"] for c in manifest["clips"]] == [{"vtt": f"{n}.vtt", "srt": f"{n}.srt"} for n in ("long", "short")]
    again = run_lesson(lesson, jobs=3, output_dir=tmp_path / "cut", stream=io.StringIO(), split=True)
    assert [o.status for o in again.outcomes] == ["cached", "cached"], "the cut clip's key stamp serves the cache"


def test_files_back_from_a_worker_remove_the_captions_the_earlier_render_wrote(tmp_path: Path) -> None:
    """Issue 19: a clip rendered with captions, then without, on a cluster: the old .srt/.vtt go, as they
    do locally; a file the user changed stays."""
    import hashlib

    def stamp(key: str, files: dict[str, bytes]) -> bytes:
        lines = [key] + [f"{hashlib.sha256(data).hexdigest()} {len(data)} {name}" for name, data in files.items()]
        return ("\n".join(lines) + "\n").encode()

    before = {"c.mp4": b"old video", "c.srt": b"1\n00:00:00,000 --> 00:00:01,000\nold\n", "c.vtt": b"WEBVTT\n", "c.png": b"p"}
    write_returned_files(tmp_path, [*before.items(), (".c.mp4.key", stamp("a" * 64, before))])
    (tmp_path / "c.vtt").write_text("WEBVTT\n\nmy own edit\n")
    after = {"c.mp4": b"new video", "c.png": b"q"}
    write_returned_files(tmp_path, [*after.items(), (".c.mp4.key", stamp("b" * 64, after))])
    assert sorted(p.name for p in tmp_path.iterdir()) == [".c.mp4.key", "c.mp4", "c.png", "c.vtt"]
    assert (tmp_path / "c.vtt").read_text().endswith("my own edit\n")


@pytest.mark.render
def test_ctrl_c_twice_stops_the_windows_of_a_cut_clip_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """The first Ctrl-C lets the cut clip's windows go on; the second stops them: no worker is left
    writing (their scratch folders and the windows' folder are gone) and the manifest says so. The
    long clip is 45 s here, so its windows are still rendering at the signals on any machine."""
    lesson = write_lesson(tmp_path, LONG_AND_SHORT.replace("duration = 10", "duration = 40"))
    folder, scratch = tmp_path / "out", tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    process = subprocess.Popen([sys.executable, "-m", "calcanim", "batch", str(lesson), "-j", "2", "--cut-long-clips", "always",
                                "-o", str(folder)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(scratch.glob("calcanim-window-*")):  # a worker is rendering a window
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.1)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "finishing 1 clip(s) in progress" in err
    time.sleep(0.5)
    assert sorted(p.name for p in scratch.iterdir()) == [], "a worker or the windows' folder outlived the batch"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["clips"] == [] and {m["name"]: m["status"] for m in manifest["missing"]} == {
        "long": "interrupted", "short": "skipped"}
    assert not [p.name for p in folder.iterdir() if p.name.startswith("long") or p.name.endswith((".partial", ".tmp"))]
