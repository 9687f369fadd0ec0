"""The numbers the tangent-bases clip shows: ln b at each stop, the lock, the base with slope 1."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from calcanim.numerics.exponentials import (
    exponential_difference_quotient,
    is_locked,
    lock_interval,
    tangent_slope_at_zero,
    unit_slope_base,
)
from calcanim.numerics.linearity import clip_polyline, line_in_window
from calcanim.params.tangent_bases import TangentBasesParams

#: The window every curve is drawn in (curves and the tangent are cut to it).
X_RANGE = (-2.0, 2.0)
Y_RANGE = (-1.0, 5.0)
#: Steps h of the difference quotient (b^h - 1)/h shown at each stop.
QUOTIENT_STEPS = (1.0, 0.1, 0.01, 0.001)
#: Points b^x is sampled at across the window.
CURVE_SAMPLES = 241
#: Seconds before the sweep (axes, the point (0, 1)) and after it (the verdict).
INTRO_SECONDS = 2.0
ENDING_SECONDS = 3.0
UNIT_SLOPE_BASE_DIGITS = 5
#: A "(0, 1)" label centred farther than this (plot units) from the point reads as naming something else:
#: rather than that, it takes a spot per side of b = 1.
NEAR_POINT = 1.0
#: The rise/run triangle spans x in [0, 1]: run 1, rise ln b.
RISE_RUN = (0.0, 1.0)


def _crosses_band(values: np.ndarray, low: float, high: float) -> bool:
    """Whether any row of samples jumps across [low, high] between two neighbours (a steep crossing)."""
    below, above = values < low, values > high
    return bool(np.any((below[:, :-1] & above[:, 1:]) | (above[:, :-1] & below[:, 1:])))


Box = tuple[float, float, float, float]  # x0, x1, y0, y1 in plot units


def _rise_top(base: float) -> float:
    """Where the rise leg ends: on the tangent at x = 1, or at the window's foot if the tangent is below it."""
    return max(Y_RANGE[0], 1.0 + tangent_slope_at_zero(base) * RISE_RUN[1])


def _nearest_first(reach: float, step: float = 0.01) -> np.ndarray:
    """Offsets 0, +step, -step, +2 step, ... up to reach.

    >>> _nearest_first(0.02).tolist()
    [0.0, 0.01, -0.01, 0.02, -0.02]
    """
    steps = np.arange(1, int(round(reach / step, 9)) + 1) * step
    return np.concatenate([[0.0], np.ravel(np.column_stack([steps, -steps]))])


def _first_clear(
    centres: list[tuple[float, float]], size: tuple[float, float], base: float, ghosts: tuple[float, ...],
    avoid: tuple[Box, ...],
) -> tuple[float, float] | None:
    """The first centre whose box no curve (b^x, a ghost), tangent, axis, triangle leg or avoided box meets."""
    if not centres:
        return None
    width, height = size
    cx, cy = np.array(centres).T
    x0, x1, y0, y1 = cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2
    slope = tangent_slope_at_zero(base)
    xs = x0[:, None] + (x1 - x0)[:, None] * np.linspace(0.0, 1.0, 41)[None, :]  # (boxes, samples)
    bases = np.array([base, *ghosts])
    curves = np.power(bases[:, None, None], xs[None, :, :])  # (curves, boxes, samples), monotone in x
    lines = np.concatenate([curves, (1.0 + slope * xs)[None, :, :]])
    clear = ~np.any((lines.min(axis=2) <= y1[None, :]) & (lines.max(axis=2) >= y0[None, :]), axis=0)
    clear &= (x0 >= X_RANGE[0]) & (x1 <= X_RANGE[1]) & (y0 >= Y_RANGE[0]) & (y1 <= Y_RANGE[1])
    clear &= ~((x0 <= 0.0) & (x1 >= 0.0)) & ~((y0 <= 0.0) & (y1 >= 0.0))  # the axes
    run_end, top = RISE_RUN[1], _rise_top(base)
    clear &= ~((x0 <= run_end) & (x1 >= 0.0) & (y0 <= 1.0) & (y1 >= 1.0))  # the run leg
    clear &= ~((x0 <= run_end) & (x1 >= run_end) & (y0 <= max(1.0, top)) & (y1 >= min(1.0, top)))  # the rise leg
    for bx0, bx1, by0, by1 in avoid:
        clear &= ~((x0 < bx1) & (bx0 < x1) & (y0 < by1) & (by0 < y1))
    if not clear.any():
        return None
    k = int(np.argmax(clear))
    return float(cx[k]), float(cy[k])


def _crosses_segment(x0: float, x1: float, y0: float, y1: float, slopes: np.ndarray) -> bool:
    """Whether the triangle's rise leg (x = 1, from y = 1 to 1 + ln b) or its label just right of it meets the box."""
    if x1 < RISE_RUN[1] or x0 > RISE_RUN[1] + 0.6:
        return False
    tops = 1.0 + slopes * RISE_RUN[1]
    lows, highs = np.minimum(1.0, tops), np.maximum(1.0, tops)
    return bool(np.any((lows <= y1) & (highs >= y0)))


def _clear_point_spot(bases: np.ndarray, width: float, height: float) -> tuple[float, float] | None:
    """The spot nearest (0, 1) for a width x height box that no curve b^x or tangent of ``bases``, no axis or
    rise/run triangle crosses; None when none within reach is clear. (The tick labels sit outside the window.)"""
    slopes = np.log(bases)
    for distance in np.arange(0.3, 2.6, 0.1):
        for angle in np.radians([135, 45, 160, 20, 180, 0, 110, 70, 200, 340, 225, 315, 250, 290]):
            cx, cy = distance * math.cos(angle), 1.0 + distance * math.sin(angle)
            x0, x1, y0, y1 = cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2
            if x0 < X_RANGE[0] or x1 > X_RANGE[1] or y0 < Y_RANGE[0] or y1 > Y_RANGE[1]:
                continue
            if x0 <= 0.0 <= x1 or y0 <= 0.0 <= y1:  # the axes
                continue
            if x0 <= RISE_RUN[1] and x1 >= 0.0 and y0 <= 1.4 and y1 >= 0.6:
                continue  # the run leg along y = 1 from 0 to 1, and its label "1" beside it
            if _crosses_segment(x0, x1, y0, y1, slopes):
                continue  # the rise leg at x = 1 and its label "ln b" right of it
            xs = np.linspace(x0, x1, 25)[None, :]
            curves = np.power(bases[:, None], xs)
            lines = 1.0 + slopes[:, None] * xs
            if np.any((curves >= y0) & (curves <= y1)) or np.any((lines >= y0) & (lines <= y1)):
                continue
            if _crosses_band(curves, y0, y1) or _crosses_band(lines, y0, y1):
                continue
            return float(cx), float(cy)
    return None  # curves fill every spot near the point


@dataclass(frozen=True)
class Checkpoint:
    """One stop of the sweep: the base, the tangent's slope ln b, whether the readout is locked."""

    base: float
    slope: float
    locked: bool
    difference_quotients: tuple[tuple[float, float], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "slope": self.slope,
            "locked": self.locked,
            "difference_quotients": [
                {"h": h, "quotient": q, "error": q - self.slope} for h, q in self.difference_quotients
            ],
        }


@dataclass(frozen=True)
class Leg:
    """A stretch of the clip: the base moves from start to end (equal for a pause) in seconds."""

    start: float
    end: float
    seconds: float
    stop: Checkpoint | None = None


@dataclass(frozen=True)
class TangentBasesPlan:
    params: TangentBasesParams
    checkpoints: tuple[Checkpoint, ...]
    unit_slope_base: float
    lock_interval: tuple[float, float]
    legs: tuple[Leg, ...]

    @property
    def duration(self) -> float:
        """Seconds of video: intro, the sweep with its pauses, the verdict."""
        return INTRO_SECONDS + sum(leg.seconds for leg in self.legs) + ENDING_SECONDS

    @property
    def poster_time(self) -> float:
        """The most telling frame: resting at a locked stop (green, b = e), else the verdict."""
        t = INTRO_SECONDS
        for leg in self.legs:
            if leg.stop is not None and leg.stop.locked:
                return t + 0.8 * leg.seconds
            t += leg.seconds
        return self.duration - 0.5

    @property
    def unit_slope_base_in_sweep(self) -> bool:
        return self.params.base_min <= self.unit_slope_base <= self.params.base_max

    @property
    def unit_slope_base_label(self) -> str:
        """e as the verdict writes it: cut (not rounded) to 5 decimals, e.g. 2.71828..."""
        scale = 10**UNIT_SLOPE_BASE_DIGITS
        return f"{math.floor(self.unit_slope_base * scale) / scale:.{UNIT_SLOPE_BASE_DIGITS}f}..."

    @staticmethod
    def base_text(base: float) -> str:
        """A base as the clip writes it: "e" for e, else exactly the decimal it is (2.718, never a rounded 2.72).

        >>> TangentBasesPlan.base_text(math.e), TangentBasesPlan.base_text(2.718), TangentBasesPlan.base_text(3.0)
        ('e', '2.718', '3')
        """
        return "e" if base == math.e else number_text(base)

    @staticmethod
    def slope_comparison(slope: float) -> tuple[str, str]:
        """ln b with enough decimals (at least 3) to tell it from 1, and how it compares with 1.

        >>> TangentBasesPlan.slope_comparison(math.log(2.0))
        ('0.693', 'less than 1')
        >>> TangentBasesPlan.slope_comparison(math.log(2.7182))
        ('0.99997', 'less than 1')
        >>> TangentBasesPlan.slope_comparison(math.log(math.e))
        ('1', 'exactly 1')
        """
        if slope == 1.0:
            return "1", "exactly 1"
        word = "less than 1" if slope < 1.0 else "more than 1"
        for decimals in range(3, 17):
            text = f"{slope:.{decimals}f}"
            if float(text) != 1.0:
                return text, word
        return repr(slope), word

    @classmethod
    def quotient_rows(cls, stop: Checkpoint) -> list[str]:
        r"""The table at a stop as TeX: "h = 0.1:\ \ 0.71773" per step (each quotient rounded to 5 places),
        then the limit "\to \ln b \approx ..." (see limit_text)."""
        rows = [rf"h = {number_text(h)}:\ \ {q:.5f}" for h, q in stop.difference_quotients]
        return [*rows, rf"\to \ln {cls.base_text(stop.base)} {cls.limit_text(stop)}"]

    @classmethod
    def limit_text(cls, stop: Checkpoint) -> str:
        r"""The table's last row after "ln b": "= 1" at b = e, else "\approx" and ln b to 5 decimals
        (more when needed to tell it from 1).

        >>> TangentBasesPlan.limit_text(Checkpoint(2.0, math.log(2.0), False, ()))
        '\\approx 0.69315'
        """
        if cls.base_text(stop.base) == "e":
            return "= 1"
        text = f"{stop.slope:.5f}"
        if float(text) == 1.0 and stop.slope != 1.0:
            text = cls.slope_comparison(stop.slope)[0]
        return rf"\approx {text}"

    # Live values while the base moves (the scene's updaters read these).
    @staticmethod
    def slope_at(base: float) -> float:
        return tangent_slope_at_zero(base)

    def locked_at(self, base: float) -> bool:
        return is_locked(base, self.params.lock_tolerance)

    @staticmethod
    def curve_parts(base: float) -> list[np.ndarray]:
        """y = b^x on the window as (n, 2) arrays of (x, y), cut where it leaves the top or bottom."""
        xs = np.linspace(X_RANGE[0], X_RANGE[1], CURVE_SAMPLES)
        return clip_polyline(xs, np.power(base, xs), *Y_RANGE)

    @staticmethod
    def tangent_ends(base: float) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The tangent y = ln(b) x + 1, cut to the window."""
        return line_in_window(0.0, 1.0, tangent_slope_at_zero(base), X_RANGE, Y_RANGE)

    def swept_bases(self, count: int = 80) -> np.ndarray:
        """Bases across the whole sweep (log-spaced, stops and e when the sweep holds it): every curve the clip draws."""
        p = self.params
        bases = np.exp(np.linspace(math.log(p.base_min), math.log(p.base_max), count))
        ending = [self.unit_slope_base] if self.unit_slope_base_in_sweep else []  # the ending glides back to e
        return np.concatenate([bases, np.array(p.stops), np.array(ending)])

    def point_label_centre(self, width: float, height: float) -> tuple[float, float] | None:
        """Where to centre the "(0, 1)" label (a width x height box, in plot units) so that no curve b^x
        of the sweep, no tangent, no axis and no rise/run triangle ever crosses it.

        Candidates ring the point, nearest first; the first box clear of everything wins. None when
        no spot is clear (sweeps from far below 1 to far above it fill the plot near the point).
        """
        return _clear_point_spot(self.swept_bases(), width, height)

    def point_label_spots(self, width: float, height: float) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """Where the "(0, 1)" label sits while b < 1 and while b >= 1: one spot for both when one near the
        point is clear of the whole sweep, else one per side of 1, else a far one for both. None when no
        spot is clear.

        Below 1 the curves rise to the left of the point and above 1 they fall, so a sweep across 1
        (0.2 to 8, say) crosses every spot near the point, but each half leaves one free: the label
        hops when the curve passes through flat (b = 1). Ghosts: the sweep runs up, so while b < 1 only
        the stops below 1 have left theirs; above 1, every stop's ghost may be there.

        >>> spots = plan(TangentBasesParams(base_min=0.2, base_max=8.0)).point_label_spots(0.6, 0.3)
        >>> below, above = spots
        >>> below[0] < 0 and below[1] < 1 < above[1]  # left of the point: under it, then over it
        True
        """
        whole = self.point_label_centre(width, height)
        if whole is not None and math.hypot(whole[0], whole[1] - 1.0) <= NEAR_POINT:
            return whole, whole
        p = self.params
        if not p.base_min < 1.0 < p.base_max:
            return None if whole is None else (whole, whole)
        stops = np.array(p.stops)
        low = np.exp(np.linspace(math.log(p.base_min), 0.0, 60))
        high = np.exp(np.linspace(0.0, math.log(p.base_max), 60))
        ending = [self.unit_slope_base] if self.unit_slope_base_in_sweep else []
        below = _clear_point_spot(np.concatenate([low, stops[stops < 1.0]]), width, height)
        above = _clear_point_spot(np.concatenate([high, stops, np.array(ending)]), width, height)
        if below is None or above is None:
            return None if whole is None else (whole, whole)
        return below, above

    @staticmethod
    def rise_label_centre(
        base: float,
        size: tuple[float, float],
        gap: float,
        ghosts: tuple[float, ...] = (),
        avoid: tuple[Box, ...] = (),
    ) -> tuple[float, float] | None:
        """Where to centre the "ln b" label (a width x height box, plot units) beside the rise leg at x = 1,
        so that neither b^x, nor its tangent, nor a ghost curve b_k^x, an axis, a leg of the triangle or a
        box in ``avoid`` (x0, x1, y0, y1) crosses it. None when no spot beside the leg is clear.

        Right of the leg first, then left of it; on each side the height nearest the leg's middle wins,
        so the label glides with the leg and steps aside only where a curve comes through.

        >>> x, y = TangentBasesPlan.rise_label_centre(2.0, (0.4, 0.2), 0.05)  # beside the middle of the rise
        >>> x, y == 1 + math.log(2) / 2
        (1.25, True)
        >>> TangentBasesPlan.rise_label_centre(0.8, (0.4, 0.2), 0.05)[1] > 0.8 ** 1.05 + 0.1  # above the curve
        True
        """
        width, height = size
        top = _rise_top(base)
        ys = (1.0 + top) / 2 + _nearest_first(abs(top - 1.0) / 2 + height)
        centres = [(RISE_RUN[1] + side * (gap + width / 2), y) for side in (1.0, -1.0) for y in ys]
        return _first_clear(centres, size, base, ghosts, avoid)

    @staticmethod
    def run_label_centre(
        base: float,
        size: tuple[float, float],
        gap: float,
        ghosts: tuple[float, ...] = (),
        avoid: tuple[Box, ...] = (),
    ) -> tuple[float, float] | None:
        """Where to centre the run's "1" label: under the run leg (y = 1, x from 0 to 1) when the tangent
        rises, over it when it falls, as near its middle as the curves allow (see rise_label_centre).

        >>> TangentBasesPlan.run_label_centre(2.0, (0.2, 0.2), 0.05)
        (0.5, 0.85)
        """
        width, height = size
        slope = tangent_slope_at_zero(base)
        first = -1.0 if slope >= 0 else 1.0
        xs = RISE_RUN[1] / 2 + _nearest_first(RISE_RUN[1] / 2 - gap - width / 2)
        centres = [(x, 1.0 + side * (gap + height / 2)) for side in (first, -first) for x in xs]
        return _first_clear(centres, size, base, ghosts, avoid)

    def rise_run(self, base: float) -> np.ndarray:
        """The rise/run triangle under the tangent: (0, 1) -> (1, 1) -> (1, 1 + ln b), as (3, 2) plot points;
        the rise is cut at the window's foot, as the tangent is (b < e^-2)."""
        run = RISE_RUN[1]
        return np.array([[0.0, 1.0], [run, 1.0], [run, _rise_top(base)]])

    def to_json(self) -> dict[str, Any]:
        return {
            "scene": self.params.scene_name,
            "params": self.params.to_dict(),
            "checkpoints": [c.to_json() for c in self.checkpoints],
            "unit_slope_base": self.unit_slope_base,
            "unit_slope_base_in_sweep": self.unit_slope_base_in_sweep,
            "lock_interval": list(self.lock_interval),
            "window": {"x_range": list(X_RANGE), "y_range": list(Y_RANGE)},
            "duration": self.duration,
            "poster_time": self.poster_time,
        }


def number_text(value: float) -> str:
    """A float as the shortest decimal that reads back as it (what a user typed): 2.0 -> 2, 2.718 -> 2.718.

    >>> number_text(2.0), number_text(2.718), number_text(0.1)
    ('2', '2.718', '0.1')
    """
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _checkpoint(base: float, tolerance: float) -> Checkpoint:
    quotients = tuple((h, exponential_difference_quotient(base, h)) for h in QUOTIENT_STEPS)
    return Checkpoint(
        base=base, slope=tangent_slope_at_zero(base), locked=is_locked(base, tolerance), difference_quotients=quotients
    )


def _legs(params: TangentBasesParams, checkpoints: tuple[Checkpoint, ...]) -> tuple[Leg, ...]:
    """Moves between stops take time in proportion to the change in ln b (the slope moves evenly)."""
    span = math.log(params.base_max) - math.log(params.base_min)
    legs: list[Leg] = []
    here = params.base_min
    for target, stop in [*((c.base, c) for c in checkpoints), (params.base_max, None)]:
        if target > here:
            seconds = params.sweep_seconds * (math.log(target) - math.log(here)) / span
            legs.append(Leg(here, target, seconds))
            here = target
        if stop is not None:
            legs.append(Leg(here, here, params.pause_seconds, stop))
    return tuple(legs)


def plan(params: TangentBasesParams) -> TangentBasesPlan:
    """Compute every number the clip shows."""
    checkpoints = tuple(_checkpoint(b, params.lock_tolerance) for b in params.stops)
    bracket = (min(params.base_min, 2.0), max(params.base_max, 3.0))
    return TangentBasesPlan(
        params=params,
        checkpoints=checkpoints,
        unit_slope_base=unit_slope_base(*bracket),
        lock_interval=lock_interval(params.lock_tolerance),
        legs=_legs(params, checkpoints),
    )
