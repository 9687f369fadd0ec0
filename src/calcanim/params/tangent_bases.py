"""Parameters of the tangent-bases clip: b^x and its tangent at x = 0 as the base b sweeps past e."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from calcanim.params.base import SceneParams, param

#: Largest base the clip draws; beyond it b^x leaves the window almost at once.
MAX_BASE = 20.0


@dataclass(frozen=True, kw_only=True)
class TangentBasesParams(SceneParams):
    """y = b^x through (0, 1) with its tangent there; the slope ln b locks to 1 (green) at b = e."""

    scene_name: ClassVar[str] = "tangent-bases"

    base_min: float = param(1.5, "base b where the sweep starts (> 0, not 1)", gt=0, le=MAX_BASE)
    base_max: float = param(4.0, "base b where the sweep ends (> base_min, not 1)", gt=0, le=MAX_BASE)
    stops: tuple[float, ...] = param(
        (2.0, math.e, 3.0),
        "bases the sweep pauses at, each within [base_min, base_max] and not 1; e may be written \"e\"",
        gt=0,
        le=MAX_BASE,
        max_items=8,  # each is a pause of the sweep
    )
    lock_tolerance: float = param(
        0.01, "the slope readout locks green while |slope - 1| < this", gt=0, le=0.5
    )
    ghosts: bool = param(True, "leave a faint copy of the curve at each stop already passed")
    quotients: bool = param(True, "at each stop, show (b^h - 1)/h approaching ln b as h shrinks")
    sweep_seconds: float = param(6.0, "seconds the sweep from base_min to base_max takes, pauses excluded", ge=0.5, le=120)
    pause_seconds: float = param(2.0, "seconds the sweep rests at each stop", ge=0.2, le=30)
    decimals: int = param(3, "decimal places of the live b and slope readouts", ge=1, le=8)

    def check(self) -> None:
        for name in ("base_min", "base_max"):
            if getattr(self, name) == 1.0:
                self.fail(name, "must not be 1: 1^x is the flat line y = 1, not an exponential")
        if self.base_min >= self.base_max:
            self.fail("base_min", f"must be < base_max={self.base_max!r}, got {self.base_min!r}")
        for stop in self.stops:
            if stop == 1.0:
                self.fail("stops", "no stop may be 1: 1^x is the flat line y = 1, not an exponential")
            if not self.base_min <= stop <= self.base_max:
                self.fail(
                    "stops",
                    f"every stop must be within the sweep [base_min={self.base_min!r}, "
                    f"base_max={self.base_max!r}], got {stop!r}",
                )
        if list(self.stops) != sorted(set(self.stops)):
            object.__setattr__(self, "stops", tuple(sorted(set(self.stops))))
