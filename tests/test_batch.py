"""A real batch of a tiny lesson (two 6-second limit-climb clips at low quality), its manifest, the
cache, --force, a crashed worker and Ctrl-C."""

from __future__ import annotations
import dataclasses

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from importlib import metadata
from pathlib import Path
from typing import Any

import av
import pytest

import calcanim
from calcanim.batch import Job, LessonSummary, render_job, run_lesson
from calcanim.errors import RenderError

REPO = Path(__file__).resolve().parents[1]
#: limit-climb plays a 2 s intro, the climb (duration) and a 3 s ending.
CLIP_SECONDS = 2 + 1 + 3
FPS = 15

TINY = """
[lesson]
title = "Tiny <lesson> & test"

[defaults]
quality = "low"

[[clip]]
name = "a"
scene = "limit-climb"
[clip.params]
duration = 1
n_max = 100
marks = [1, 10, 100]

[[clip]]
name = "b"
title = "B, to 1000"
scene = "limit-climb"
[clip.params]
duration = 1
n_max = 1000
marks = [1, 1000]
"""

pytestmark = pytest.mark.render


@dataclass
class Rendered:
    lesson: Path
    folder: Path
    summary: LessonSummary
    log: str
    seconds: float


def write_lesson(folder: Path, text: str, name: str = "tiny.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def leftovers(folder: Path) -> list[str]:
    """Anything half-written: hidden temp or partial files."""
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith((".partial", ".tmp")))


def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    root = tmp_path_factory.mktemp("batch")
    lesson = write_lesson(root, TINY)
    log = io.StringIO()
    started = time.monotonic()
    summary = run_lesson(lesson, jobs=2, output_dir=root / "out", stream=log)
    return Rendered(lesson, root / "out", summary, log.getvalue(), time.monotonic() - started)


def test_batch_renders_every_clip_with_poster_and_captions(rendered: Rendered) -> None:
    assert [(o.name, o.status) for o in rendered.summary.outcomes] == [("a", "rendered"), ("b", "rendered")]
    for name in "ab":
        for ext in ("mp4", "png", "srt", "vtt"):
            assert (rendered.folder / f"{name}.{ext}").stat().st_size > 0, f"{name}.{ext}"
        assert (rendered.folder / f"{name}.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    assert (rendered.folder / "index.html").is_file()
    assert leftovers(rendered.folder) == []
    log = rendered.log
    assert "rendering 2 clip(s) with 2 worker process(es)" in log
    assert "rendered a" in log and "rendered b" in log
    assert "2/2 clips" in log and "elapsed" in log and "ETA" in log


def test_manifest_reads_the_files_and_carries_the_numbers(rendered: Rendered) -> None:
    data = manifest(rendered.folder)
    assert data["lesson"] == "tiny" and data["title"] == "Tiny <lesson> & test"
    assert data["calcanim_version"] == calcanim.__version__
    assert data["manim_version"] == metadata.version("manim")
    clips = {c["name"]: c for c in data["clips"]}
    assert list(clips) == ["a", "b"]
    for name, clip in clips.items():
        assert clip["files"] == {"video": f"{name}.mp4", "poster": f"{name}.png",
                                 "captions": {"vtt": f"{name}.vtt", "srt": f"{name}.srt"}}
        with av.open(str(rendered.folder / clip["files"]["video"])) as container:
            stream = container.streams.video[0]
            assert (clip["width"], clip["height"]) == (stream.width, stream.height) == (854, 480)
            assert clip["fps"] == float(stream.guessed_rate) == FPS
            assert clip["frames"] == stream.frames
            assert clip["duration"] == pytest.approx(float(stream.duration * stream.time_base))
        assert abs(clip["duration"] - CLIP_SECONDS) <= 2 / FPS
        assert len(clip["key"]) == 64 and clip["hash"] == clip["key"][:10]
        assert clip["options"]["quality"] == "low" and clip["params"]["duration"] == 1.0
    # The plan's numbers, checked against exact fractions: a_n = (1 + 1/n)^n.
    for name, n_max in (("a", 100), ("b", 1000)):
        numbers = clips[name]["numbers"]
        assert numbers["final"] == {"n": n_max, "value": pytest.approx(float((1 + Fraction(1, n_max)) ** n_max), rel=1e-14)}
        for checkpoint in numbers["checkpoints"]:
            assert checkpoint["value"] == pytest.approx(float((1 + Fraction(1, checkpoint["n"])) ** checkpoint["n"]), rel=1e-14)
    assert clips["b"]["title"] == "B, to 1000"


def test_a_cached_rerun_imports_no_manim_numpy_sympy_or_pyav(rendered: Rendered) -> None:
    # Why a cached lesson answers in well under a second; the time itself is measured in bench/, not here.
    code = textwrap.dedent(f"""
        import json, sys, time
        started = time.monotonic()
        from calcanim.batch import run_lesson
        summary = run_lesson({str(rendered.lesson)!r}, output_dir={str(rendered.folder)!r})
        print(json.dumps({{
            "seconds": time.monotonic() - started,
            "statuses": [o.status for o in summary.outcomes],
            "heavy": sorted(m for m in ("manim", "numpy", "sympy", "av") if m in sys.modules),
        }}))
    """)
    before = manifest(rendered.folder)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    result = json.loads(done.stdout)
    assert result["statuses"] == ["cached", "cached"], done.stderr
    assert result["heavy"] == []
    assert manifest(rendered.folder) == before


def test_force_renders_again_and_only_picks_clips(rendered: Rendered) -> None:
    video = rendered.folder / "a.mp4"
    before = video.stat().st_mtime_ns
    b_before = (rendered.folder / "b.mp4").stat().st_mtime_ns
    summary = run_lesson(rendered.lesson, jobs=1, only=["a"], force=True, output_dir=rendered.folder, stream=io.StringIO())
    assert [(o.name, o.status) for o in summary.outcomes] == [("a", "rendered")]
    assert video.stat().st_mtime_ns != before
    assert (rendered.folder / "b.mp4").stat().st_mtime_ns == b_before
    assert [c["name"] for c in manifest(rendered.folder)["clips"]] == ["a", "b"]  # b is still complete
    assert leftovers(rendered.folder) == []


# --- failures --------------------------------------------------------------------------------


def crash_on_bad(job: Job) -> dict[str, Any]:
    """A job whose worker process dies hard on the clip named 'bad' (after the others have started)."""
    if job.name == "bad":
        time.sleep(3)
        os._exit(70)
    return render_job(job)


def test_a_crashed_worker_leaves_no_partial_files_and_a_rerun_completes(tmp_path: Path) -> None:
    lesson = write_lesson(tmp_path, TINY.replace('name = "a"', 'name = "good"').replace('name = "b"', 'name = "bad"'))
    folder = tmp_path / "out"
    log = io.StringIO()
    summary = run_lesson(lesson, jobs=2, output_dir=folder, stream=log, job=crash_on_bad)
    outcomes = {o.name: o for o in summary.outcomes}
    assert outcomes["good"].status == "rendered", log.getvalue()
    assert outcomes["bad"].status == "failed" and "crashed" in outcomes["bad"].error
    assert "a worker process crashed" in log.getvalue()
    assert leftovers(folder) == []
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("bad")) == []
    assert [c["name"] for c in manifest(folder)["clips"]] == ["good"]
    assert manifest(folder)["missing"] == [{"name": "bad", "title": "B, to 1000", "scene": "limit-climb",
                                            "status": "failed", "error": "its worker process crashed"}]
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert page.count('<article class="clip"') == 1 and "failed: its worker process crashed" in page

    again = run_lesson(lesson, jobs=2, output_dir=folder, stream=io.StringIO())
    assert {o.name: o.status for o in again.outcomes} == {"good": "cached", "bad": "rendered"}
    assert [c["name"] for c in manifest(folder)["clips"]] == ["good", "bad"]
    assert leftovers(folder) == []


def crash_after_good_is_written(job: Job) -> dict[str, Any]:
    """'good' renders, then holds its result back (the first time) until 'bad' has killed its worker:
    the crash costs good's result though its files are complete on disk."""
    folder = Path(job.folder)
    if job.name == "bad":
        deadline = time.monotonic() + 120
        while not (folder / "good-written").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os._exit(70)
    result = render_job(job)
    if not (folder / "good-written").exists():
        (folder / "good-written").touch()
        time.sleep(60)  # the pool breaks meanwhile
    return result


def test_a_clip_finished_by_a_crashed_pool_counts_as_rendered_not_cached(tmp_path: Path) -> None:
    lesson = write_lesson(tmp_path, TINY.replace('name = "a"', 'name = "good"').replace('name = "b"', 'name = "bad"'))
    folder = tmp_path / "out"
    log = io.StringIO()
    summary = run_lesson(lesson, jobs=2, output_dir=folder, stream=log, job=crash_after_good_is_written)
    assert {o.name: o.status for o in summary.outcomes} == {"good": "rendered", "bad": "failed"}, log.getvalue()
    assert "retrying 2 task(s)" in log.getvalue()  # the crash is noticed while good still holds its result
    assert [c["name"] for c in manifest(folder)["clips"]] == ["good"]


def fake_job(job: Job) -> dict[str, Any]:
    """No manim: 'slow' blocks (until stopped), 'raise' fails, anything else returns a record at once."""
    if job.name == "slow":
        (Path(job.folder) / "slow-started").touch()
        time.sleep(120)
    if job.name == "raise":
        raise RenderError("rendering raise failed: on purpose")
    files = {"video": f"{job.name}.mp4", "poster": f"{job.name}.png", "captions": {}}
    clip = job.clip
    return {"record": {"name": clip.name, "title": clip.title, "scene": clip.scene, "files": files,
                       "params": clip.params.to_dict(), "options": dataclasses.asdict(clip.options),
                       "key": "0" * 64, "numbers": {}},
            "cached": False, "seconds": 0.01}


def test_a_failing_clip_is_reported_and_the_others_finish_on_any_executor(tmp_path: Path) -> None:
    lesson = write_lesson(tmp_path, TINY.replace('name = "a"', 'name = "raise"'))
    summary = run_lesson(lesson, jobs=2, output_dir=tmp_path / "out", stream=io.StringIO(), job=fake_job,
                         executor_factory=lambda workers: ThreadPoolExecutor(max_workers=workers))
    assert {o.name: o.status for o in summary.outcomes} == {"raise": "failed", "b": "rendered"}
    assert summary.failed[0].error == "rendering raise failed: on purpose"
    assert [c["name"] for c in manifest(tmp_path / "out")["clips"]] == ["b"]


def test_cli_batch_validates_the_file_before_creating_anything(tmp_path: Path) -> None:
    lesson = write_lesson(tmp_path, TINY.replace("n_max = 100\n", "n_max = 100\npint = 3\n"))
    line = lesson.read_text(encoding="utf-8").splitlines().index("pint = 3") + 1
    done = subprocess.run([sys.executable, "-m", "calcanim", "batch", str(lesson), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"{lesson} line {line}, clip 'a': unknown parameter 'pint' for limit-climb" in done.stderr
    assert not (tmp_path / "out").exists()  # validated before anything was rendered or created


def test_ctrl_c_finishes_or_stops_clips_and_writes_a_manifest_of_complete_ones(tmp_path: Path) -> None:
    lesson = write_lesson(tmp_path, TINY.replace('name = "b"', 'name = "slow"'))
    folder = tmp_path / "out"
    driver = textwrap.dedent(f"""
        import sys
        from calcanim.batch import run_lesson
        from tests.test_batch import fake_job
        try:
            run_lesson({str(lesson)!r}, jobs=2, output_dir={str(folder)!r}, job=fake_job)
        except KeyboardInterrupt:
            print("interrupted")
            sys.exit(130)
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, "-c", driver], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (folder / "slow-started").exists():
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.1)
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)  # first Ctrl-C: let the clip in progress finish
        time.sleep(1.5)
        assert process.poll() is None, "the first Ctrl-C should wait for the clip in progress"
        process.send_signal(signal.SIGINT)  # second Ctrl-C: stop it now
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130 and out.strip() == "interrupted", err
    assert "finishing 1 clip(s) in progress" in err
    assert [c["name"] for c in manifest(folder)["clips"]] == ["a"]
    assert manifest(folder)["missing"] == [{"name": "slow", "title": "B, to 1000", "scene": "limit-climb",
                                            "status": "interrupted", "error": "stopped by Ctrl-C"}]
    assert "nothing to do" not in err and "tiny: 1 rendered, 1 interrupted in" in err  # the cut-off clip is counted
    assert leftovers(folder) == []


ORDERING = """
[lesson]
title = "Ordering"

[defaults]
quality = "low"

[[clip]]
name = "short"
scene = "limit-climb"
[clip.params]
duration = 1

[[clip]]
name = "surface"
scene = "tangent-plane"

[[clip]]
name = "long"
scene = "limit-climb"
[clip.params]
duration = 12
"""


def test_longest_jobs_start_first_and_results_keep_the_lesson_order(tmp_path: Path) -> None:
    """Two workers finish soonest when the big clips start first (no worker left alone with one at the
    end); the 3D tangent plane draws ~3x slower per frame than a 2D clip (bench/RESULTS.md)."""
    lesson = write_lesson(tmp_path, ORDERING)
    started: list[str] = []

    def recording_job(job: Job) -> dict[str, Any]:
        started.append(job.name)
        return fake_job(job)

    summary = run_lesson(lesson, jobs=1, output_dir=tmp_path / "out", stream=io.StringIO(), job=recording_job,
                         executor_factory=lambda workers: ThreadPoolExecutor(max_workers=workers))
    # limit-climb lasts 2 + duration + 3 s; the tangent plane 8 s at 3x the per-frame cost
    assert started == ["surface", "long", "short"]
    assert [o.name for o in summary.outcomes] == ["short", "surface", "long"]
    assert [c["name"] for c in manifest(tmp_path / "out")["clips"]] == ["short", "surface", "long"]
