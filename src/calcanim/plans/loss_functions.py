"""The numbers the loss-functions clip shows: each loss L(p) and its gradient dL/dp against the
target, the readouts at the chosen predictions, the kinks, and the prediction's slide to the target."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from calcanim.numerics.loss_functions import LOSSES, Loss
from calcanim.params.loss_functions import LossFunctionsParams

from calcanim.plans.base import plan_header
from calcanim.plans.timeline import EqualPanels
from calcanim.plans.value_slope import SlopeSample, ValueSlopePanel

INTRO_SECONDS = 1.5
ENDING_SECONDS = 2.0
CURVE_SAMPLES = 241
DRAW_SHARE = 0.25
SLIDE_SHARE = 0.55
#: log_loss is drawn for p in [LOG_LOSS_EDGE, 1 - LOG_LOSS_EDGE] (it grows without bound at 0 and 1).
LOG_LOSS_EDGE = 0.04
LOG_LOSS_SLIDE = (0.05, 0.95)
#: What the JSON calls a sample's point and slope.
SAMPLE_NAMES = ("prediction", "gradient")


@dataclass(frozen=True, kw_only=True)
class LossPanel(ValueSlopePanel):
    """One loss as drawn: L(p) over dL/dp against the target, the readouts and the prediction's slide."""

    definition: str
    loss: Loss
    target: float
    delta: float
    #: Points outside the loss's domain (log_loss: p outside (0, 1)), left out of samples.
    skipped: tuple[float, ...]
    slide: tuple[float, float]

    def at(self, p: float) -> SlopeSample:
        return SlopeSample(p, self.loss.value(p, self.target, self.delta), self.loss.gradient(p, self.target, self.delta))

    def exact_at(self, point: float) -> tuple[Any, Any | None]:
        return self.loss.exact(point, self.target, self.delta)

    def slide_at(self, progress: float) -> SlopeSample:
        """The sliding prediction after ``progress`` (0..1) of its slide, eased to stop at the end."""
        start, end = self.slide
        eased = 1 - (1 - progress) ** 2
        return self.at(start + (end - start) * eased)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "definition": self.definition,
            "samples": [s.to_json(*SAMPLE_NAMES) for s in self.samples],
            "skipped_points": list(self.skipped),
            "kink": self.kink,
            "slide": {"from": self.at(self.slide[0]).to_json(*SAMPLE_NAMES), "to": self.at(self.slide[1]).to_json(*SAMPLE_NAMES)},
        }


@dataclass(frozen=True)
class LossFunctionsPlan(EqualPanels, intro=INTRO_SECONDS, ending=ENDING_SECONDS):
    poster_share = 0.7

    params: LossFunctionsParams
    panels: tuple[LossPanel, ...]

    @property
    def panel_seconds(self) -> float:
        return self.params.seconds_per_loss

    def to_json(self) -> dict[str, Any]:
        return {
            **plan_header(self.params),
            "target": self.params.target,
            "losses": [panel.to_json() for panel in self.panels],
            "duration": self.duration,
        }


def plan(params: LossFunctionsParams) -> LossFunctionsPlan:
    """Compute every number the clip shows."""
    return LossFunctionsPlan(params, tuple(_panel(name, params) for name in params.losses))


def _panel(name: str, params: LossFunctionsParams) -> LossPanel:
    loss, y, delta = LOSSES[name], params.target, params.delta
    if loss.domain is not None:
        low, high = LOG_LOSS_EDGE, 1 - LOG_LOSS_EDGE
        slide = LOG_LOSS_SLIDE if y == 1 else LOG_LOSS_SLIDE[::-1]
    else:
        inside = [p for p in params.points] + [params.start, y]
        low, high = min(inside) - 0.5, max(inside) + 0.5
        slide = (params.start, _slide_end(name, params.start, y))
    ps = np.linspace(low, high, CURVE_SAMPLES)
    kink = loss.kink(y, delta)
    if kink is not None and not low < kink < high:
        kink = None
    values = np.array([loss.value(p, y, delta) for p in ps])
    if kink is not None:
        pieces = [np.append(ps[ps < kink], kink), np.insert(ps[ps > kink], 0, kink)]
        offset = 1e-12 * max(1.0, abs(kink))
        sides = [kink - offset, kink + offset]
        gradient_parts = tuple(
            np.column_stack([piece, [_gradient_near(loss, p, y, delta, side) for p in piece]])
            for piece, side in zip(pieces, sides)
        )
    else:
        gradient_parts = (np.column_stack([ps, [loss.gradient(p, y, delta) for p in ps]]),)
    gradients = np.concatenate([part[:, 1] for part in gradient_parts])
    samples = tuple(
        SlopeSample(p, loss.value(p, y, delta), loss.gradient(p, y, delta)) for p in params.points if loss.defined_at(p)
    )
    return LossPanel(
        name=name,
        definition=loss.definition,
        tex=loss.tex,
        loss=loss,
        target=y,
        delta=delta,
        value_curve=np.column_stack([ps, values]),
        slope_parts=gradient_parts,
        value_window=(low, high, *_padded(min(0.0, float(values.min())), float(values.max()))),
        slope_window=(low, high, *_padded(min(0.0, float(gradients.min())), max(0.0, float(gradients.max())))),
        samples=samples,
        skipped=tuple(p for p in params.points if not loss.defined_at(p)),
        kink=kink,
        slide=slide,
    )


def _slide_end(name: str, start: float, y: float) -> float:
    """Where the dot stops: on the target for smooth losses; short of mae's kink at the target (its gradient
    stays -+1 to the end); past hinge's kink at p = y, into the margin y p > 1 where loss and gradient are 0
    (p = 1.5 y: the margin is on y's side, whichever side the dot starts on; a dot already at or beyond
    1.5 y slides back to 1.25 y, still in the margin, so it moves and never goes uphill).

    >>> _slide_end("hinge", 0.5, -1.0), _slide_end("hinge", -1.5, 1.0), _slide_end("hinge", -1.5, -1.0)
    (-1.5, 1.5, -1.25)
    """
    if name == "mae":
        return start + 0.97 * (y - start)
    if name == "hinge":
        return 1.5 * y if y * start < 1.5 else 1.25 * y
    return y


def _gradient_near(loss: Loss, p: float, y: float, delta: float, side: float) -> float:
    """The gradient at p, or at the kink's own end the one-sided limit from ``side``."""
    gradient = loss.gradient(p, y, delta)
    return gradient if gradient is not None else loss.gradient(side, y, delta)  # type: ignore[return-value]


def _padded(low: float, high: float) -> tuple[float, float]:
    span = high - low
    if span <= 0 or not math.isfinite(span):
        return low - 0.5, high + 0.5
    return low - 0.1 * span, high + 0.1 * span
