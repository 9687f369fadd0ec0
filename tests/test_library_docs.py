"""Every example in docs/library.md runs as written: the notebook cell in Python, the subclass and
the composed scene with manim's own command line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "library.md"
pytestmark = pytest.mark.render


def examples() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 3, "docs/library.md has three examples"
    return blocks


def manim(tmp_path: Path, source: str, scene: str) -> subprocess.CompletedProcess[str]:
    file = tmp_path / "lecture.py"
    file.write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "manim", "render", "-ql", "--disable_caching", "--media_dir", str(tmp_path / "media"),
         str(file), scene],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )


def srt_starts(srt: Path) -> list[float]:
    starts = re.findall(r"^(\d\d):(\d\d):(\d\d),(\d\d\d) -->", srt.read_text(encoding="utf-8"), re.M)
    return [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms in starts]


def first_frame(video: Path) -> np.ndarray:
    with av.open(str(video)) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24")


def test_the_notebook_cell_runs(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", examples()[0]], capture_output=True, text=True, timeout=600,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "climb.mp4").is_file() and (tmp_path / "climb.png").is_file()
    assert (tmp_path / "climb.vtt").is_file() and (tmp_path / "climb.srt").is_file()
    assert "invalid value for 'decimals'" in done.stdout


def test_the_subclass_renders_with_its_params_theme_and_a_title_card_before_its_captions(tmp_path: Path) -> None:
    done = manim(tmp_path, examples()[1], "MyClimb")
    assert done.returncode == 0, done.stderr[-3000:]
    video = next((tmp_path / "media").rglob("MyClimb.mp4"))
    assert first_frame(video).mean() > 200, "THEME = 'light': a white background"
    assert "Bei n = 1 ist a_n = 2, bei n = 2 ist es 2,25." in video.with_suffix(".srt").read_text(encoding="utf-8")
    starts = srt_starts(video.with_suffix(".srt"))
    assert starts and min(starts) >= 1.5, "the clip's captions start after the 1.5 s title card"
    with av.open(str(video)) as container:
        seconds = float(container.duration) / 1e6
    from calcanim.api import inspect

    assert seconds == pytest.approx(1.5 + inspect("limit-climb", n_max=1000, marks=[1, 10, 100, 1000], duration=2)["duration"], abs=0.2)


def test_a_bad_subclass_param_is_one_line_and_exit_2(tmp_path: Path) -> None:
    source = examples()[1].replace('"n_max": 1000', '"n_max": -5')
    done = manim(tmp_path, source, "MyClimb")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("calcanim: error:")]
    assert len(lines) == 1 and "n_max" in lines[0], done.stderr[-2000:]


def test_the_composed_scene_renders(tmp_path: Path) -> None:
    done = manim(tmp_path, examples()[2], "ClimbTable")
    assert done.returncode == 0, done.stderr[-3000:]
    video = next((tmp_path / "media").rglob("ClimbTable.mp4"))
    with av.open(str(video)) as container:
        assert float(container.duration) / 1e6 == pytest.approx(1.5, abs=0.2)
