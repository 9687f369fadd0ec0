"""Readout must show exactly what manim's DecimalNumber shows (manim is the reference), while
changing a shown value without rebuilding its glyphs."""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator

import numpy as np
import pytest
from manim import DOWN, LEFT, RIGHT, UP, DecimalNumber, MathTex, tempconfig

from calcanim.rendering import shared_tex_cache
from calcanim.scenes.base import tex_template
from calcanim.scenes.readout import Readout


@pytest.fixture(scope="module")
def tex_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    private = tmp_path_factory.mktemp("tex")
    with tempconfig({"tex_dir": str(private), "verbosity": "ERROR"}), shared_tex_cache(private):
        yield


def pair(value: float, **options: object) -> tuple[Readout, DecimalNumber]:
    style = dict(
        mob_class=functools.partial(MathTex, tex_template=tex_template()), font_size=30, color="#FFCC00", **options
    )
    return Readout(value, **style), DecimalNumber(value, **style)


def assert_same_picture(ours: Readout, manims: DecimalNumber) -> None:
    mine, theirs = ours.family_members_with_points(), manims.family_members_with_points()
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs):
        assert a.points.shape == b.points.shape
        np.testing.assert_allclose(a.points, b.points, rtol=0, atol=1e-9)
        np.testing.assert_allclose(a.fill_rgbas, b.fill_rgbas)
        np.testing.assert_allclose(a.stroke_rgbas, b.stroke_rgbas)
    assert ours.get_value() == manims.get_value()


rng = random.Random(20261122)
CASES = {
    "counter with commas": (dict(num_decimal_places=0), [rng.randint(1, 10**6) for _ in range(40)]),
    "five decimals": (dict(num_decimal_places=5), [2 + rng.random() for _ in range(40)]),
    "signed, changing length": (dict(num_decimal_places=3), [rng.uniform(-12, 12) for _ in range(40)]),
    "right edge fixed": (dict(num_decimal_places=2, edge_to_fix=RIGHT), [rng.uniform(-99, 99) for _ in range(40)]),
    "with a plus sign": (dict(num_decimal_places=1, include_sign=True), [rng.uniform(-5, 5) for _ in range(30)]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_readout_matches_decimal_number(tex_dir: None, case: str) -> None:
    options, values = CASES[case]
    ours, manims = pair(values[0], **options)
    for mobject in (ours, manims):
        mobject.shift(2 * UP + 3 * LEFT)
    for value in values:
        ours.set_value(value)
        manims.set_value(value)
        assert_same_picture(ours, manims)


def test_scaled_and_moved_readout_still_matches(tex_dir: None) -> None:
    ours, manims = pair(1234, num_decimal_places=0)
    for mobject in (ours, manims):
        mobject.scale(0.6).to_corner(DOWN + RIGHT)
    for value in (1240, 99999, 5, 123456):
        ours.set_value(value)
        manims.set_value(value)
        assert_same_picture(ours, manims)


def test_same_length_values_move_glyphs_instead_of_rebuilding(tex_dir: None, monkeypatch: pytest.MonkeyPatch) -> None:
    ours, _ = pair(100000, num_decimal_places=0)
    glyphs = list(ours.submobjects)
    rebuilds: list[float] = []
    original = Readout._set_submobjects_from_number
    monkeypatch.setattr(
        Readout, "_set_submobjects_from_number", lambda self, n: (rebuilds.append(n), original(self, n))[1]
    )
    for value in range(100000, 100400, 7):
        ours.set_value(value)
    assert rebuilds == []
    assert ours.submobjects == glyphs
    ours.set_value(1000000)  # one more digit and a comma: rebuilt the way manim does it
    assert rebuilds == [1000000]
