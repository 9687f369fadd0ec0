"""The numbers the activations clip shows: each function and its derivative on the plotted range,
the readouts at the chosen points, the saturation bands, the kinks and the derivative's peak."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

from calcanim.correctly_rounded import decimal_readout
from calcanim.numerics.activation_functions import ACTIVATIONS, SATURATION_THRESHOLD, Activation, saturation_intervals
from calcanim.params.activations import ActivationsParams

from calcanim.plans.base import plan_header
from calcanim.plans.timeline import EqualPanels
from calcanim.plans.value_slope import SlopeSample, ValueSlopePanel

INTRO_SECONDS = 1.5
ENDING_SECONDS = 2.0
#: Samples of each plotted curve.
CURVE_SAMPLES = 241
#: Digits the table's values and the derivative's peak are computed to before they are rounded once.
EXACT_DIGITS = 50
#: Decimals of the derivative's peak where it is not a short exact number.
PEAK_DECIMALS = 3
#: Share of each function's time spent drawing it, then reading the points out; the rest holds.
DRAW_SHARE = 0.3
READ_SHARE = 0.45


@dataclass(frozen=True, kw_only=True)
class ActivationPanel(ValueSlopePanel):
    """One activation as drawn: curves, windows, readouts, marks (f is continuous: one value curve)."""

    note: str
    activation: Activation
    max_derivative: float
    #: max f' rounded once (TeX: "1/4", "= 1" or "\\approx 1.129"); False in peak_reached: the sup is only approached.
    max_derivative_tex: str
    peak_reached: bool
    #: Where f' reaches its maximum; None when it is approached, not reached (softplus), or reached on a
    #: whole half-line (relu, leaky_relu).
    max_derivative_at: float | None
    saturation: tuple[tuple[float, float], ...]
    #: f' just left and right of the kink (the open ends of the jump).
    kink_sides: tuple[float, float] | None

    def exact_at(self, point: float) -> tuple[Any, Any | None]:
        with mpmath.workdps(EXACT_DIGITS):
            x = mpmath.mpf(repr(point))
            return self.activation.value(x), self.activation.derivative(x)

    @property
    def peak_label_tex(self) -> str:
        """The label at the derivative's peak: \\max f' = 1/4, = 1 or \\approx 1.129 (never = for a rounded value)."""
        return rf"\max f' {self.max_derivative_tex}"

    @property
    def peak_sentence(self) -> str:
        """Where the slope peaks, for the caption; softplus' slope only approaches 1."""
        if not self.peak_reached:
            return f"The slope of {self.name} rises toward {self.max_derivative_tex.removeprefix('= ')} but never reaches it."
        value = self.max_derivative_tex.removeprefix("= ").replace(r"\approx ", "about ")
        return f"The slope of {self.name} peaks at {value}."

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "samples": [s.to_json("x", "derivative") for s in self.samples],
            "max_derivative": self.max_derivative,
            "max_derivative_at": self.max_derivative_at,
            "saturation": [list(band) for band in self.saturation],
            "kink": self.kink,
        }


@dataclass(frozen=True)
class ActivationsPlan(EqualPanels, intro=INTRO_SECONDS, ending=ENDING_SECONDS):
    params: ActivationsParams
    panels: tuple[ActivationPanel, ...]

    @property
    def panel_seconds(self) -> float:
        return self.params.seconds_per_function

    def to_json(self) -> dict[str, Any]:
        return {
            **plan_header(self.params),
            "saturation_threshold": SATURATION_THRESHOLD,
            "functions": [panel.to_json() for panel in self.panels],
            "duration": self.duration,
        }


def plan(params: ActivationsParams) -> ActivationsPlan:
    """Compute every number the clip shows."""
    return ActivationsPlan(params, tuple(_panel(name, params) for name in params.functions))


def _panel(name: str, params: ActivationsParams) -> ActivationPanel:
    activation = ACTIVATIONS[name]
    limit = params.x_limit
    xs = np.linspace(-limit, limit, CURVE_SAMPLES)
    values = activation.value_float(xs)
    kink = activation.kink
    if kink is not None:
        left = np.append(xs[xs < kink], kink)
        right = np.insert(xs[xs > kink], 0, kink)
        sides = (float(activation.derivative(kink - 1)), float(activation.derivative(kink + 1)))  # type: ignore[arg-type]
        derivative_parts: tuple[np.ndarray, ...] = (
            np.column_stack([left, np.full(left.size, sides[0])]),
            np.column_stack([right, np.full(right.size, sides[1])]),
        )
        all_slopes = np.array(sides)
    else:
        slopes = activation.derivative_float(xs)
        derivative_parts = (np.column_stack([xs, slopes]),)
        all_slopes, sides = slopes, None
    with mpmath.workdps(EXACT_DIGITS):
        peak, peak_at = activation.derivative_peak()
        # reached where it is reached at a point, or all along a half-line (relu: f' = 1 for x > 0); softplus' is not
        reached = peak_at is not None or activation.derivative(mpmath.mpf(limit)) == peak
    if name == "sigmoid":
        peak_tex = "= 1/4"
    else:
        is_exact, digits = decimal_readout(peak, PEAK_DECIMALS, relative_only=True)
        peak_tex = ("= " if is_exact else r"\approx ") + digits
    samples = tuple(_sample(activation, x) for x in params.points)
    return ActivationPanel(
        name=name,
        tex=activation.tex,
        note=activation.note,
        activation=activation,
        max_derivative_tex=peak_tex,
        peak_reached=reached,
        value_curve=np.column_stack([xs, values]),
        slope_parts=derivative_parts,
        value_window=(-limit, limit, *_padded(float(values.min()), float(values.max()))),
        slope_window=(-limit, limit, *_padded(min(0.0, float(all_slopes.min())), max(float(peak), float(all_slopes.max())))),
        samples=samples,
        max_derivative=float(peak),
        max_derivative_at=None if peak_at is None else float(peak_at),
        saturation=tuple(saturation_intervals(activation, -limit, limit)),
        kink=kink,
        kink_sides=sides,
    )


def _sample(activation: Activation, x: float) -> SlopeSample:
    """f and f' at x (read as the decimal it prints as) to EXACT_DIGITS, then as floats: at 15 digits
    tanh'(20) = 1 - tanh(20)^2 came out 0, not 1.7e-17."""
    with mpmath.workdps(EXACT_DIGITS):
        point = mpmath.mpf(repr(x))
        value, slope = activation.value(point), activation.derivative(point)
        return SlopeSample(x, float(value), None if slope is None else float(slope))


def _padded(low: float, high: float) -> tuple[float, float]:
    """[low, high] widened by 12% each side (a flat range gets +-0.5)."""
    span = high - low
    if span <= 0 or not math.isfinite(span):
        return low - 0.5, high + 0.5
    return low - 0.12 * span, high + 0.12 * span
