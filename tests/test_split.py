"""One clip split across processes (``render --jobs N``): the decoded frames, the captions, the poster
and the key stamp are those of the one-process render, frame for frame; bad --jobs is one line; a
SIGTERM leaves no worker process and nothing partial."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import av
import numpy as np
import psutil
import pytest
from PIL import Image

from calcanim.clip import RenderOptions, Source, resolve_clip
from calcanim.errors import ParamError
from calcanim.rendering import render
from calcanim.rendering.manim_run import render_in
from calcanim.rendering.split import MAX_JOBS, Window, check_jobs, render_split_in, workers_for
from calcanim.rendering import split_fork
from calcanim.rendering.split_fork import tqdm_monitor_off

pytestmark = pytest.mark.render
LOW = RenderOptions(quality="low")


def frames_of(movie: Path) -> list[np.ndarray]:
    with av.open(str(movie)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def differing(one: list[np.ndarray], other: list[np.ndarray]) -> list[int]:
    return [i for i, (a, b) in enumerate(zip(one, other, strict=True)) if not np.array_equal(a, b)]


def test_windows_cover_every_frame_once() -> None:
    for count in (1, 2, 3, 7):
        windows = [Window(k, count, 101) for k in range(count)]
        for start in range(0, 140):  # past the end too: an animation starting late belongs to the last window
            assert sum(w.owns(start) for w in windows) == 1
        assert windows[0].first == 0 and windows[-1].end is None


@pytest.mark.parametrize("jobs, method", [(2, "fork"), (3, "fork"), (2, "spawn")])
def test_limit_climb_split_draws_the_same_frames(tmp_path: Path, jobs: int, method: str) -> None:
    clip = resolve_clip("limit-climb", {"n_max": 100, "duration": 3, "marks": [1, 10, 100]}, LOW, Source())
    assert workers_for(clip, jobs) == jobs
    one, subtitles_one, poster_one = render_in(tmp_path / "one", clip, None)
    records: list[dict[str, object]] = []
    split, subtitles_split, poster_split = render_split_in(tmp_path / "split", clip, jobs, records, method=method)
    reference, joined = frames_of(one), frames_of(split)
    parts = [frames_of(Path(str(record["movie"]))) for record in records if record["movie"]]
    assert len(parts) >= 2 and all(parts) and sum(map(len, parts)) == len(reference)  # each drew a real share
    assert len(joined) == len(reference) == round(float(clip.plan().duration) * 15)
    assert differing(reference, joined) == []
    assert subtitles_one is not None and subtitles_split is not None
    assert subtitles_split.read_text(encoding="utf-8") == subtitles_one.read_text(encoding="utf-8")
    assert poster_split == poster_one


@pytest.mark.parametrize("scene, params", [
    ("gradient-descent", {"duration": 3, "steps": 20, "resolution": 16, "levels": 6}),
    ("tangent-plane", {"duration": 4, "resolution": 16}),
])
def test_a_raster_view_replayed_without_its_pixels_draws_the_same_frames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scene: str, params: dict[str, object]
) -> None:
    """The 3D surface and the contour map are not rendered while a process replays frames it does not
    draw (frames_unseen); the frames are still those of one process."""
    from calcanim.raster.surface import SurfaceRenderer

    monkeypatch.setattr(split_fork, "fork_usable", lambda: True)
    clip = resolve_clip(scene, params, LOW, Source())
    one, _, _ = render_in(tmp_path / "one", clip, None)
    rendered = {"calls": 0}
    surface_render = SurfaceRenderer.render

    def counted(self: SurfaceRenderer, *args: object, **kwargs: object) -> object:
        rendered["calls"] += 1
        return surface_render(self, *args, **kwargs)

    monkeypatch.setattr(SurfaceRenderer, "render", counted)
    records: list[dict[str, object]] = []
    split, _, _ = render_split_in(tmp_path / "split", clip, 2, records, method="fork")
    assert differing(frames_of(one), frames_of(split)) == []
    caller = records[-1]  # this process: replayed the copy's share, then drew the rest
    assert int(str(caller["replayed"])) >= 1 and int(str(caller["frames"])) < len(frames_of(one))
    # one surface per frame it drew, and per animation it replayed (the update after its last frame); none per replayed frame
    assert rendered["calls"] <= 1 + int(str(caller["frames"])) + int(str(caller["replayed"])) + int(str(caller["animations"]))


def test_no_tqdm_monitor_thread_is_left_to_hold_a_lock_at_a_fork() -> None:
    from tqdm import tqdm

    with tqdm(total=1, disable=True):  # what manim does at each animation
        pass
    with tqdm_monitor_off():
        assert "tqdm_monitor" not in [thread.name for thread in threading.enumerate()]
        with tqdm(total=1, disable=True):
            assert "tqdm_monitor" not in [thread.name for thread in threading.enumerate()]


def test_zoom_linearity_with_jobs_2_and_3_writes_the_files_of_one_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the fork path, though earlier tests in this process may have left an idle thread behind
    monkeypatch.setattr(split_fork, "fork_usable", lambda: True)
    clip = resolve_clip("zoom-linearity", {"zooms": [1, 10]}, LOW, Source())
    results = {}
    seen: list[tuple[int, int]] = []
    for jobs in (1, 2, 3):
        target = tmp_path / f"j{jobs}" / "zoom.mp4"
        progress = (lambda done, total: seen.append((done, total))) if jobs == 3 else None
        results[jobs] = render(clip, target, poster=target.with_suffix(".png"), jobs=jobs, progress=progress)
    one = results[1]
    reference = frames_of(one.path)
    assert len(reference) == round(float(clip.plan().duration) * 15)
    assert len(one.captions) == 2 and one.captions[0].read_text(encoding="utf-8").count("-->") >= 2
    assert one.poster is not None
    for two in (results[2], results[3]):
        assert differing(reference, frames_of(two.path)) == []
        assert [p.read_bytes() for p in two.captions] == [p.read_bytes() for p in one.captions]
        assert two.poster is not None
        assert np.array_equal(np.asarray(Image.open(one.poster)), np.asarray(Image.open(two.poster)))
        assert two.key == one.key  # --jobs is not part of what the clip shows
        assert (two.path.parent / ".zoom.mp4.key").read_text() == (one.path.parent / ".zoom.mp4.key").read_text()
    # the progress of --jobs 3 counts the frames all processes drew, up to every frame of the clip
    assert seen and all(total == len(reference) for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen) and seen[-1][0] == len(reference)


@pytest.mark.parametrize("jobs", [0, -3, MAX_JOBS + 1, 10**9, True, 2.5])
def test_check_jobs_refuses_nonsense(jobs: object) -> None:
    with pytest.raises(ParamError, match="--jobs must be a whole number from 1 to"):
        check_jobs(jobs)


@pytest.mark.parametrize("argv, says", [
    (["--jobs", "0"], "--jobs must be a whole number from 1 to 64"),
    (["--jobs", "100000"], "--jobs must be a whole number from 1 to 64"),
    (["--jobs", "many"], "'many' is not a valid integer"),
    (["--jobs", "2", "--format", "png"], "a png poster is one frame"),
])
def test_cli_bad_jobs_is_one_line(tmp_path: Path, argv: list[str], says: str) -> None:
    done = subprocess.run([sys.executable, "-m", "calcanim", "render", "limit-climb", "-q", "low", *argv],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("calcanim: error: ") and says in lines[0]
    assert not (tmp_path / "renders").exists()


def start_split_render(tmp_path: Path, *extra: str, prelude: str = "") -> tuple[subprocess.Popen[str], Path, Path]:
    """``calcanim render limit-climb --jobs 2`` of a 40 s clip in its own session, with its own TMPDIR;
    ``prelude`` is Python run first in that process (a fault to inject)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "out"
    env = {**os.environ, "TMPDIR": str(temp)}
    argv = ["render", "limit-climb", "-q", "low", "--set", "duration=40", "--jobs", "2", *extra,
            "-o", str(out / "climb.mp4")]
    code = f"{prelude}\nimport sys\nfrom calcanim.cli import main\nsys.argv = ['calcanim', *{argv!r}]\nmain()\n"
    parent = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)
    return parent, temp, out


def drawing_copies(parent: subprocess.Popen[str], temp: Path) -> list[psutil.Process]:
    """The render's other processes, once one of them draws (its window's folder exists)."""
    process = psutil.Process(parent.pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and parent.poll() is None:
        workers = process.children(recursive=True)
        if workers and list(temp.glob("calcanim-*/part-0")):
            return workers
        time.sleep(0.2)
    raise AssertionError(f"the split render never started drawing in another process: {parent.communicate()}")


def assert_nothing_left(parent: subprocess.Popen[str], workers: list[psutil.Process], temp: Path, out: Path) -> None:
    gone, alive = psutil.wait_procs(workers, timeout=15)
    assert alive == []
    assert list(temp.iterdir()) == []  # the working folder (and every window's part) was removed
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, 130)],
                         ids=["SIGTERM", "Ctrl-C"])
def test_a_signal_during_split_render_leaves_no_worker_and_no_file(tmp_path: Path, sig: int, code: int) -> None:
    parent, temp, out = start_split_render(tmp_path, "--quiet")
    try:
        workers = drawing_copies(parent, temp)
        assert not any("spawn_main" in " ".join(worker.cmdline()) for worker in workers)  # forked copies
        time.sleep(1.0)  # mid-render: a 40 s clip takes far longer than this to draw, even on an idle machine
        if sig == signal.SIGINT:
            os.killpg(parent.pid, sig)  # Ctrl-C in a terminal reaches every process of the foreground group
        else:
            parent.send_signal(sig)
        _, stderr = parent.communicate(timeout=60)
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)
    assert parent.returncode == code, stderr
    assert stderr.strip().splitlines()[-1].endswith("nothing partial was left in the output folder"), stderr
    assert_nothing_left(parent, workers, temp, out)


#: Faults injected into the first forked copy once it has drawn a frame, and the line they must give.
FAULTS = {
    "error": ("raise RuntimeError('injected fault')",
              "calcanim: error: rendering limit-climb failed: RuntimeError: injected fault"),
    "killed": ("os.kill(os.getpid(), signal.SIGKILL)",
               "calcanim: error: rendering limit-climb failed: the process drawing its frames from 0 was killed by SIGKILL"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failing_copy_is_one_line_and_leaves_nothing(tmp_path: Path, fault: str) -> None:
    statement, message = FAULTS[fault]
    prelude = f"""
import os, signal
from calcanim.rendering import split_fork
become_copy = split_fork._Conductor.become_copy
def faulty(self, slot):
    become_copy(self, slot)
    write_frame = self.writer.write_frame
    def broken(*args, **kwargs):
        if self.slot == 0 and self.first_frame is not None:
            {statement}
        return write_frame(*args, **kwargs)
    self.writer.write_frame = broken
split_fork._Conductor.become_copy = faulty
"""
    parent, temp, out = start_split_render(tmp_path, prelude=prelude)
    try:
        _, stderr = parent.communicate(timeout=240)
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)
    assert parent.returncode == 2, stderr
    assert stderr.strip().splitlines() == [message]
    assert list(temp.iterdir()) == []
    assert not out.exists() or list(out.iterdir()) == []
    deadline = time.monotonic() + 15
    while psutil.pid_exists(parent.pid) and any(p.ppid() == parent.pid for p in psutil.process_iter()):
        assert time.monotonic() < deadline, "a copy outlived the render"
        time.sleep(0.1)


def test_a_replayed_view_shows_the_pixels_of_each_animations_end_without_rendering_its_frames(tmp_path: Path) -> None:
    """_replay skips a RasterView's renders inside an animation but not manim's update after its last
    frame, so a view whose updater is gone by the next animation still shows the right pixels."""
    from manim import ORIGIN, Scene, ValueTracker, tempconfig

    from calcanim.raster.manim_view import RasterView
    from calcanim.rendering.split import _replay

    with tempconfig({"media_dir": str(tmp_path), "dry_run": True, "frame_rate": 15, "progress_bar": "none"}):
        scene = Scene()
        scene.setup()
        tracker = ValueTracker(0.0)
        view = RasterView(ORIGIN, 1.0, 1.0, (0.0, 0.0, 0.0))
        calls: list[float] = []

        def render_now() -> np.ndarray:
            calls.append(tracker.get_value())
            return np.full((view.pixel_size[1], view.pixel_size[0], 4), round(255 * tracker.get_value()), np.uint8)

        view.add_updater(lambda mob: mob.redraw(render_now))
        scene.add(view)
        _replay(scene.renderer, scene, (tracker.animate(run_time=1.0).set_value(0.6),), {})
        view.clear_updaters()  # the view stays as it was at the animation's end
        assert calls == [pytest.approx(0.6)]  # no render for the 15 frames inside; one after the last
        assert int(view.bgra[0, 0, 0]) == round(255 * 0.6)
