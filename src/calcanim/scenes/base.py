"""What every calcanim scene shares: its params, its plan (the numbers), its theme, and helpers
that draw text and numbers in the theme with calcanim's own small TeX template."""

from __future__ import annotations

import functools
import sys
import typing
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
from manim import DecimalNumber, MathTex, Scene, TexTemplate, Text, ValueTracker, config

from calcanim.errors import CalcanimError
from calcanim.params.base import SceneParams
from calcanim.plans.base import Plan
from calcanim.scenes.readout import Readout
from calcanim.style.assets import assets_dir
from calcanim.style.layout import edge_margins
from calcanim.style.text_size import TextKind, legible_font
from calcanim.style.themes import DEFAULT_THEME, Theme, load_theme

#: Base font sizes (manim units) before the theme's text_scale; tuned for a 16:9 frame 8 units high.
FONT_TITLE = 40
FONT_BODY = 30
FONT_LABEL = 24
FONT_SMALL = 20


@functools.cache
def tex_template() -> TexTemplate:
    """calcanim's TeX template: article class and amsmath only (no standalone.cls needed)."""
    preamble = (assets_dir() / "tex" / "preamble.tex").read_text(encoding="utf-8")
    return TexTemplate(documentclass=r"\documentclass{article}", preamble=preamble)


#: Space kept clear at the frame's edges (manim units) by the 2D clips, and by the 3D ones (whose
#: views fill the frame).
MARGIN = 0.45
MARGIN_3D = 0.3

P = TypeVar("P", bound=SceneParams)
PlanT = TypeVar("PlanT", bound=Plan)


#: A clock run longer than this is played as several animations of whole frames: a split render
#: (``render --jobs``) can hand the clip from one process to the next only where an animation starts.
CLOCK_PIECE_SECONDS = 1.0


class CalcanimScene(Scene, Generic[P, PlanT]):
    """A manim Scene that draws a plan: ``class XScene(CalcanimScene[XParams, XPlan])``. The renderer
    passes the clip's params and its plan (computed once, when the clip was resolved); with no
    arguments the registry's defaults for this class are used (tests, manim's own command line)."""

    #: The camera manim renders with when the caller names none (the 3D clips: RasterCamera).
    default_camera: ClassVar[type | None] = None
    #: A subclass's params, checked like ``--set`` (``PARAMS = {"n_max": 1000}``) when none are passed.
    PARAMS: ClassVar[dict[str, Any]] = {}
    #: A subclass's theme: a built-in name or a theme .toml path, when none is passed.
    THEME: ClassVar[str] = DEFAULT_THEME
    #: A subclass's title, as TeX (``r"\text{Gradient descent on a line fit}"``), instead of the clip's own.
    TITLE: ClassVar[str | None] = None
    #: A subclass's narration: beat number (1, 2, ...) or the beat's own text -> the words to say
    #: instead (a translation, say). Beats not named keep their text.
    CAPTIONS: ClassVar[dict[int | str, str]] = {}
    params: P
    plan: PlanT

    def __init__(
        self, params: P | None = None, theme: Theme | None = None, plan: PlanT | None = None, **kwargs: Any
    ) -> None:
        try:
            if params is None or plan is None:
                from calcanim.registry import entry_of_scene  # wiring lives in the registry, one level up

                entry = entry_of_scene(type(self))
                if params is None:
                    source = f"{type(self).__name__}.PARAMS"
                    params = typing.cast(P, entry.params_class.from_mapping(dict(self.PARAMS), source=source))
                plan = plan if plan is not None else typing.cast(PlanT, entry.plan(params))
            theme = theme if theme is not None else load_theme(self.THEME)
        except CalcanimError as error:
            _one_line_under_manim(error)
            raise
        self.params: P = params
        self.theme = theme
        self.plan: PlanT = plan
        if self.default_camera is not None:
            kwargs.setdefault("camera_class", self.default_camera)
        super().__init__(**kwargs)

    def setup(self) -> None:
        self.camera.background_color = self.theme.background

    # Frame geometry (manim units), following whatever pixel shape render() configured.
    @property
    def frame_width(self) -> float:
        return float(config.frame_width)

    @property
    def frame_height(self) -> float:
        return float(config.frame_height)

    @property
    def portrait(self) -> bool:
        return self.frame_width < self.frame_height

    @property
    def edge(self) -> np.ndarray:
        """Buffer (x, y, 0) from the frame's edges that keeps text out of the audited 3% margin
        (``mob.to_corner(UL, buff=self.edge)``)."""
        mx, my = edge_margins(self.frame_width, self.frame_height)
        return np.array([mx, my, 0.0])

    def font(self, size: float, kind: TextKind = "tex") -> float:
        """``size`` in the theme's scale, never below the legible minimum (2% of the short side;
        see calcanim.style.text_size). A group scaled down after it is built still shrinks its text:
        build it with ``legible_font(size, kind, scale=s)`` instead."""
        return legible_font(size * self.theme.text_scale, kind)

    def math(self, tex: str, size: float = FONT_BODY, colour: str | None = None, **kwargs: Any) -> MathTex:
        """A formula in the theme's text colour."""
        return MathTex(
            tex, tex_template=tex_template(), font_size=self.font(size), color=colour or self.theme.text, **kwargs
        )

    def text(self, words: str, size: float = FONT_BODY, colour: str | None = None, **kwargs: Any) -> Text:
        """Plain words (Pango, no LaTeX) in the theme's text colour."""
        return Text(words, font_size=self.font(size, "text"), color=colour or self.theme.text, **kwargs)

    def number(
        self, value: float, decimals: int, size: float = FONT_BODY, colour: str | None = None, **kwargs: Any
    ) -> DecimalNumber:
        """A number whose digits are typeset once and reused (cheap to update every frame)."""
        return Readout(
            value,
            num_decimal_places=decimals,
            mob_class=functools.partial(MathTex, tex_template=tex_template()),
            font_size=self.font(size),
            color=colour or self.theme.text,
            **kwargs,
        )

    def title_tex(self, default: str) -> str:
        """The clip's title (TeX): the subclass's ``TITLE`` if it sets one, else ``default``."""
        return self.TITLE if self.TITLE is not None else default

    def caption_text(self, beat: int, words: str) -> str:
        """The words of narration beat ``beat`` (1-based): ``CAPTIONS`` by number or by text, else
        ``words``. Override it to translate every beat at once."""
        return self.CAPTIONS.get(beat, self.CAPTIONS.get(words, words))

    def run_clock(self, clock: ValueTracker, until: float, run_time: float) -> None:
        """``play(clock.animate.set_value(until), run_time=run_time, rate_func=linear)``, cut into plays of at
        most CLOCK_PIECE_SECONDS: the same frames, with the clock at the same value in each, bit for bit.

        Each piece is that one animation (from the clock's start to ``until``) with a rate function
        that gives its frames the alpha the whole play gives them, ``t / run_time``, with ``t`` on
        manim's frame grid (``np.arange(0, run_time, 1 / fps)``)."""
        fps = float(config.frame_rate)
        step = 1 / fps  # manim's (Scene.get_time_progression)
        frames = len(np.arange(0, run_time, step))  # what the one play draws
        start = clock.get_value()
        piece = max(1, int(CLOCK_PIECE_SECONDS * fps))
        for first in range(0, frames, piece):
            count = min(piece, frames - first)
            length = (count - 0.5) * step  # manim draws exactly `count` frames: np.arange(0, length, step)

            def whole_play_alpha(alpha: float, first: int = first, count: int = count, length: float = length) -> float:
                if alpha >= 1.0:  # the piece's end (its last update, not drawn): where the next one starts
                    return 1.0 if first + count == frames else (first + count) * step / run_time
                return (first + round(alpha * length * fps)) * step / run_time

            clock.set_value(start)  # each piece is the whole play's animation, from the same start
            self.play(clock.animate.set_value(until), run_time=length, rate_func=whole_play_alpha)

    def caption(self, words: str, duration: float) -> None:
        """One narration beat, written to the clip's .srt/.vtt captions."""
        self._beats = getattr(self, "_beats", 0) + 1
        self.add_subcaption(self.caption_text(self._beats, words), duration=duration)


def _one_line_under_manim(error: CalcanimError) -> None:
    """Under manim's own command line (``manim -ql myfile.py MyClimb``), a bad PARAMS or THEME is one
    line and exit code 2, as with calcanim's; called from Python, the error is raised as usual."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    launched_by = (getattr(spec, "name", "") or "") + " " + (sys.argv[0] if sys.argv else "")
    if "manim" in launched_by.lower():
        print(f"calcanim: error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
