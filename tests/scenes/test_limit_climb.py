"""limit-climb: params, the plan's live readout, and real low-quality renders whose readouts, layout and
colours are checked against independent references (mpmath at 50 digits, WCAG contrast, frame geometry)."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import av
import mpmath
import numpy as np
import pytest
from click.testing import CliRunner
from manim import DecimalNumber, MathTex, ValueTracker

from calcanim.cli import main
from calcanim.errors import ParamError
from calcanim.params.limit_climb import LimitClimbParams
from calcanim.plans.limit_climb import INTRO_SECONDS, plan
from calcanim.registry import SCENES, get_scene
from calcanim.rendering import RenderOptions, render_clip
from calcanim.scenes.limit_climb import LimitClimbScene
from calcanim.style.themes import load_theme

SHORT_SIDE = 8.0  # manim units, every aspect


def _error(**values: object) -> str:
    """The one-line error of params or, for what only the plan can check, of the plan."""
    with pytest.raises(ParamError) as caught:
        plan(LimitClimbParams.from_mapping(values))
    return str(caught.value)


@pytest.mark.parametrize(
    ("values", "fragments"),
    [
        ({"sequence": "n"}, ["'sequence'", "no finite limit"]),
        ({"sequence": "sin(n)"}, ["'sequence'", "oscillates"]),
        ({"sequence": "x**2"}, ["'sequence'", "unknown name 'x'"]),
        ({"sequence": "(1 + 1/n"}, ["'sequence'", "cannot parse"]),
        ({"limit": "sqrt(n)"}, ["'limit'", "unknown name 'n'"]),
        ({"sequence": "(1 - 1/n)**(-n)", "marks": [1, 10]}, ["'marks'", "undefined at n = 1", "starts at n = 2"]),
        ({"sequence": "log(n - 5)/n", "n_max": 3}, ["'n_max'", "first defined n = 6"]),
        ({"lock_decimals": 13}, ["'lock_decimals'", "<= 12"]),
    ],
)
def test_bad_params_name_the_field_and_what_is_wrong(values: dict, fragments: list[str]) -> None:
    message = _error(**values)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_cli_refuses_a_sequence_without_a_limit_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["render", "limit-climb", "-q", "low", "--set", "sequence=n**2"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("calcanim: error: ") and "no finite limit" in lines[0]
    assert not (tmp_path / "renders").exists() or not any((tmp_path / "renders").rglob("*.mp4"))


def test_cli_refuses_a_limit_that_is_not_the_sequences_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["render", "limit-climb", "-q", "low", "--set", "limit=pi"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("calcanim: error: invalid value for 'limit'")
    assert "tends to e = 2.718281" in lines[0] and "limit = pi = 3.14159" in lines[0] and "drop limit" in lines[0]
    assert not (tmp_path / "renders").exists() or not any((tmp_path / "renders").rglob("*.mp4"))


def test_numbers_are_expressions_too() -> None:
    params = LimitClimbParams.from_mapping({"sequence": 3, "limit": 3})
    assert plan(params).numbers.limit == 3.0


def test_default_marks_start_where_the_sequence_does() -> None:
    params = LimitClimbParams.from_mapping({"sequence": "(1 - 1/n)**(-n)"})
    data = plan(params).to_json()
    assert [c["n"] for c in data["checkpoints"]] == [2, 10, 100, 1000, 1_000_000]
    assert data["first_n"] == 2 and data["limit_exact"] == "E" and data["approach"] == "above"
    assert data["checkpoints"][0]["value"] == 4.0  # (1 - 1/2)^-2


def test_default_clip_shows_the_lesson_numbers_and_locks_at_the_lessons_stop() -> None:
    data = plan(LimitClimbParams()).to_json()
    assert [c["label"] for c in data["checkpoints"][:3]] == ["2", "2.25", "2.59374..."]
    assert data["checkpoints"][-1]["label"] == "2.71828..."  # n = 10^6, the lesson's "2.71828"
    assert data["lock"]["decimals"] == 5
    n = data["lock"]["n"]
    with mpmath.workdps(50):
        gap = lambda m: mpmath.e - (1 + mpmath.mpf(1) / m) ** m  # noqa: E731
        assert gap(n) < mpmath.mpf("0.5e-5") <= gap(n - 1)
    assert json.loads(json.dumps(data)) == data


@pytest.mark.parametrize("n_max", [1, 7, 1000, 999_999_999_999_999, 10**15])
def test_n_readout_is_an_exact_integer_that_ends_on_n_max(n_max: int) -> None:
    p = plan(LimitClimbParams(n_max=n_max))
    end = p.log10_n_max
    ts = np.linspace(0.0, end, 2001)
    shown = [p.n_at_log10(float(t)) for t in ts]
    assert shown[-1] == n_max and shown[0] == 1
    assert all(a <= b for a, b in zip(shown, shown[1:]))
    assert all(1 <= n <= n_max for n in shown)
    for mark in p.params.marks:
        assert p.n_at_log10(math.log10(mark)) == mark


def true_n(t: float, stops: tuple[int, ...], first: int, n_max: int) -> int:
    """The integer at log10 n = t: a stop exactly at its stop, else the nearest integer to 10^t (50 digits)."""
    for stop in stops:
        if abs(t - math.log10(stop)) <= 1e-9:
            return stop
    with mpmath.workdps(50):
        return min(n_max, max(first, int(mpmath.nint(mpmath.power(10, mpmath.mpf(t))))))


def rounded(n: int, decimals: int) -> str:
    with mpmath.workdps(60):
        exact = (1 + mpmath.mpf(1) / n) ** n
    value = Decimal(mpmath.nstr(exact, 50, strip_zeros=False))
    return format(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN), "f")


class RecordingClimb(LimitClimbScene):
    """The clip, recording what its readouts show (with the log10 n of that moment) and keeping itself."""

    last: RecordingClimb | None = None

    def make_readouts(self) -> Any:
        readouts, n_readout, a_readout = super().make_readouts()
        self.frame = (self.frame_width, self.frame_height)  # manim's config is restored after the render
        self.shown: list[tuple[str, float, str]] = []
        for name, readout in (("n", n_readout), ("a", a_readout)):
            original = readout.set_value

            def record(value: float, _original: Any = original, _name: str = name, _readout: Any = readout) -> Any:
                result = _original(value)
                self.shown.append((_name, self.log_n.get_value(), _readout._get_num_string(_readout.number)))
                self.widest_right = max(getattr(self, "widest_right", -1e9), readouts.get_right()[0])
                return result

            readout.set_value = record
        RecordingClimb.last = self
        return readouts, n_readout, a_readout


def _texts(mobject: Any) -> list[Any]:
    """The formulas and numbers inside a label or a group of them."""
    if isinstance(mobject, (MathTex, DecimalNumber)):
        return [mobject]
    return [t for part in mobject.submobjects for t in _texts(part)]


def _frame_at(path: Path, seconds: float) -> np.ndarray:
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time >= seconds:
                return frame.to_ndarray(format="rgb24").astype(int)
    raise AssertionError(f"no frame at {seconds} s")


def _near(pixels: np.ndarray, colour: str, tolerance: int = 40) -> int:
    """How many pixels are within tolerance (per channel) of colour."""
    rgb = np.array([int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)])
    return int(np.all(np.abs(pixels - rgb) <= tolerance, axis=2).sum())


def colours_of(theme: str) -> Any:
    return load_theme(theme)


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #RRGGBB colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.render
@pytest.mark.parametrize(("aspect", "theme"), [("16:9", "dark"), ("9:16", "light")])
def test_render_readouts_layout_and_colours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aspect: str, theme: str
) -> None:
    entry = dataclasses.replace(get_scene("limit-climb"), scene_path=f"{__name__}:RecordingClimb")
    monkeypatch.setitem(SCENES, "limit-climb", entry)
    params = LimitClimbParams(n_max=999_999_999_999_999, duration=3.0, decimals=9)
    render_clip(entry, params, RenderOptions(quality="low", theme=theme, aspect=aspect), tmp_path / "clip.mp4",
                force=True, progress=False)
    scene = RecordingClimb.last
    assert scene is not None
    p = scene.plan

    # Issue 13: every n shown is the true integer of its moment; a_n is correctly rounded; the end is n_max.
    ns = [(t, text) for name, t, text in scene.shown if name == "n"]
    values = [(t, text) for name, t, text in scene.shown if name == "a"]
    assert len(ns) > 40
    for (t, n_text), (_, a_text) in zip(ns, values, strict=True):
        n = true_n(t, p.stops, p.first_n, p.params.n_max)
        assert n_text == f"{n:,}", t
        assert a_text == rounded(n, 9), n
    assert ns[-1][1] == "999,999,999,999,999"

    width, height = scene.frame
    margin_x, margin_y = 0.03 * width, 0.03 * height
    # Issue 14: the readouts stay inside the frame (3% margin) at every moment, n = 999,999,999,999,999 included.
    assert scene.widest_right <= width / 2 - margin_x

    # Issue 15: nothing within 3% of the edge; text at least 2% of the short side.
    for mobject in scene.mobjects:
        if isinstance(mobject, ValueTracker):  # holds a number, draws nothing
            continue
        left, right = mobject.get_left()[0], mobject.get_right()[0]
        bottom, top = mobject.get_bottom()[1], mobject.get_top()[1]
        assert -width / 2 + margin_x <= left and right <= width / 2 - margin_x, type(mobject).__name__
        assert -height / 2 + margin_y <= bottom and top <= height / 2 - margin_y, type(mobject).__name__
    texts = [t for label in [*scene.obstacles.taken, scene.lock_note] for t in _texts(label)]
    assert len(texts) > 20
    for text in texts:
        assert text.height >= 0.02 * SHORT_SIDE, getattr(text, "tex_string", text)

    # Labels are never crossed by the curve or the limit line: the curve from the plan, not from the scene.
    axes = scene.axes
    ts = np.linspace(p.log10_start, p.log10_n_max, 3000)
    curve = np.array([axes.c2p(t, p.curve_at_log10(t) - p.numbers.y.low) for t in ts])
    line_y = axes.c2p(0, p.numbers.limit - p.numbers.y.low)[1]
    placed = [m for m in scene.obstacles.taken if m not in scene.axis_labels and m is not scene.title]
    assert len(placed) >= 4
    for label in placed:
        left, right = label.get_left()[0], label.get_right()[0]
        bottom, top = label.get_bottom()[1], label.get_top()[1]
        inside = (curve[:, 0] > left) & (curve[:, 0] < right) & (curve[:, 1] > bottom) & (curve[:, 1] < top)
        assert not inside.any(), label.get_tex_string() if hasattr(label, "get_tex_string") else label
        if label is not scene.readouts:
            assert not (bottom < line_y < top and right > axes.c2p(0, 0)[0]), label

    # The curve is traced behind the dot: just after the intro, nothing curve-coloured right of the start.
    early = _frame_at(tmp_path / "clip.mp4", INTRO_SECONDS + 0.2)
    late = _frame_at(tmp_path / "clip.mp4", p.duration - 0.1)
    start_px = int((axes.c2p(p.log10_start + 0.3 * (p.log10_n_max - p.log10_start), 0)[0] / width + 0.5) * early.shape[1])
    assert _near(early[:, start_px:], colours_of(theme).curve) < 5
    assert _near(late[:, start_px:], colours_of(theme).curve) > 100

    # The curve: traced (not drawn ahead of the dot), opaque, at least 3:1 against the background.
    colours = load_theme(theme)
    assert scene.trace.get_stroke_opacity() == 1.0
    assert contrast(colours.curve, colours.background) >= 3.0
    # The a_n readout locked in the theme's success colour.
    assert scene.locked and scene.a_readout.get_color().to_hex().upper() == colours.good.upper()


# --- issue 15: tiny or huge a_n in m·10^k, the title as typed --------------------------------------


def reference_readout(value: mpmath.mpf, decimals: int) -> str:
    """The readout text issue 15 asks for, from a 50-digit value: fixed decimals while they keep at least
    2 significant digits of a value from 10^-3 to below 10^6, else m \\cdot 10^k with m rounded once to
    min(decimals, 3) places (at least 1)."""
    if value == 0:
        return format(Decimal(0).quantize(Decimal(1).scaleb(-decimals)), "f")
    places = max(1, min(decimals, 3))
    exact = Decimal(mpmath.nstr(value, 50, min_fixed=1, max_fixed=0))  # scientific notation, 50 digits
    power = exact.adjusted()
    mantissa = (exact.scaleb(-power)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    if abs(mantissa) >= 10:
        power += 1
        mantissa = (exact.scaleb(-power)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    lowest = max(-3, 1 - decimals) if decimals > 0 else 0
    if lowest <= power <= 5:
        return format(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN), ",f")  # 630,914.8265
    return f"{format(mantissa, 'f')} \\cdot 10^{{{power}}}"


class ReadingClimb(LimitClimbScene):
    """Reads the n and a_n readouts back after every frame's updaters (no video: a dry run)."""

    def update_mobjects(self, dt: float) -> None:
        super().update_mobjects(dt)
        if hasattr(self, "a_slot"):
            self.read.append((self.n_readout._shown, self.shown_a_tex()))

    def construct(self) -> None:
        self.read: list[tuple[str, str]] = []
        super().construct()


@pytest.mark.parametrize(
    ("values", "truth", "scientific_seen"),
    [
        # 1/n^2: 0.000100 at n = 100 would keep 3 digits, 0.000000 from n = 1000 on: 10^-k instead
        ({"sequence": "1/n**2"}, lambda n: mpmath.mpf(1) / mpmath.mpf(n) ** 2, True),
        # e^-n underflows float64 from n = 746 on: its digits come from mpmath, not from a float 0
        ({"sequence": "exp(-n)", "n_max": 2000, "marks": [1, 10, 100, 1000]}, lambda n: mpmath.exp(-mpmath.mpf(n)), True),
        # huge at first (10^9), then fixed below 10^6
        ({"sequence": "10**9/n", "n_max": 10**12, "marks": [1, 10**6], "decimals": 4}, lambda n: mpmath.mpf(10) ** 9 / n, True),
        # the default clip never needs it
        ({}, lambda n: (1 + mpmath.mpf(1) / n) ** n, False),
    ],
)
def test_the_a_n_readout_shows_tiny_and_huge_values_rounded_once(values: dict, truth: Any, scientific_seen: bool) -> None:
    from manim import tempconfig

    params = LimitClimbParams.from_mapping({"duration": 2.0, **values})
    with tempconfig({"dry_run": True, "frame_rate": 15, "pixel_height": 240, "pixel_width": 426}):
        scene = ReadingClimb(params)
        scene.render()
    assert len(scene.read) > 20
    assert scene.read[-1][0] == f"{params.n_max:,}"
    seen_scientific = False
    with mpmath.workdps(50):
        for n_text, a_text in scene.read:
            n = int(n_text.replace(",", ""))
            assert a_text == reference_readout(truth(n), params.decimals), (n, a_text)
            assert not re.fullmatch(r"-?0\.0*", a_text), (n, a_text)  # never a value lost to 0.000000
            seen_scientific |= "cdot" in a_text
    assert seen_scientific == scientific_seen


def test_the_title_is_the_sequence_as_typed() -> None:
    """sympy writes 1/n**2 + 0.5 as 0.5 + 1/n^2 and n*sin(1/n) as n sin(1/n); the title keeps the user's order."""
    assert plan(LimitClimbParams(sequence="1/n**2 + 0.5")).title_tex == r"a_n = \frac{1}{n^{2}} + 0.5"
    assert plan(LimitClimbParams(sequence="sin(1/n)*n")).title_tex == r"a_n = \sin\left(\frac{1}{n}\right)n"
    assert plan(LimitClimbParams()).title_tex == r"a_n = \left(1 + \frac{1}{n}\right)^{n}"
