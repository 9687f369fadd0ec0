"""Stopping by signal: `calcanim batch` killed with SIGTERM or SIGKILL while its workers start and
mid-render, and `calcanim render` stopped with SIGTERM or SIGHUP, leave no process (of the
killed command's session), no half-written file, no temporary folder and a manifest that is true;
a signal during the manifest write waits for it."""

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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from calcanim.batch import Job, is_complete, run_lesson
from calcanim.batch import runner as runner_module
from calcanim.lesson import load_lesson
from calcanim.stop_signals import Terminated, stop_signals_raise

LESSON = """
[lesson]
title = "Signals"

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
scene = "limit-climb"
[clip.params]
duration = 1
n_max = 1000
marks = [1, 1000]
"""


def session_processes(session: int) -> list[str]:
    """The live processes of a session (pid and command), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[3]) == session and fields[0] != "Z":
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")[:120]
                found.append(f"{entry.name}: {command!r}")
        except (OSError, ValueError, IndexError):
            continue
    return found


def children_of(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                    kids.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return kids


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the command ended before {what}: {process.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def half_written(*folders: Path) -> list[str]:
    return sorted(str(p) for folder in folders if folder.exists() for p in folder.rglob("*")
                  if p.name.endswith((".partial", ".tmp")) or p.name.startswith("calcanim-"))


def assert_manifest_true(folder: Path, lesson: Path) -> None:
    """Every clip the manifest lists is there whole; 'current' only when it is the lesson's clip as
    it stands, and a clip listed as missing really has no complete files."""
    path = folder / "manifest.json"
    if not path.exists():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    keys = {clip.name: clip.key() for clip in load_lesson(lesson).clips}
    for record in data["clips"]:
        assert is_complete(record, folder), record["name"]
        assert record["status"] == ("current" if record["key"] == keys[record["name"]] else "stale")
    assert {m["name"] for m in data["missing"]} | {c["name"] for c in data["clips"]} == set(keys)


def start(command: list[str], tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(temp)}
    process = subprocess.Popen([sys.executable, "-m", "calcanim", *command], cwd=tmp_path, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    return process, temp


def rendering_started(temp: Path) -> Callable[[], bool]:
    return lambda: any(p.name.startswith("calcanim-") for p in temp.iterdir())


def end_and_check(process: subprocess.Popen[str], sig: int, temp: Path, out: Path) -> tuple[int, str]:
    os.kill(process.pid, sig)
    _, err = process.communicate(timeout=40)
    deadline = time.monotonic() + 20
    while session_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_processes(process.pid) == [], "processes left behind"
    assert half_written(out, temp) == []
    return process.returncode, err


MOMENTS = ["workers starting", "mid-render"]


@pytest.mark.render
@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_batch_leaves_no_process_no_partial_file_and_a_true_manifest(
    tmp_path: Path, sig: int, moment: str
) -> None:
    lesson = tmp_path / "signals.toml"
    lesson.write_text(LESSON, encoding="utf-8")
    out = tmp_path / "out"
    process, temp = start(["batch", str(lesson), "-o", str(out), "-j", "2"], tmp_path)
    try:
        if moment == "workers starting":
            wait_for(lambda: bool(children_of(process.pid)), process, 60, "a worker process")
        else:
            wait_for(rendering_started(temp), process, 90, "a render to start")
            time.sleep(0.5)
        code, err = end_and_check(process, sig, temp, out)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert_manifest_true(out, lesson)
    if sig == signal.SIGTERM:
        assert code == 128 + signal.SIGTERM, err
        assert err.rstrip().endswith("calcanim: stopped by SIGTERM; nothing partial was left in the output folder"), err
        assert "nothing to do" not in err
        assert (out / "manifest.json").is_file()
        assert "interrupted" in err or "skipped" in err, err


@pytest.mark.render
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stopped_render_leaves_no_temp_folder_and_no_output(tmp_path: Path, sig: int) -> None:
    out = tmp_path / "new" / "clip.mp4"
    process, temp = start(["render", "limit-climb", "-q", "low", "--set", "duration=1", "-o", str(out)], tmp_path)
    try:
        wait_for(rendering_started(temp), process, 60, "the render to start")
        time.sleep(1.0)
        code, err = end_and_check(process, sig, temp, tmp_path / "new")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert code == 128 + sig
    assert err.strip().splitlines()[-1] == (
        f"calcanim: stopped by {signal.Signals(sig).name}; nothing partial was left in the output folder")
    assert not (tmp_path / "new").exists()
    assert list(temp.iterdir()) == []


# --- in process: a signal while the manifest is written ---------------------------------------


def instant_job(job: Job) -> dict[str, Any]:
    clip = job.clip
    return {"record": {"name": clip.name, "title": clip.title, "scene": clip.scene,
                       "files": {"video": f"{clip.name}.mp4", "poster": f"{clip.name}.png", "captions": {}},
                       "params": clip.params.to_dict(), "options": dataclasses.asdict(clip.options),
                       "key": clip.key(), "numbers": {}},
            "cached": False, "seconds": 0.0}


@pytest.mark.parametrize("during", [1, 2, 4], ids=["first write", "after a clip", "last write"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_while_the_manifest_is_written_waits_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, during: int, sig: int
) -> None:
    """Writes: before the workers start (1), after each of the two clips (2, 3), at the end (4)."""
    lesson = tmp_path / "signals.toml"
    lesson.write_text(textwrap.dedent(LESSON), encoding="utf-8")
    folder = tmp_path / "out"
    real_write = runner_module.write_json_atomically
    calls: list[int] = []

    def write_with_signal(path: Path, data: Any) -> None:
        calls.append(1)
        if len(calls) == during:
            os.kill(os.getpid(), sig)
            time.sleep(0.05)  # the signal arrives here, halfway through
        real_write(path, data)

    monkeypatch.setattr(runner_module, "write_json_atomically", write_with_signal)
    log = io.StringIO()
    with pytest.raises(KeyboardInterrupt) as stopped, stop_signals_raise():
        run_lesson(lesson, jobs=1, output_dir=folder, stream=log, job=instant_job,
                   executor_factory=lambda workers: ThreadPoolExecutor(max_workers=workers))
    assert isinstance(stopped.value, Terminated) == (sig != signal.SIGINT)
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))  # whole
    assert half_written(folder) == []
    rendered = {c["name"] for c in data["clips"]}
    assert {c["status"] for c in data["clips"]} <= {"current"}
    assert {m["status"] for m in data["missing"]} <= {"skipped", "interrupted"}
    assert rendered | {m["name"] for m in data["missing"]} == {"a", "b"}
    assert "nothing to do" not in log.getvalue()
    if during == 1:
        assert rendered == set() and "2 skipped" in log.getvalue()
    if during == 4:
        assert rendered == {"a", "b"}


# --- a second stop signal during the cleanup (found by the hostile review) -----------------------

SECOND_SIGNAL_DURING_CLEANUP = """
import os, signal, sys
{setup}
try:
    {block}
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            signal.pause()  # never reached: the first SIGTERM raises on the way
        finally:
            os.kill(os.getpid(), signal.SIGTERM)  # the second: the group's, then the runner's or PDEATHSIG's
            os.kill(os.getpid(), signal.SIGHUP)
            print("cleaned up", flush=True)
except BaseException as stop:
    print("stopped by", type(stop).__name__, flush=True)
"""


@pytest.mark.parametrize("where", ["batch worker", "command line"])
def test_a_second_stop_signal_does_not_cut_the_cleanup_short(where: str) -> None:
    """Before the fix, a batch stopped by SIGTERM to its process group (what `kill -- -PGID`, systemd or
    a CI runner send) left an empty calcanim-* folder in the temp dir: the worker's first SIGTERM
    started the cleanup, the runner's second one raised again inside it. Signals go to the process
    itself, so they arrive at a known point whatever the load."""
    setup, block = {
        "batch worker": ("from calcanim.batch.runner import _exit_on_term\nsignal.signal(signal.SIGTERM, _exit_on_term)",
                         "if True:"),
        "command line": ("from calcanim.stop_signals import stop_signals_raise", "with stop_signals_raise(then_exit=True):"),
    }[where]
    code = SECOND_SIGNAL_DURING_CLEANUP.format(setup=setup, block=block)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines()[:1] == ["cleaned up"], done.stdout + done.stderr
    assert "Traceback" not in done.stderr
