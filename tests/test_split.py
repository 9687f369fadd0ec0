"""One clip split across processes (``render --jobs N``): the decoded frames, the captions, the poster
and the key stamp are those of the one-process render, frame for frame; bad --jobs is one line; a
SIGTERM leaves no worker process and nothing partial."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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


def test_limit_climb_split_in_two_draws_the_same_frames(tmp_path: Path) -> None:
    clip = resolve_clip("limit-climb", {"n_max": 100, "duration": 2, "marks": [1, 10, 100]}, LOW, Source())
    assert workers_for(clip, 2) == 2
    one, subtitles_one, poster_one = render_in(tmp_path / "one", clip, None)
    split, subtitles_split, poster_split = render_split_in(tmp_path / "split", clip, 2)
    reference, joined = frames_of(one), frames_of(split)
    parts = [frames_of(next((tmp_path / "split" / f"part-{k}").rglob("clip.mp4"))) for k in (0, 1)]
    assert all(parts) and sum(map(len, parts)) == len(reference)  # each worker drew a real share
    assert len(joined) == len(reference) == round(float(clip.plan().duration) * 15)
    assert differing(reference, joined) == []
    assert subtitles_one is not None and subtitles_split is not None
    assert subtitles_split.read_text(encoding="utf-8") == subtitles_one.read_text(encoding="utf-8")
    assert poster_split == poster_one


def test_zoom_linearity_with_jobs_2_writes_the_files_of_one_job(tmp_path: Path) -> None:
    clip = resolve_clip("zoom-linearity", {"zooms": [1, 10]}, LOW, Source())
    results = {}
    for jobs in (1, 2):
        target = tmp_path / f"j{jobs}" / "zoom.mp4"
        results[jobs] = render(clip, target, poster=target.with_suffix(".png"), jobs=jobs)
    one, two = results[1], results[2]
    reference, joined = frames_of(one.path), frames_of(two.path)
    assert len(joined) == len(reference) == round(float(clip.plan().duration) * 15)
    assert differing(reference, joined) == []
    assert [p.read_bytes() for p in two.captions] == [p.read_bytes() for p in one.captions]
    assert len(one.captions) == 2 and one.captions[0].read_text(encoding="utf-8").count("-->") >= 2
    assert one.poster is not None and two.poster is not None
    assert np.array_equal(np.asarray(Image.open(one.poster)), np.asarray(Image.open(two.poster)))
    assert two.key == one.key  # --jobs is not part of what the clip shows
    assert (two.path.parent / ".zoom.mp4.key").read_text() == (one.path.parent / ".zoom.mp4.key").read_text()


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


def test_sigterm_during_split_render_leaves_no_worker_and_no_file(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "out"
    env = {**os.environ, "TMPDIR": str(temp)}
    parent = subprocess.Popen(
        [sys.executable, "-m", "calcanim", "render", "limit-climb", "-q", "low", "--set", "duration=40", "--jobs", "2",
         "--quiet", "-o", str(out / "climb.mp4")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    process = psutil.Process(parent.pid)
    workers: list[psutil.Process] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and parent.poll() is None:
        workers = [p for p in process.children(recursive=True) if "spawn_main" in " ".join(p.cmdline())]
        if workers and list(temp.glob("calcanim-*/part-*/media")):
            break
        time.sleep(0.2)
    assert parent.poll() is None and workers, "the split render never started its worker"
    time.sleep(1.0)  # mid-render: a 40 s clip takes far longer than this to draw, even on an idle machine
    parent.send_signal(signal.SIGTERM)
    _, stderr = parent.communicate(timeout=60)
    assert parent.returncode == 128 + signal.SIGTERM, stderr
    gone, alive = psutil.wait_procs(workers, timeout=15)
    assert alive == []
    assert list(temp.iterdir()) == []  # the working folder (and every worker's part) was removed
    assert not out.exists() or list(out.iterdir()) == []
