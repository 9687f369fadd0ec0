"""What every calcanim scene shares: its params, its plan (the numbers), its theme, and helpers
that draw text and numbers in the theme with calcanim's own small TeX template."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
from manim import DecimalNumber, MathTex, Mobject, Scene, TexTemplate, Text, config

from calcanim.params.base import SceneParams
from calcanim.style.assets import assets_dir
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


def light_copy(mobject: Mobject) -> Mobject:
    """A copy of mobject's family that owns its points and colours but shares the read-only rest
    (SVG path objects, TeX template), ~20x cheaper than Mobject.copy()'s deepcopy."""
    clone = copy.copy(mobject)
    state = clone.__dict__
    for name, value in state.items():
        if isinstance(value, np.ndarray):
            state[name] = value.copy()
        elif isinstance(value, list):
            state[name] = list(value)
    clone.submobjects = [light_copy(part) for part in mobject.submobjects]
    return clone


class Readout(DecimalNumber):
    """A DecimalNumber made for per-frame updates; it shows exactly what DecimalNumber shows.

    manim's set_value rebuilds every digit by deep-copying a cached MathTex glyph (about 1 ms per
    digit, most of limit-climb's frame time in a profile). Here a glyph is scaled once per font
    size and then copied lightly, and a value that prints the same string changes nothing.
    """

    _glyphs: ClassVar[dict[tuple[str, float], Mobject]] = {}

    def _set_submobjects_from_number(self, number: float) -> None:
        super()._set_submobjects_from_number(number)
        self._shown = self._get_num_string(number)

    def _string_to_mob(self, string: str, mob_class: Any = None, **kwargs: Any) -> Any:
        if mob_class is not None or kwargs:  # the ellipsis and unit signs: rare, keep manim's way
            return super()._string_to_mob(string, mob_class, **kwargs)
        key = (string, float(self._font_size))
        glyph = self._glyphs.get(key)
        if glyph is None:
            glyph = self._glyphs[key] = super()._string_to_mob(string)
        return light_copy(glyph)

    def set_value(self, number: float) -> Readout:
        if self._get_num_string(number) == getattr(self, "_shown", None):
            self.number = number
            return self
        if any(getattr(self, name) is None for name in _STYLE_SET_BY_INIT_COLORS):
            return super().set_value(number)
        # DecimalNumber.set_value, less its match_style pass: init_colors() below sets every one of
        # those attributes again from the readout's own style, so copying them first changes nothing.
        old_family = self.get_family()
        old_font_size = self.font_size
        move_to_point = self.get_edge_center(self.edge_to_fix)
        self._set_submobjects_from_number(number)
        self.font_size = old_font_size
        self.move_to(move_to_point, self.edge_to_fix)
        for mobject in old_family:
            mobject.points[:] = 0
        self.init_colors()
        return self


#: What VMobject.init_colors sets on the whole family (when none is None).
_STYLE_SET_BY_INIT_COLORS = (
    "fill_opacity", "stroke_opacity", "stroke_width", "background_stroke_opacity", "background_stroke_width",
    "sheen_factor", "sheen_direction",
)


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

    def font(self, size: float) -> float:
        return size * self.theme.text_scale

    def math(self, tex: str, size: float = FONT_BODY, colour: str | None = None, **kwargs: Any) -> MathTex:
        """A formula in the theme's text colour."""
        return MathTex(
            tex, tex_template=tex_template(), font_size=self.font(size), color=colour or self.theme.text, **kwargs
        )

    def text(self, words: str, size: float = FONT_BODY, colour: str | None = None, **kwargs: Any) -> Text:
        """Plain words (Pango, no LaTeX) in the theme's text colour."""
        return Text(words, font_size=self.font(size), color=colour or self.theme.text, **kwargs)

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
