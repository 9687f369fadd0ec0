"""`calcanim render --watch`: render again on every save of the parameter file, in one process."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest

from calcanim.errors import ParamError
from calcanim.watch import watch


def test_renders_on_start_and_after_each_change_and_survives_bad_values(tmp_path: Path) -> None:
    config = tmp_path / "p.toml"
    config.write_text("duration = 1\n")
    renders: list[str] = []
    errors: list[str] = []
    script = {  # what the "user" does at each poll
        2: lambda: config.write_text("duration = 2\n"),
        4: lambda: config.write_text("duration = 'x'\n"),
        6: lambda: config.unlink(),
        8: lambda: config.write_text("duration = 3\n"),
    }
    polls = iter(range(1, 11))

    def render_once() -> None:
        text = config.read_text()
        if "'x'" in text:
            raise ParamError("duration must be a number")
        renders.append(text.strip())

    def sleep(_: float) -> None:
        return None

    state = {"poll": 0}

    def keep_going() -> bool:
        state["poll"] = next(polls, 0)
        if state["poll"] in script:
            script[state["poll"]]()
        return state["poll"] != 0

    watch(config, render_once, errors.append, sleep=sleep, keep_going=keep_going)
    assert renders == ["duration = 1", "duration = 2", "duration = 3"]
    assert errors == ["duration must be a number", f"{config} is gone; waiting for it to come back"]


def read_line(stream, deadline: float) -> str:
    line = stream.readline()
    assert line, "the watching process ended early"
    assert time.monotonic() < deadline, "the watching process took too long"
    return line.strip()


@pytest.mark.render
def test_cli_watch_renders_each_save_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    config = tmp_path / "climb.toml"
    config.write_text("duration = 1\nn_max = 100\nmarks = [1, 10, 100]\n")
    out = tmp_path / "renders" / "climb.mp4"
    process = subprocess.Popen(
        [sys.executable, "-m", "calcanim", "render", "limit-climb", "--config", str(config), "--watch",
         "-q", "low", "--no-captions", "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 120
        assert read_line(process.stdout, deadline) == str(out)
        with av.open(str(out)) as video:
            first = float(video.duration / av.time_base)
        config.write_text("duration = 4\nn_max = 100\nmarks = [1, 10, 100]\n")
        assert read_line(process.stdout, deadline) == str(out)
        with av.open(str(out)) as video:
            second = float(video.duration / av.time_base)
        # limit-climb lasts a 2 s intro + the climb + a 3 s ending
        assert first == pytest.approx(6, abs=0.1) and second == pytest.approx(9, abs=0.1)
        config.write_text("duration = -5\n")  # a bad value: one error line, and it keeps watching
        time.sleep(1.5)
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "calcanim: error: " in err and "duration" in err
    assert "Traceback" not in err
    assert err.rstrip().endswith("stopped watching")
    assert not [p.name for p in out.parent.iterdir() if p.name.endswith((".partial", ".tmp"))]


def test_cli_watch_needs_a_config_file(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "calcanim", "render", "limit-climb", "--watch"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "calcanim: error: --watch needs --config FILE: the parameter file whose changes trigger a new render"
    )
    assert not (tmp_path / "renders").exists()
