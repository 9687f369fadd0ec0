"""The minimum text size: its constants are manim's own glyph heights, measured here again."""

from __future__ import annotations

import pytest
from manim import MathTex, Text, tempconfig

from calcanim.rendering import shared_tex_cache
from calcanim.scenes.base import tex_template
from calcanim.style.layout import ASPECTS, make_layout
from calcanim.style.text_size import DIGIT_HEIGHT_PER_POINT, legible_font, min_font_size


@pytest.fixture(scope="module")
def tex(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    private = tmp_path_factory.mktemp("tex")
    with tempconfig({"tex_dir": str(private), "verbosity": "ERROR"}), shared_tex_cache(private):
        yield


@pytest.mark.parametrize("size", [20, 36])
def test_digit_heights_match_manims_glyphs(tex, size: float) -> None:  # type: ignore[no-untyped-def]
    tex_digits = MathTex("0123456789", font_size=size, tex_template=tex_template())
    pango_digits = Text("0123456789", font_size=size)
    assert tex_digits.height == pytest.approx(size * DIGIT_HEIGHT_PER_POINT["tex"], rel=0.01)
    assert pango_digits.height == pytest.approx(size * DIGIT_HEIGHT_PER_POINT["text"], rel=0.02)


@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_min_font_size_is_two_percent_of_the_short_side_at_every_aspect(tex, aspect: str) -> None:  # type: ignore[no-untyped-def]
    layout = make_layout("high", aspect)
    short_px = min(layout.pixel_width, layout.pixel_height)
    per_unit = layout.pixel_width / layout.frame_width
    digits = MathTex("0123456789", font_size=min_font_size("tex"), tex_template=tex_template())
    assert digits.height * per_unit == pytest.approx(0.02 * short_px, rel=0.01)  # 21.6 px at 1080p


def test_legible_font_raises_only_what_is_too_small() -> None:
    floor = min_font_size("tex")
    assert legible_font(40) == 40
    assert legible_font(10) == pytest.approx(floor)
    assert legible_font(30, scale=0.5) == pytest.approx(2 * floor)
    with pytest.raises(ValueError):
        legible_font(30, scale=0)


def test_scene_fonts_never_go_below_the_minimum() -> None:
    from types import SimpleNamespace

    from calcanim.scenes.base import FONT_BODY, FONT_SMALL, CalcanimScene
    from calcanim.style.themes import load_theme

    dark = SimpleNamespace(theme=load_theme("dark"))
    assert CalcanimScene.font(dark, FONT_SMALL) == pytest.approx(min_font_size("tex"))  # 20 was 1.8% of the short side
    assert CalcanimScene.font(dark, FONT_BODY) == FONT_BODY
    assert CalcanimScene.font(dark, 10, "text") == pytest.approx(min_font_size("text"))
    big = SimpleNamespace(theme=load_theme("high-contrast"))
    assert CalcanimScene.font(big, FONT_SMALL) == pytest.approx(FONT_SMALL * big.theme.text_scale)
