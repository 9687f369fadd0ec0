"""The numbers the zoom-linearity clip shows: windows, ticks, gaps to the tangent, and f'(a)."""

from __future__ import annotations

import functools
import math
from decimal import Decimal
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
    second_derivative_at,
)
from calcanim.numerics.exact_numbers import exact_decimal
from calcanim.numerics.local_linearity import LocalFunction, exact_slope, precise_zoom_checkpoints
from calcanim.numerics.ticks import tick_decimals, tick_step, tick_values
from calcanim.params.zoom_linearity import ZoomLinearityParams

#: Seconds before the first zoom (window, curve, point) and after the last (the line, or the corner).
INTRO_SECONDS = 2.0
ENDING_SECONDS = 3.0
#: Points f is sampled at across the visible window each frame.
CURVE_SAMPLES = 301
#: Ticks per axis: a step of at least a sixth of the window, but never fewer than three ticks (the grid);
#: labels longer than LONG_LABEL_CHARS switch the axis to offsets (three ticks).
TICK_TARGET = 6
TICK_LEAST = 3
LONG_LABEL_CHARS = 7
#: The plot is square, so equal axes means the same x and y half-width.
PLOT_ASPECT = 1.0

@dataclass(frozen=True)
class Axis:
    """One axis of a view in local coordinates (offsets from the point's coordinate ``centre``):
    its range, tick positions, their TeX labels (the actual coordinates) and where the true 0 is."""

    centre: float
    low: float
    high: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]

    @property
    def zero(self) -> float:
        """The offset at which this coordinate is 0 (the true axis line)."""
        return -self.centre

    def to_json(self) -> dict[str, Any]:
        return {
            "centre": self.centre,
            "offset_range": [self.low, self.high],
            "tick_offsets": list(self.ticks),
            "labels": list(self.labels),
        }


@dataclass(frozen=True)
class View:
    """What is on screen at one magnification."""

    zoom: float
    x: Axis
    y: Axis


def power_of_ten_tex(mantissa: int, exponent: int) -> str:
    r"""mantissa * 10^exponent as TeX: plain decimals for moderate exponents, else c \cdot 10^{e}.

    >>> power_of_ten_tex(2, -6), power_of_ten_tex(1, -7), power_of_ten_tex(5, -2), power_of_ten_tex(20, -7)
    ('2 \\cdot 10^{-6}', '10^{-7}', '0.05', '2 \\cdot 10^{-6}')
    """
    while mantissa != 0 and mantissa % 10 == 0:
        mantissa, exponent = mantissa // 10, exponent + 1
    if -3 <= exponent <= 4:
        return _short_decimal_tex(sympy.Integer(mantissa) * sympy.Integer(10) ** exponent) or str(mantissa)
    if mantissa == 1:
        return rf"10^{{{exponent}}}"
    return rf"{mantissa} \cdot 10^{{{exponent}}}"


def sci_tex(value: float, digits: int = 3) -> str:
    r"""value correctly rounded to ``digits`` significant digits, as TeX (c \cdot 10^{e} when small or large).

    >>> sci_tex(2.0e-6), sci_tex(0.00519998), sci_tex(2.0), sci_tex(0.2), sci_tex(float("inf"))
    ('2.00 \\cdot 10^{-6}', '5.20 \\cdot 10^{-3}', '2.00', '0.200', '\\infty')
    """
    if math.isinf(value):
        return r"\infty"
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    e = int(exponent)
    if -2 <= e <= 3:
        return f"{value:.{max(0, digits - 1 - e)}f}"
    return rf"{mantissa} \cdot 10^{{{e}}}"


def _tex_to_caption(tex: str) -> str:
    """A TeX number from sci_tex or power_of_ten_tex as caption text (2.00·10^-6)."""
    return tex.replace(r" \cdot ", "·").replace(r"\infty", "infinity").replace("{", "").replace("}", "")


def _absolute_axis(centre: float, half: float, target: int) -> tuple[list[float], list[str]]:
    low, high = centre - half, centre + half
    decimals = tick_decimals(tick_step(low, high, target, at_least=TICK_LEAST))
    ticks = tick_values(low, high, target, at_least=TICK_LEAST)
    return [t - centre for t in ticks], [f"{t:.{decimals}f}" for t in ticks]


def _offset_axis(centre_text: str, half: float) -> tuple[list[float], list[str]]:
    r"""Three ticks, the point and one 1-2-5 step (at most 0.6 of the half width) either side of it,
    labelled "centre + step" (e.g. 1000 + 10^{-6}): away from the window's ends, so long labels fit."""
    exponent = math.floor(math.log10(0.6 * half))
    mantissa = max(m for m in (1, 2, 5) if m * 10.0**exponent <= 0.6 * half * (1 + 1e-12))
    step = mantissa * 10.0**exponent
    offsets, labels = [], []
    for k in (-1, 0, 1):
        offsets.append(k * step)
        if k == 0:
            labels.append(centre_text)
        else:
            labels.append(f"{centre_text} {'+' if k > 0 else '-'} {power_of_ten_tex(mantissa, exponent)}")
    return offsets, labels


def _axis(centre: float, centre_text: str, half: float, long_labels_thin: bool) -> Axis:
    """Absolute labels while they are short; offsets from the point's coordinate once they would get long."""
    offsets, labels = _absolute_axis(centre, half, TICK_TARGET)
    if max(len(s) for s in labels) > LONG_LABEL_CHARS:
        offsets, labels = _offset_axis(centre_text, half)
    return Axis(centre, -half, half, tuple(offsets), tuple(labels))


@dataclass(frozen=True)
class ZoomLinearityPlan:
    params: ZoomLinearityParams
    expression: Expression
    a: float
    fa: float
    slope: float | None
    second_derivative: float | None
    checkpoints: tuple[ZoomCheckpoint, ...]
    unbounded: tuple[bool, ...]  # a pole in the window: the gap has no maximum
    local: LocalFunction
    value_text: str  # f(a) as the y labels write it: its exact decimal when short, else "f(a)"

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
        """a exactly as typed (its shortest decimal), never rounded."""
        return _short_decimal_tex(exact_decimal(self.a)) or repr(self.a)

    @property
    def slope_label(self) -> str | None:
        """f'(a): its exact decimal when short, else 6 significant digits (see slope_relation)."""
        if self.slope is None:
            return None
        exact = self._exact_slope()
        return (_short_decimal_tex(exact) if exact is not None else None) or f"{self.slope:.6g}"

    @property
    def slope_relation(self) -> str:
        """"=" when slope_label is f'(a) exactly, else the TeX approx sign."""
        exact = self._exact_slope()
        return "=" if exact is not None and _short_decimal_tex(exact) is not None else r"\approx"

    def _exact_slope(self) -> sympy.Expr | None:
        if self.slope is None:
            return None
        exact = exact_slope(self.local, self.slope)
        return exact if isinstance(exact, sympy.Basic) and exact.is_Rational else None

    @property
    def point_value_caption(self) -> str:
        """f(a) for the captions: "= 1" when exact and short, else "≈" and 6 significant digits."""
        if not self.value_text.startswith("f("):
            return f"= {self.value_text}"
        return f"≈ {self.fa:.6g}"

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
        h = w / PLOT_ASPECT if self.params.equal_axes else self.params.half_width / PLOT_ASPECT
        return View(zoom, _axis(self.a, self.point_label, w, True), _axis(self.fa, self.value_text, h, False))

    def ratio_tex(self, index: int) -> str:
        """max|f - line| / w at zoom stop index, correctly rounded to 3 significant digits (infinity at a pole)."""
        return sci_tex(self.checkpoints[index].relative_gap, 3)

    def half_width_tex(self, index: int) -> str:
        """The window's half width w = half_width / zoom, exactly when it is a short decimal."""
        w = exact_decimal(self.params.half_width) / exact_decimal(self.params.zooms[index])
        text = _short_decimal_tex(w)
        if text is None:
            return sci_tex(float(w), 3)
        if w < sympy.Rational(1, 1000):  # 0.000002 reads better as 2 \cdot 10^{-6}; still exact
            digits, exponent = Decimal(text).normalize().as_tuple()[1:]
            mantissa = "".join(map(str, digits))
            exponent = int(exponent) + len(mantissa) - 1
            mantissa = mantissa if len(mantissa) == 1 else f"{mantissa[0]}.{mantissa[1:]}"
            return rf"10^{{{exponent}}}" if mantissa == "1" else rf"{mantissa} \cdot 10^{{{exponent}}}"
        return text

    def ratio_caption(self, index: int) -> str:
        return _tex_to_caption(self.ratio_tex(index))

    def curve_parts(self, view: View) -> list[np.ndarray]:
        """y = f(x) across the view in local coordinates (u, f(a + u) - f(a)), cut at the window's top and bottom."""
        us = np.linspace(view.x.low, view.x.high, CURVE_SAMPLES)
        vs = self.local.curve_offsets(us, view.y.high)
        return clip_polyline(us, vs, view.y.low, view.y.high)

    def tangent_ends(self, view: View) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The tangent at (a, f(a)) cut to the view, in local coordinates; None where f'(a) does not exist."""
        if self.slope is None:
            return None
        return line_in_window(0.0, 0.0, self.slope, (view.x.low, view.x.high), (view.y.low, view.y.high))

    def to_json(self) -> dict[str, Any]:
        return {
            "scene": self.params.scene_name,
            "params": self.params.to_dict(),
            "point": {"x": self.a, "y": self.fa},
            "slope": self.slope,
            "differentiable": self.differentiable,
            "second_derivative": self.second_derivative,
            "checkpoints": [
                {**_checkpoint_json(c), "unbounded": u, "shown": self.ratio_tex(i)}
                for i, (c, u) in enumerate(zip(self.checkpoints, self.unbounded))
            ],
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


def _short_decimal_tex(value: sympy.Expr) -> str | None:
    """An exact rational with a terminating decimal of at most 10 significant digits, written out; else None.

    >>> _short_decimal_tex(sympy.Integer(10**6)), _short_decimal_tex(sympy.Rational(1, 500)), _short_decimal_tex(sympy.Rational(1, 3))
    ('1000000', '0.002', None)
    """
    if not (isinstance(value, sympy.Basic) and value.is_Rational):
        return None
    q = int(value.q)
    twos = fives = 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    if q != 1:
        return None
    decimals = max(twos, fives)
    scaled = abs(int(value * 10**decimals))
    if len(str(scaled).strip("0")) > 10:
        return None
    text = f"{scaled // 10**decimals}" + (f".{scaled % 10**decimals:0{decimals}d}" if decimals else "")
    return ("-" if value < 0 else "") + text


#: The least width of a window relative to its largest coordinate: below it, float64 has too few
#: digits left to place distinct ticks (its own resolution is 2.2e-16).
RESOLVABLE = 1e-12


def _check_resolvable(params: ZoomLinearityParams, a: float) -> None:
    """Every zoom's x window must be wide enough for float64 ticks around the point, or the clip names
    half_width (the gaps themselves are exact, and the y axis is drawn as offsets from f(a))."""
    for zoom in params.zooms:
        w = params.half_width / zoom
        for axis, centre, half in (("x", a, w),):
            low, high = centre - half, centre + half
            if not (math.isfinite(low) and math.isfinite(high) and high - low > RESOLVABLE * max(abs(low), abs(high))):
                params.fail(
                    "half_width",
                    f"at zoom {zoom:g} the {axis} window around {centre:.17g} is too narrow (or too far out) "
                    "for float64 to draw; use a larger half_width, smaller zooms or a point nearer 0",
                )


def plan(params: ZoomLinearityParams) -> ZoomLinearityPlan:
    """Compute every number the clip shows: f(a) and f'(a) exactly with sympy, the gaps with mpmath."""
    expression = parse_expression(params.function)
    a = params.point
    local = LocalFunction(expression.sympy_expr, a, expression)
    slope = derivative_at(expression.sympy_expr, a)
    second = second_derivative_at(expression.sympy_expr, a) if slope is not None else None
    _check_resolvable(params, a)
    gaps = precise_zoom_checkpoints(local, slope, params.zooms, params.half_width)
    exact_value = local.expr.subs(local.x, local.a)
    return ZoomLinearityPlan(
        params=params,
        expression=expression,
        a=a,
        fa=local.fa_float,
        slope=slope,
        second_derivative=second,
        checkpoints=gaps.checkpoints,
        unbounded=gaps.unbounded,
        local=local,
        value_text=_short_decimal_tex(exact_value) or rf"f({plain_number(a)})",
    )
