"""The numbers the zoom-linearity clip shows: windows, ticks, gaps to the tangent, and f'(a)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from calcanim.expr import Expression, parse_expression
from calcanim.number_format import plain_number
from calcanim.numerics.linearity import (
    ZoomCheckpoint,
    clip_polyline,
    derivative_at,
    line_in_window,
    nice_tick_step,
    nice_ticks,
    second_derivative_at,
    tick_decimals,
    unequal_window,
    visible_window,
    zoom_checkpoints,
)
from calcanim.params.zoom_linearity import ZoomLinearityParams

#: Seconds before the first zoom (window, curve, point) and after the last (the line, or the corner).
INTRO_SECONDS = 2.0
ENDING_SECONDS = 3.0
#: Points f is sampled at across the visible window each frame.
CURVE_SAMPLES = 301
#: About this many ticks per axis; fewer on x when labels get long, so they never touch.
TICK_TARGET = 5
LONG_LABEL_TICK_TARGET = 3
LONG_LABEL_CHARS = 7
#: The plot is square, so equal axes means the same x and y half-width.
PLOT_ASPECT = 1.0
#: The least width of a window relative to its largest coordinate: below it, float64 has too few
#: digits left to place distinct ticks and curve samples (its own resolution is 2.2e-16).
RESOLVABLE = 1e-12


@dataclass(frozen=True)
class Axis:
    """One axis of a view: its range, tick positions and their labels (the actual coordinates)."""

    low: float
    high: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"range": [self.low, self.high], "ticks": list(self.ticks), "labels": list(self.labels)}


@dataclass(frozen=True)
class View:
    """What is on screen at one magnification."""

    zoom: float
    x: Axis
    y: Axis


def _axis(low: float, high: float, long_labels_thin: bool) -> Axis:
    step = nice_tick_step(low, high, TICK_TARGET)
    decimals = tick_decimals(step)
    ticks = nice_ticks(low, high, TICK_TARGET)
    labels = [f"{t:.{decimals}f}" for t in ticks]
    if long_labels_thin and max(len(s) for s in labels) > LONG_LABEL_CHARS:
        step = nice_tick_step(low, high, LONG_LABEL_TICK_TARGET)
        decimals = tick_decimals(step)
        ticks = nice_ticks(low, high, LONG_LABEL_TICK_TARGET)
        labels = [f"{t:.{decimals}f}" for t in ticks]
    return Axis(low, high, tuple(ticks), tuple(labels))


@dataclass(frozen=True)
class ZoomLinearityPlan:
    params: ZoomLinearityParams
    expression: Expression
    a: float
    fa: float
    slope: float | None
    second_derivative: float | None
    checkpoints: tuple[ZoomCheckpoint, ...]

    @property
    def duration(self) -> float:
        """Seconds of video: intro, a hold at the first zoom, a move and a hold per further zoom, the ending."""
        p = self.params
        return INTRO_SECONDS + p.hold_seconds + (len(p.zooms) - 1) * (p.zoom_seconds + p.hold_seconds) + ENDING_SECONDS

    @property
    def poster_time(self) -> float:
        """The most telling frame: the deepest zoom with the line (or the corner verdict) drawn."""
        return self.duration - 0.5

    @property
    def differentiable(self) -> bool:
        return self.slope is not None

    @functools.cached_property
    def function_tex(self) -> str:
        """f as LaTeX, written by sympy from the parsed expression (never from the raw text)."""
        return sympy.latex(self.expression.sympy_expr)

    @property
    def point_label(self) -> str:
        return plain_number(self.a)

    @property
    def slope_label(self) -> str | None:
        return None if self.slope is None else plain_number(self.slope)

    def half_width(self, zoom: float) -> float:
        return self.params.half_width / zoom

    @staticmethod
    def zoom_readout(zoom: float) -> float:
        """The magnification the readout shows while zooming: one significant digit (x1, x2, ..., x900, x1000).

        Coarse on purpose: the readout is retypeset only when this changes, a few times per decade.

        >>> [ZoomLinearityPlan.zoom_readout(z) for z in (1.0, 1.4, 9.6, 93.0, 999.0)]
        [1.0, 1.0, 10.0, 90.0, 1000.0]
        """
        return float(f"{zoom:.1g}")

    def view(self, zoom: float) -> View:
        """Window, ticks and labels at magnification zoom (both axes, or x only when equal_axes is false)."""
        w = self.half_width(zoom)
        if self.params.equal_axes:
            (x0, x1), (y0, y1) = visible_window(self.a, self.fa, w, PLOT_ASPECT)
        else:
            (x0, x1), (y0, y1) = unequal_window(self.a, self.fa, w, PLOT_ASPECT, self.params.half_width)
        for axis, low, high in (("x", x0, x1), ("y", y0, y1)):
            if not (math.isfinite(low) and math.isfinite(high) and high - low > RESOLVABLE * max(abs(low), abs(high))):
                self.params.fail(
                    "half_width",
                    f"at zoom {zoom:g} the {axis} window [{low:.17g}, {high:.17g}] is too narrow (or too far out) "
                    "for float64 to draw; use a larger half_width, smaller zooms or a point nearer 0",
                )
        return View(zoom, _axis(x0, x1, long_labels_thin=True), _axis(y0, y1, long_labels_thin=False))

    def curve_parts(self, view: View) -> list[np.ndarray]:
        """y = f(x) across the view as (n, 2) arrays of (x, y), cut at the window's top and bottom."""
        xs = np.linspace(view.x.low, view.x.high, CURVE_SAMPLES)
        return clip_polyline(xs, np.asarray(self.expression(xs), dtype=float), view.y.low, view.y.high)

    def tangent_ends(self, view: View) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The tangent at (a, f(a)) cut to the view; None where f'(a) does not exist."""
        if self.slope is None:
            return None
        return line_in_window(self.a, self.fa, self.slope, (view.x.low, view.x.high), (view.y.low, view.y.high))

    def to_json(self) -> dict[str, Any]:
        return {
            "scene": self.params.scene_name,
            "params": self.params.to_dict(),
            "point": {"x": self.a, "y": self.fa},
            "slope": self.slope,
            "differentiable": self.differentiable,
            "second_derivative": self.second_derivative,
            "checkpoints": [_checkpoint_json(c) for c in self.checkpoints],
            "views": [
                {"zoom": _plain(v.zoom), "x": v.x.to_json(), "y": v.y.to_json()}
                for v in (self.view(z) for z in self.params.zooms)
            ],
            "duration": self.duration,
            "poster_time": self.poster_time,
        }


def _plain(zoom: float) -> float | int:
    return int(zoom) if float(zoom).is_integer() else zoom


def _checkpoint_json(checkpoint: ZoomCheckpoint) -> dict[str, Any]:
    data = checkpoint.to_json()
    data["zoom"] = _plain(checkpoint.zoom)
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in data.items()}


def plan(params: ZoomLinearityParams) -> ZoomLinearityPlan:
    """Compute every number the clip shows: f(a) and f'(a) exactly with sympy, the gaps numerically."""
    expression = parse_expression(params.function)
    a = params.point
    fa = expression.value_at(x=a)
    slope = derivative_at(expression.sympy_expr, a)
    second = second_derivative_at(expression.sympy_expr, a) if slope is not None else None
    checkpoints = zoom_checkpoints(expression, a, slope, params.zooms, params.half_width)
    result = ZoomLinearityPlan(
        params=params,
        expression=expression,
        a=a,
        fa=fa,
        slope=slope,
        second_derivative=second,
        checkpoints=tuple(checkpoints),
    )
    for zoom in params.zooms:  # a window float64 cannot resolve fails here, naming the parameter
        result.view(zoom)
    return result
