"""The auditor itself: a deliberately bad scene shows every kind of finding, a clean one none.

Positions are chosen by hand in manim units (a 16:9 frame is 14.22 x 8 units, 135 px per unit at
1080p), so what each finding must say follows from the construction, not from the auditor."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import numpy as np
import pytest
from manim import DOWN, LEFT, RIGHT, UP, FadeIn, Line, MathTex, Rectangle, Scene, Text, config

from calcanim.audit.checks import crossings, intersection, outside, overlaps, segments_through_box, too_small
from calcanim.audit.run import audit_scene
from calcanim.audit.snapshot import Cover, StrokeItem, TextItem
from calcanim.scenes.base import tex_template
from calcanim.style.text_size import DIGIT_HEIGHT_PER_POINT, min_font_size
from calcanim.style.themes import Theme


class _TestScene(Scene):
    def __init__(self, theme: Theme, **kwargs: Any) -> None:
        self.theme = theme
        super().__init__(**kwargs)

    def setup(self) -> None:
        self.camera.background_color = self.theme.background

    def label(self, tex: str, size: float = 34, colour: str | None = None) -> MathTex:
        return MathTex(tex, font_size=size, tex_template=tex_template(), color=colour or self.theme.text)


class BadScene(_TestScene):
    """Two overlapping labels, one off the frame, a 6 px one, grey on grey, a line through a label."""

    def construct(self) -> None:
        first = self.label(r"a + b").move_to(LEFT * 3 + UP * 2)
        second = self.label(r"c + d").move_to(LEFT * 2.8 + UP * 2.05)  # 0.2 units = 27 px apart: overlap
        edge = self.label(r"\text{edge}").move_to(RIGHT * 7.0)  # the frame ends at x = 7.11
        tiny = self.label(r"\text{tiny}", size=6 / 135 / DIGIT_HEIGHT_PER_POINT["tex"]).move_to(DOWN * 3)  # 6 px
        panel = Rectangle(width=3, height=1.2, fill_color="#808080", fill_opacity=1, stroke_width=0).move_to(RIGHT * 3 + DOWN * 2)
        grey = self.label(r"\text{grey}", colour="#999999").move_to(panel)
        struck = self.label(r"y = x").move_to(RIGHT * 3 + UP * 2)
        line = Line(RIGHT * 1 + UP * 2, RIGHT * 5 + UP * 2, color=self.theme.curve, stroke_width=4)
        self.play(FadeIn(first), FadeIn(second), FadeIn(edge), run_time=1)
        self.add(panel)
        self.play(FadeIn(tiny), FadeIn(grey), FadeIn(struck), run_time=1)
        self.add(line)
        self.wait(2)


class CleanScene(_TestScene):
    """Readable labels well inside the frame, a line that passes beside them."""

    def construct(self) -> None:
        title = self.label(r"\text{the tangent line}").to_edge(UP, buff=0.8)
        quarter = config.frame_width / 4
        left = self.label(r"f(a) = 2.5").move_to(LEFT * quarter)
        right = Text("slope 14", font_size=30, color=self.theme.text).move_to(RIGHT * quarter)
        line = Line(LEFT * 1.5 * quarter + DOWN * 2, RIGHT * 1.5 * quarter + DOWN * 2, color=self.theme.curve, stroke_width=4)
        self.play(FadeIn(title), run_time=1)
        self.play(FadeIn(left), FadeIn(right), FadeIn(line), run_time=1.5)
        self.wait(1.5)


@pytest.fixture(scope="module")
def bad() -> Any:
    return audit_scene(BadScene, "16:9", "dark")


def kinds_about(report: Any, word: str) -> set[str]:
    return {f.kind for f in report.findings if word in f.what}


def test_bad_scene_shows_every_kind_of_finding(bad: Any) -> None:
    assert bad.frames_checked >= 8
    assert {f.kind for f in bad.findings} == {"overlap", "crossed", "outside", "too_small", "low_contrast"}
    overlap = [f for f in bad.findings if f.kind == "overlap"]
    assert len(overlap) == 1 and "a + b" in overlap[0].what and "c + d" in overlap[0].what
    assert kinds_about(bad, r"\text{edge}") == {"outside"}
    assert kinds_about(bad, r"\text{tiny}") == {"too_small"}
    assert kinds_about(bad, r"\text{grey}") == {"low_contrast"}  # #999999 on #808080 is 1.4:1
    crossed = [f for f in bad.findings if f.kind == "crossed"]
    assert len(crossed) == 1 and "y = x" in crossed[0].what and "Line" in crossed[0].what
    assert crossed[0].time >= 2.0  # the line arrives after the second play


def test_findings_carry_times_and_details(bad: Any) -> None:
    tiny = next(f for f in bad.findings if f.kind == "too_small")
    assert "6.0 px tall, below 21.6 px" in tiny.detail
    edge = next(f for f in bad.findings if f.kind == "outside")
    assert "right by" in edge.detail and edge.time <= 1.0
    data = bad.to_json()
    assert set(data) == {"scene", "aspect", "theme", "frames_checked", "texts_checked", "findings"}
    assert set(data["findings"][0]) == {"time", "kind", "what", "detail"}


@pytest.mark.parametrize(("aspect", "theme"), [("16:9", "dark"), ("9:16", "light"), ("4:3", "high-contrast")])
def test_clean_scene_has_no_findings(aspect: str, theme: str) -> None:
    report = audit_scene(CleanScene, aspect, theme)
    assert report.findings == [] and report.frames_checked >= 8 and report.texts_checked == 3


def test_segments_through_box() -> None:
    segments = np.array([
        [[0, 5], [20, 5]],  # straight through
        [[0, 50], [20, 50]],  # below
        [[6, 1], [7, 2]],  # wholly inside
        [[0, 0], [4.9, 4.9]],  # stops short of the corner
        [[0, 20], [20, 0]],  # diagonal across the corner region x+y=20: passes (10, 10)
    ], dtype=float)
    assert segments_through_box(segments, (5, 0, 10, 10)).tolist() == [True, False, True, False, True]


def test_outside_margin_is_three_percent_of_each_side() -> None:
    def item(box: tuple[float, float, float, float]) -> TextItem:
        return TextItem(key=1, label="x", box=box, height=30, colours=(), backdrop=(0, 0, 0), order=0)

    # 1920 x 1080: margins 57.6 px left/right, 32.4 px top/bottom
    assert outside([item((58, 33, 1862, 1047))], 1920, 1080) == []
    assert "left by 1 px" in outside([item((56.6, 100, 200, 200))], 1920, 1080)[0].detail
    assert "bottom by 3 px" in outside([item((100, 100, 200, 1050.6))], 1920, 1080)[0].detail
    assert "entirely outside" in outside([item((2000, 100, 2100, 200))], 1920, 1080)[0].detail
    assert intersection((0, 0, 10, 10), (20, 20, 30, 30)) == (-10, -10)


def test_a_copy_exactly_on_its_original_is_not_an_overlap() -> None:
    def item(key: int, label: str, box: tuple[float, float, float, float], colour: float = 1.0) -> TextItem:
        return TextItem(key=key, label=label, box=box, height=30, colours=((colour, colour, colour),),
                        backdrop=(0, 0, 0), order=key)

    original = item(1, "'0.5' at (150, 115) px", (100, 100, 200, 130))
    # the same words, colour and box (to 1.5 px) paint the same pixels: one text on screen
    assert overlaps([original, item(2, "'0.5' at (150, 115) px", (100.5, 100, 200.5, 130))]) == []
    # other words, another colour, or a box 10 px along: two texts on top of each other
    assert len(overlaps([original, item(2, "'1.0' at (150, 115) px", (100, 100, 200, 130))])) == 1
    assert len(overlaps([original, item(2, "'0.5' at (150, 115) px", (100, 100, 200, 130), colour=0.5)])) == 1
    assert len(overlaps([original, item(2, "'0.5' at (160, 115) px", (110, 100, 210, 130))])) == 1


def test_a_text_passing_under_an_opaque_shape_is_not_crossed_by_its_outline() -> None:
    """backprop's travelling grad slides under the node boxes (issue 12 review): the outline of an opaque box drawn
    over the text is that box's edge, not a line through the text; the same outline drawn under the text, or of a
    shape without fill, crosses it."""
    text = TextItem(key=1, label="x", box=(100, 100, 160, 120), height=20, colours=(), backdrop=(0, 0, 0), order=5)
    border = np.array([[[130.0, 80.0], [130.0, 140.0]]])  # the box's left edge, through the text

    def hits(stroke_order: int, filled: bool) -> int:
        stroke = StrokeItem(key=2, label="box", segments=border, colours=((1.0, 1.0, 1.0),), order=stroke_order)
        covers = [Cover((130, 80, 200, 140), stroke_order, (0.0, 0.0, 0.0))] if filled else []
        return len(crossings([text], [stroke], covers))

    assert (hits(9, filled=True), hits(9, filled=False), hits(2, filled=True)) == (0, 1, 1)


def test_too_small_threshold_is_two_percent_of_the_short_side() -> None:
    def item(height: float) -> TextItem:
        return TextItem(key=1, label="x", box=(0, 0, 1, 1), height=height, colours=(), backdrop=(0, 0, 0), order=0)

    assert too_small([item(21.7)], 1080) == [] and len(too_small([item(21.5)], 1080)) == 1
    assert round(min_font_size("tex") * DIGIT_HEIGHT_PER_POINT["tex"] * 135, 6) == 21.6


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "calcanim", "audit", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(("args", "named"), [
    (["limt-climb"], "unknown scene 'limt-climb'; did you mean 'limit-climb'?"),
    (["--aspect", "16:10"], "unknown aspect ratio '16:10'"),
    (["--theme", "drak"], "unknown theme 'drak'; did you mean 'dark'?"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], named: str) -> None:
    result = _cli(*args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("calcanim: error: ") and named in result.stderr
    assert result.stdout == ""


def test_cli_json_for_one_clip() -> None:
    result = _cli("tangent-slide", "--aspect", "16:9", "--aspect", "9:16", "--theme", "dark", "--format", "json")
    data = json.loads(result.stdout)
    assert [(c["scene"], c["aspect"], c["theme"]) for c in data["clips"]] == [
        ("tangent-slide", "16:9", "dark"), ("tangent-slide", "9:16", "dark")]
    assert all(c["frames_checked"] >= 8 and c["texts_checked"] > 0 for c in data["clips"])
    assert result.returncode == (1 if any(c["findings"] for c in data["clips"]) else 0)


#: Runs with findings still open, each named (scene, aspect, theme). None today: backprop's graph lays
#: itself out for the frame since issue 15. Anything with a finding fails CI; a listed run that turns
#: clean fails too, so the list only shrinks.
KNOWN_OPEN: set[tuple[str, str, str]] = set()


@pytest.mark.audit
@pytest.mark.render
def test_every_clip_aspect_and_theme_is_clean() -> None:
    from calcanim.registry import SCENES

    started = time.perf_counter()
    # a guard against a hang, not a time limit: the matrix is about 5 CPU-minutes (under 3 min on two idle
    # cores) but took over 10 min while other work shared the cores, and timed out at 300 s at a load of 11
    result = _cli("--format", "json", "--jobs", "2", timeout=2400)
    seconds = time.perf_counter() - started
    data = json.loads(result.stdout)
    assert len(data["clips"]) == len(SCENES) * 4 * 3
    found = [f"{c['scene']} {c['aspect']} {c['theme']} {f['time']} s {f['kind']}: {f['what']}"
             for c in data["clips"] for f in c["findings"] if (c["scene"], c["aspect"], c["theme"]) not in KNOWN_OPEN]
    assert found == [], f"{len(found)} findings in {seconds:.0f} s:\n" + "\n".join(found[:40])
    now_clean = sorted(k for k in KNOWN_OPEN if any((c["scene"], c["aspect"], c["theme"]) == k and not c["findings"]
                                                    for c in data["clips"]))
    assert now_clean == [], f"clean now, take them off KNOWN_OPEN: {now_clean}"


class BrokenScene(_TestScene):
    def construct(self) -> None:
        raise ZeroDivisionError("division by zero")


def test_a_scene_that_fails_is_one_error() -> None:
    from calcanim.errors import RenderError

    with pytest.raises(RenderError, match=r"auditing BrokenScene \(16:9, dark\) failed: ZeroDivisionError"):
        audit_scene(BrokenScene, "16:9", "dark")


@pytest.mark.render
def test_a_killed_audit_leaves_no_worker_behind() -> None:
    """SIGKILL to `calcanim audit --jobs 2` (as a timed-out test runner does) takes its workers with it."""
    import signal

    import psutil

    parent = subprocess.Popen([sys.executable, "-m", "calcanim", "audit", "limit-climb", "--aspect", "16:9",
                               "--aspect", "9:16", "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        workers: list[psutil.Process] = []
        while len(workers) < 2 and parent.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
            workers = psutil.Process(parent.pid).children(recursive=True)
        assert len(workers) >= 2, "the audit's two workers never started"
        parent.send_signal(signal.SIGKILL)
        parent.wait(30)
        _, alive = psutil.wait_procs(workers, timeout=30)
        assert alive == [], f"left running: {[p.pid for p in alive]}"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
