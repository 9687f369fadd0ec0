"""What the plans of the value-over-slope clips (activations, loss-functions) share: a panel with a
function's curve over its slope's, and the value and slope read out at chosen points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: A plot window (x_min, x_max, y_min, y_max).
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class SlopeSample:
    """f(point) and f'(point); the slope is None at a kink, where there is no derivative."""

    point: float
    value: float
    slope: float | None

    def to_json(self, point_name: str, slope_name: str) -> dict[str, Any]:
        """The sample under the names the clip's JSON gives the point and the slope (activations: x and derivative)."""
        return {point_name: self.point, "value": self.value, slope_name: self.slope}


@dataclass(frozen=True, kw_only=True)
class ValueSlopePanel:
    """One function as drawn: its curve in one window over its slope's in another, and the readouts."""

    name: str
    tex: str
    #: (n, 2) array of (x, f(x)).
    value_curve: np.ndarray
    #: (n, 2) arrays of (x, f'(x)), split at a kink so the jump is not drawn as a slope.
    slope_parts: tuple[np.ndarray, ...]
    value_window: Box
    slope_window: Box
    samples: tuple[SlopeSample, ...]
    kink: float | None
