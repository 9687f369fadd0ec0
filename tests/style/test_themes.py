"""Theme rules, computed from the theme files themselves: reserved status colours and contrast.

References: WCAG 2.x contrast values published by WebAIM's checker, and CIELAB values of sRGB
primaries from the CIE formulas (Bruce Lindbloom's calculator)."""

from __future__ import annotations

import tomllib

import pytest

from calcanim.errors import ParamError
from calcanim.style.assets import assets_dir
from calcanim.style.contrast import contrast_ratio, relative_luminance
from calcanim.style.themes import STATUS_DISTANCE, colour_distance, load_theme, theme_names, theme_problems

THEME_FILES = sorted((assets_dir() / "themes").glob("*.toml"))


@pytest.mark.parametrize(
    ("front", "back", "published"),
    [("#767676", "#FFFFFF", 4.54), ("#595959", "#FFFFFF", 7.0), ("#0000FF", "#FFFFFF", 8.59), ("#FF0000", "#FFFFFF", 4.0)],
)
def test_contrast_matches_published_wcag_values(front: str, back: str, published: float) -> None:
    assert contrast_ratio(front, back) == pytest.approx(published, abs=0.01)
    assert contrast_ratio(back, front) == contrast_ratio(front, back)


def test_relative_luminance_of_primaries() -> None:
    # WCAG's definition: the luminance of pure R, G, B is exactly its coefficient.
    assert relative_luminance("#FF0000") == pytest.approx(0.2126)
    assert relative_luminance("#00FF00") == pytest.approx(0.7152)
    assert relative_luminance("#0000FF") == pytest.approx(0.0722)


def test_colour_distance_against_cielab_of_red() -> None:
    # sRGB red is L* 53.24, a* 80.09, b* 67.20 (D65); black is L* 0.
    assert colour_distance("#FF0000", "#000000") == pytest.approx((53.24**2 + 80.09**2 + 67.20**2) ** 0.5, abs=0.05)


def test_there_are_the_three_themes() -> None:
    assert {"dark", "light", "high-contrast"} <= set(theme_names())


@pytest.mark.parametrize("path", THEME_FILES, ids=lambda p: p.stem)
def test_status_colours_are_reserved(path) -> None:  # type: ignore[no-untyped-def]
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for status in ("good", "bad"):
        assert data[status] not in data["runs"]
        for run in data["runs"]:
            assert colour_distance(data[status], run) >= STATUS_DISTANCE, (path.stem, status, run)
    assert colour_distance(data["good"], data["bad"]) >= STATUS_DISTANCE


@pytest.mark.parametrize("path", THEME_FILES, ids=lambda p: p.stem)
def test_text_and_line_colours_have_contrast(path) -> None:  # type: ignore[no-untyped-def]
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    background = data["background"]
    readable = ["text", "muted", "axis", "curve", "point", "reference", "good", "bad", "accent"]
    for name in readable:
        assert contrast_ratio(data[name], background) >= 4.5, (path.stem, name, data[name])
    for run in data["runs"]:
        assert contrast_ratio(run, background) >= 4.5, (path.stem, run)  # run labels are text in the run's colour
    assert theme_problems(load_theme(path.stem)) == []


def test_theme_problems_names_what_is_wrong() -> None:
    dark = load_theme("dark")
    from dataclasses import replace

    bad = replace(dark, runs=(dark.good, "#222222"))
    problems = theme_problems(bad)
    assert any("too close to status colour good" in p for p in problems)
    assert any("runs[1] #222222 has contrast" in p for p in problems)


def test_status_colour() -> None:
    light = load_theme("light")
    assert light.status_colour("converged") == light.good and light.status_colour("diverged") == light.bad
    with pytest.raises(ParamError, match="unknown status 'lost'"):
        light.status_colour("lost")
