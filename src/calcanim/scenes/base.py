"""What every calcanim scene shares: its params, its plan (the numbers), its theme, and helpers
that draw text and numbers in the theme with calcanim's own small TeX template."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar

from manim import DecimalNumber, MathTex, Scene, TexTemplate, Text, config

from calcanim.params.base import SceneParams
from calcanim.scenes.readout import Readout
from calcanim.style.assets import assets_dir
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


class CalcanimScene(Scene):
    """A manim Scene built from a params object; with no arguments it uses the defaults."""

    params_class: ClassVar[type[SceneParams]]
    plan_function: ClassVar[Callable[[Any], Any]]

    def __init__(self, params: SceneParams | None = None, theme: Theme | None = None, **kwargs: Any) -> None:
        self.params = params if params is not None else self.params_class()
        self.theme = theme if theme is not None else load_theme(DEFAULT_THEME)
        self.plan = type(self).plan_function(self.params)
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

    def caption(self, words: str, duration: float) -> None:
        """One narration beat, written to the clip's .srt/.vtt captions."""
        self.add_subcaption(words, duration=duration)
