"""The auditor looks inside calcanim's rasterised views: a line painted into a view crosses a label
over it, and a label is judged against the pixels painted under it, not the theme's background.

The bad scene is built by hand: a contour-style view 8 x 4 manim units centred on the origin, its
domain [0, 8] x [0, 4] one unit per manim unit (domain (x, y) is manim (x - 4, y - 2)). The right
half is filled with a band nearly the text's own colour; one line is painted along domain y = 3.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from manim import DOWN, LEFT, ORIGIN, RIGHT, UP, FadeIn, MathTex, Scene

from calcanim.audit.checks import text_contrast
from calcanim.audit.raster_views import ViewPlacement, backdrop_samples
from calcanim.audit.run import audit_scene
from calcanim.audit.snapshot import TextItem
from calcanim.raster.contour import ContourRenderer
from calcanim.raster.items import Segment
from calcanim.raster.manim_view import RasterView, mix, rgb
from calcanim.scenes.base import tex_template
from calcanim.scenes.plate import on_plate
from calcanim.style.contrast import contrast_ratio
from calcanim.style.themes import Theme


class RasterScene(Scene):
    """Four labels over a raster view: one struck by a painted line, one on a band of nearly its own
    colour, one on the plain half, and one on a plate over both the line and the band."""

    def __init__(self, theme: Theme, **kwargs: Any) -> None:
        self.theme = theme
        super().__init__(**kwargs)

    def setup(self) -> None:
        self.camera.background_color = self.theme.background

    def label(self, tex: str) -> MathTex:
        return MathTex(tex, font_size=40, tex_template=tex_template(), color=self.theme.text)

    def construct(self) -> None:
        background, text = rgb(self.theme.background), rgb(self.theme.text)
        view = RasterView(ORIGIN, 8.0, 4.0, background)
        renderer = ContourRenderer((0.0, 8.0), (0.0, 4.0), view.pixel_size, background, margin=0.0)
        right_half = np.repeat((np.linspace(0.0, 8.0, 161) > 4.0)[None, :].astype(float), 81, axis=0)
        pale = mix(text, background, 0.12)  # about 1.3:1 against the text
        renderer.draw_base(right_half, [background, pale], [0.5], [], line_colour=background, line_width=1.0,
                           frame_colour=background)
        line = [Segment(renderer.pixel(0.3, 3.0), renderer.pixel(7.7, 3.0), rgb(self.theme.curve), 3.0)]
        view.add_updater(lambda m: m.show(renderer.render(line)))
        view.show(renderer.render(line))
        struck = self.label(r"\text{struck}").move_to(LEFT * 2 + UP * 1)  # on domain y = 3, the left half
        faint = self.label(r"\text{faint}").move_to(RIGHT * 2 + DOWN * 1)  # on the pale band, below the line
        plain = self.label(r"\text{plain}").move_to(LEFT * 2 + DOWN * 1)  # plain half, no line
        plated = on_plate(self.label(r"\text{plated}"), self.theme.background).move_to(RIGHT * 2 + UP * 1)
        self.add(view, plated)  # at once: a plate fading in is not yet opaque
        self.play(FadeIn(struck), FadeIn(faint), FadeIn(plain), run_time=1)
        self.wait(1)


@pytest.fixture(scope="module", params=["dark", "light"])
def report(request: pytest.FixtureRequest) -> Any:
    return audit_scene(RasterScene, "16:9", request.param)


def test_a_painted_line_crosses_the_label_over_it(report: Any) -> None:
    crossed = [f for f in report.findings if f.kind == "crossed"]
    assert len(crossed) == 1, report.findings
    assert r"\text{struck}" in crossed[0].what and "path in the contour view" in crossed[0].what


def test_a_label_is_judged_on_the_pixels_under_it(report: Any) -> None:
    # (the struck label may be low in contrast too: the painted line fills a fifth of its box)
    low = [f for f in report.findings if f.kind == "low_contrast" and "struck" not in f.what]
    assert len(low) == 1, report.findings
    assert r"\text{faint}" in low[0].what and "against the rendered view under it" in low[0].detail
    # the pale band is the text mixed 12% towards the background: the ratio the report gives is that pair's
    # (to the 8-bit rounding of the painted band)
    theme_text, pale = rgb_pair(report.theme)
    shown = float(re.search(r"text contrast ([0-9.]+):1", low[0].detail).group(1))  # type: ignore[union-attr]
    assert shown == pytest.approx(contrast_ratio(theme_text, pale), abs=0.05) and shown < 2.0


def test_plain_and_plated_labels_are_clean(report: Any) -> None:
    assert not [f for f in report.findings if "plain" in f.what or "plated" in f.what]


def rgb_pair(theme_name: str) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    from calcanim.style.themes import load_theme

    theme = load_theme(theme_name)
    text, background = rgb(theme.text), rgb(theme.background)
    return text, mix(text, background, 0.12)


def test_backdrop_samples_map_the_box_onto_the_image() -> None:
    # a 10 x 10 image, left half black, right half white, shown at 3 frame px per image px from (100, 50)
    image = np.zeros((10, 10, 3))
    image[:, 5:] = 1.0
    where = ViewPlacement((100.0, 50.0, 130.0, 80.0), 3.0, 3.0)
    inside_right = backdrop_samples(image, where, (118.0, 53.0, 127.0, 62.0), (0.5, 0.5, 0.5))
    assert inside_right.shape == (9, 3) and np.all(inside_right == 1.0)  # image columns 6..8, rows 1..3
    # half the box lies left of the view: as many background samples as image pixels covered
    half_out = backdrop_samples(image, where, (94.0, 53.0, 106.0, 62.0), (0.5, 0.5, 0.5))
    assert (half_out == 0.5).all(axis=1).sum() == 6 and (half_out == 0.0).all(axis=1).sum() == 6


def test_text_contrast_forgives_a_few_pixels_not_a_tenth() -> None:
    def item(white_share: int) -> TextItem:
        samples = np.array([[0.0, 0.0, 0.0]] * (100 - white_share) + [[1.0, 1.0, 1.0]] * white_share)
        return TextItem(key=1, label="x", box=(0, 0, 1, 1), height=30, colours=(), backdrop=(0, 0, 0), order=0,
                        backdrop_samples=samples)

    assert text_contrast((1.0, 1.0, 1.0), item(5)) == pytest.approx(21.0)
    assert text_contrast((1.0, 1.0, 1.0), item(20)) == pytest.approx(1.0)
