"""Lessons on a Dask cluster: a real scheduler and two worker processes on 127.0.0.1, started here.
The clips come back as files (no shared storage), frame-identical to the local pool's; a worker
killed mid-run costs no clip; no worker left is one line; a version mismatch is refused."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

pytest.importorskip("distributed")

from calcanim.batch import run_lesson  # noqa: E402
from calcanim.batch import cluster as cluster_module  # noqa: E402
from calcanim.batch.cluster import connect  # noqa: E402
from calcanim.errors import CalcanimError  # noqa: E402
from tests.test_long_clips import LONG_AND_SHORT, assert_same_lesson, uncut_long_and_short  # noqa: E402, F401

pytestmark = pytest.mark.render

LESSON = """
[lesson]
name = "on-cluster"
title = "Three small clips"

[defaults]
quality = "low"

[[clip]]
name = "climb"
scene = "limit-climb"
[clip.params]
n_max = 100
marks = [1, 10, 100]
duration = 2

[[clip]]
name = "zoom"
scene = "zoom-linearity"
[clip.params]
zooms = [1, 10]

[[clip]]
name = "bases"
scene = "tangent-bases"
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    """In the child: be killed when the test process dies, even if it is killed before its fixtures
    can stop the cluster (Linux prctl PR_SET_PDEATHSIG; elsewhere the fixture's cleanup only)."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass


class Processes:
    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen([sys.executable, "-m", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True, preexec_fn=_die_with_parent)
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            with __import__("contextlib").suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture
def dask_cluster() -> Iterator[tuple[str, list[subprocess.Popen[bytes]], Processes]]:
    import distributed

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = Processes()
    try:
        processes.start("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
        workers = [processes.start("distributed.cli.dask_worker", address, "--nthreads", "1", "--no-dashboard",
                                   "--nworkers", "1") for _ in range(2)]
        with distributed.Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address, workers, processes
    finally:
        processes.stop_all()


def write_lesson(folder: Path) -> Path:
    lesson = folder / "on-cluster.toml"
    lesson.write_text(LESSON, encoding="utf-8")
    return lesson


def frames(video: Path) -> list[np.ndarray]:
    with av.open(str(video)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def test_a_lesson_renders_on_the_cluster_frame_identical_to_the_local_pool_even_when_a_worker_dies(
    tmp_path: Path, dask_cluster: tuple[str, list[subprocess.Popen[bytes]], Processes]
) -> None:
    address, workers, _ = dask_cluster
    lesson = write_lesson(tmp_path)
    out = io.StringIO()

    def kill_one_worker_once_busy() -> None:
        import distributed

        with distributed.Client(address, timeout="30s") as watcher:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if any(watcher.processing().values()):
                    time.sleep(1.0)  # mid-clip
                    os.killpg(workers[0].pid, signal.SIGKILL)
                    return
                time.sleep(0.2)

    killer = threading.Thread(target=kill_one_worker_once_busy)
    killer.start()
    with connect(address, stream=out) as dask:
        summary = run_lesson(lesson, jobs=dask.workers, output_dir=tmp_path / "cluster", executor_factory=dask.factory,
                             stream=out)
    killer.join()
    assert not summary.failed, out.getvalue()
    assert "left the cluster" in out.getvalue(), "the lost worker is reported"
    local = run_lesson(lesson, output_dir=tmp_path / "local", jobs=2, stream=io.StringIO())
    assert not local.failed
    ours = json.loads((tmp_path / "cluster" / "manifest.json").read_text())
    theirs = json.loads((tmp_path / "local" / "manifest.json").read_text())
    assert [c["key"] for c in ours["clips"]] == [c["key"] for c in theirs["clips"]]
    assert sorted(p.name for p in (tmp_path / "cluster").iterdir()) == sorted(p.name for p in (tmp_path / "local").iterdir())
    for clip in ours["clips"]:
        a, b = frames(tmp_path / "cluster" / clip["files"]["video"]), frames(tmp_path / "local" / clip["files"]["video"])
        assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b)), clip["name"]


def test_no_worker_left_stops_the_batch_with_one_line_and_a_true_manifest(
    tmp_path: Path, dask_cluster: tuple[str, list[subprocess.Popen[bytes]], Processes]
) -> None:
    address, workers, _ = dask_cluster
    lesson = write_lesson(tmp_path)
    out = io.StringIO()
    started = time.monotonic()
    with connect(address, stream=out, grace=2) as dask:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGKILL)
        summary = run_lesson(lesson, jobs=2, output_dir=tmp_path / "out", executor_factory=dask.factory, stream=out)
    assert time.monotonic() - started < 60
    assert len(summary.failed) == 3
    assert all("no Dask worker left" in (o.error or "") for o in summary.failed)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["clips"] == [], "the manifest lists only clips that were made"


def test_a_worker_with_another_calcanim_version_is_refused(
    dask_cluster: tuple[str, list[subprocess.Popen[bytes]], Processes], monkeypatch: pytest.MonkeyPatch
) -> None:
    address, _, _ = dask_cluster
    monkeypatch.setattr(cluster_module, "__version__", "0.0.0-other")
    with pytest.raises(CalcanimError, match=r"runs calcanim .* this is 0.0.0-other: install the same version"):
        with connect(address):
            pass


def test_cli_cluster_option_errors_are_one_line(tmp_path: Path) -> None:
    lesson = write_lesson(tmp_path)
    for args, fragment in [
        (["--cluster", "local:zero"], "--cluster must be local:N"),
        (["--cluster", "local:2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
        (["--scheduler", f"tcp://127.0.0.1:{free_port()}"], "cannot reach the Dask scheduler"),
    ]:
        done = subprocess.run([sys.executable, "-m", "calcanim", "batch", str(lesson), "-o", str(tmp_path / "o"), *args],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("calcanim: error:") and fragment in lines[0], done.stderr
        assert not (tmp_path / "o").exists()


def test_python_api_renders_a_lesson_on_a_local_cluster(tmp_path: Path) -> None:
    import calcanim

    lesson = tmp_path / "one.toml"
    lesson.write_text(LESSON.split("[[clip]]\nname = \"zoom\"")[0], encoding="utf-8")
    summary = calcanim.render_lesson(lesson, cluster="local:1", output_dir=tmp_path / "out")
    assert not summary.failed and [o.name for o in summary.outcomes] == ["climb"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert (tmp_path / "out" / manifest["clips"][0]["files"]["video"]).is_file()


def test_a_long_clip_cut_into_windows_survives_a_lost_worker_and_a_rerun_without_captions_drops_them(
    tmp_path: Path, dask_cluster: tuple[str, list[subprocess.Popen[bytes]], Processes], uncut_long_and_short: Path
) -> None:
    """Issue 19: the long clip's windows are tasks on the cluster; the worker rendering one is killed,
    Dask reschedules it, and the joined clip has the frames, names and keys of an uncut local render.
    Rendered again without captions, the clip's old .srt/.vtt go, as they do locally."""
    address, workers, _ = dask_cluster
    lesson = tmp_path / "long-and-short.toml"
    lesson.write_text(LONG_AND_SHORT, encoding="utf-8")
    out = io.StringIO()
    killed: list[str] = []

    def kill_the_worker_of_a_window() -> None:
        import distributed

        ours = {worker.pid for worker in workers}
        with distributed.Client(address, timeout="30s") as watcher:
            groups = watcher.run(os.getpgrp)  # a worker's process group is the `dask worker` we started
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                busy = [address for address, keys in watcher.processing().items()
                        if any(str(key).startswith("calcanim-long-") for key in keys) and groups.get(address) in ours]
                if busy:
                    time.sleep(0.5)  # mid-window
                    os.killpg(groups[busy[0]], signal.SIGKILL)
                    killed.append(busy[0])
                    return
                time.sleep(0.1)

    killer = threading.Thread(target=kill_the_worker_of_a_window)
    killer.start()
    with connect(address, stream=out) as dask:
        summary = run_lesson(lesson, jobs=3, output_dir=tmp_path / "cluster", executor_factory=dask.factory,
                             stream=out)  # 3 tasks in flight: the rule cuts the 15 s clip beside the 7 s one
        killer.join()
        assert not summary.failed, out.getvalue()
        assert killed and "left the cluster" in out.getvalue(), out.getvalue()
        assert "long into 2" in out.getvalue()
        assert_same_lesson(tmp_path / "cluster", uncut_long_and_short)

        lesson.write_text(LONG_AND_SHORT.replace('quality = "low"', 'quality = "low"\ncaptions = false'), encoding="utf-8")
        again = run_lesson(lesson, jobs=1, only=["short"], output_dir=tmp_path / "cluster", executor_factory=dask.factory,
                           stream=out)
    assert [o.status for o in again.outcomes if o.name == "short"] == ["rendered"], out.getvalue()
    names = {p.name for p in (tmp_path / "cluster").iterdir()}
    assert {"short.mp4", "long.srt", "long.vtt"} <= names and not {"short.srt", "short.vtt"} & names
    manifest = json.loads((tmp_path / "cluster" / "manifest.json").read_text())
    assert {c["name"]: c["files"]["captions"] for c in manifest["clips"]}["short"] == {}


@pytest.mark.parametrize("address", ["garbage", "tcp://host", "tcp://10.0.0.5:8786x", ""])
def test_a_scheduler_address_dask_cannot_parse_is_one_line_at_once(address: str, tmp_path: Path) -> None:
    """Found by the hostile review: `--scheduler garbage` printed a ValueError traceback, then waited
    20 s in the half-made Client's __del__ and printed another."""
    from click.testing import CliRunner

    from calcanim.cli import main

    lesson = Path(__file__).resolve().parents[1] / "scenes" / "e-and-linearity.toml"
    result = CliRunner().invoke(main, ["batch", str(lesson), "--scheduler", address, "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("calcanim: error: --scheduler must be an address")
    assert not (tmp_path / "out").exists()
