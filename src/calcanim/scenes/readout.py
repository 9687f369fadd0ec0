"""Readout: a live number that is cheap to change every frame and shows exactly what manim's
DecimalNumber shows.

manim's DecimalNumber.set_value rebuilds every digit: it deep-copies a cached MathTex glyph per
character (~1 ms each), arranges them with bounding-box maths, re-centres, re-pins the fixed edge
and recolours the whole family. Readout does the same layout arithmetic directly: when the new
string has as many characters as the one shown, each glyph's outline is the cached glyph's
outline moved by a translation computed from the glyphs' bounding boxes, written into the
existing glyph objects (which keep their colours). Anything unusual (a length change, a unit, an
ellipsis, a scaled readout) takes manim's own path.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from manim import DecimalNumber, Mobject

#: What VMobject.init_colors sets on the whole family (when none is None).
_STYLE_SET_BY_INIT_COLORS = (
    "fill_opacity", "stroke_opacity", "stroke_width", "background_stroke_opacity", "background_stroke_width",
    "sheen_factor", "sheen_direction",
)


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


@dataclass(frozen=True)
class _Outline:
    """One character's glyph at one font size: its outlines and their bounding box."""

    points: tuple[np.ndarray, ...]  # one array per family member with points, in family order
    left: float
    right: float
    bottom: float
    top: float

    @classmethod
    def of(cls, glyph: Mobject) -> _Outline:
        points = tuple(m.points.copy() for m in glyph.family_members_with_points())
        everything = np.concatenate(points)
        (left, bottom), (right, top) = everything[:, :2].min(axis=0), everything[:, :2].max(axis=0)
        return cls(points, float(left), float(right), float(bottom), float(top))


class Readout(DecimalNumber):
    """A DecimalNumber made for per-frame updates; it shows exactly what DecimalNumber shows."""

    font_size: float  # manim's DecimalNumber properties (declared for mypy; manim is not type-checked)
    initial_height: float
    _glyphs: ClassVar[dict[tuple[str, float], Mobject]] = {}
    _outlines: ClassVar[dict[tuple[str, float], _Outline]] = {}

    def _set_submobjects_from_number(self, number: float) -> None:
        super()._set_submobjects_from_number(number)
        self._shown = self._get_num_string(number)
        self._parts = [(part, part.family_members_with_points()) for part in self.submobjects]

    def _string_to_mob(self, string: str, mob_class: Any = None, **kwargs: Any) -> Any:
        if mob_class is not None or kwargs:  # the ellipsis and unit signs: rare, keep manim's way
            return super()._string_to_mob(string, mob_class, **kwargs)
        return light_copy(self._glyph(string))

    def _glyph(self, string: str) -> Mobject:
        key = (string, float(self._font_size))
        glyph = self._glyphs.get(key)
        if glyph is None:
            glyph = self._glyphs[key] = super()._string_to_mob(string)
        return glyph

    def _outline(self, char: str) -> _Outline:
        key = (char, float(self._font_size))
        outline = self._outlines.get(key)
        if outline is None:
            outline = self._outlines[key] = _Outline.of(self._glyph(char))
        return outline

    def set_value(self, number: float) -> Readout:
        shown = self._get_num_string(number)
        if shown == getattr(self, "_shown", None):
            self.number = number
            return self
        if self._relayout(shown):
            self.number = number
            return self
        if any(getattr(self, name) is None for name in _STYLE_SET_BY_INIT_COLORS):
            return super().set_value(number)
        # DecimalNumber.set_value, less its match_style pass: init_colors() below sets every one of
        # those attributes again from the readout's own style, so copying them first changes nothing.
        old_family = self.get_family()
        old_font_size: float = self.font_size
        move_to_point = self.get_edge_center(self.edge_to_fix)
        self._set_submobjects_from_number(number)
        self.font_size = old_font_size
        self.move_to(move_to_point, self.edge_to_fix)
        for mobject in old_family:
            mobject.points[:] = 0
        self.init_colors()
        return self

    def _relayout(self, shown: str) -> bool:
        """Show ``shown`` by moving cached outlines into the existing glyphs; False if it cannot."""
        parts = getattr(self, "_parts", None)
        plain = not (self.show_ellipsis or self.unit is not None or self.include_background_rectangle)
        if not plain or parts is None or len(parts) != len(shown) or len(self.submobjects) != len(shown):
            return False
        if any(part is not own for (part, _), own in zip(parts, self.submobjects)):
            return False
        outlines = [self._outline(char) for char in shown]
        if any(len(o.points) != len(members) for o, (_, members) in zip(outlines, parts)):
            return False
        now = np.concatenate([m.points for _, members in parts for m in members])
        low, high = now.min(axis=0), now.max(axis=0)
        if not np.all(np.isfinite(low)) or abs((high[1] - low[1]) / self.initial_height - 1) > 1e-9:
            return False  # scaled or degenerate since it was built: manim's path rescales it
        lefts, bottoms = _layout(shown, outlines, self.digit_buff_per_font_unit * self._font_size)
        rights = [x + o.right - o.left for x, o in zip(lefts, outlines)]
        tops = [y + o.top - o.bottom for y, o in zip(bottoms, outlines)]
        box_low = np.array([min(lefts), min(bottoms), 0.0])
        box_high = np.array([max(rights), max(tops), 0.0])
        # DecimalNumber.set_value keeps the edge_to_fix point (a critical point of the bounding box).
        edge = np.asarray(self.edge_to_fix, dtype=float)
        pin_now = _critical_point(low, high, edge)
        pin_new = _critical_point(box_low, box_high, edge)
        pin_new[2] = pin_now[2] = 0.0
        offset = pin_now - pin_new
        for (_, members), outline, x, y in zip(parts, outlines, lefts, bottoms):
            move = np.array([x - outline.left, y - outline.bottom, 0.0]) + offset
            move[2] = 0.0
            for member, points in zip(members, outline.points):
                member.points = points + move
        self._shown = shown
        self.initial_height = float(box_high[1] - box_low[1])
        return True


def _layout(shown: str, outlines: list[_Outline], buff: float) -> tuple[list[float], list[float]]:
    """Each glyph's left and bottom as DecimalNumber places them: in a row ``buff`` apart, bottoms
    aligned, commas lowered by half their height, a minus sign centred on the next glyph."""
    lefts, bottoms = [], []
    x = 0.0
    for outline in outlines:
        lefts.append(x)
        bottoms.append(0.0)
        x += outline.right - outline.left + buff
    for i, char in enumerate(shown):
        height = outlines[i].top - outlines[i].bottom
        if char == "-" and i + 1 < len(shown):
            following = outlines[i + 1].top - outlines[i + 1].bottom
            bottoms[i] = bottoms[i + 1] + following - height - following / 2
        elif char == ",":
            bottoms[i] -= height / 2
    return lefts, bottoms


def _critical_point(low: np.ndarray, high: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Mobject.get_critical_point for a bounding box: min, centre or max per axis."""
    centre = (low + high) / 2
    return np.where(direction < 0, low, np.where(direction > 0, high, centre)).astype(float)
