"""The numbers the limit-climb clip shows: a_n at each mark, the limit e, the gap bounds."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from calcanim.numerics.limits import compound_interest_limit, gap_bounds, gap_to_e
from calcanim.params.limit_climb import LimitClimbParams


LABEL_DECIMALS = 5
#: Seconds before the climb (axes, title) and after it (the verdict).
INTRO_SECONDS = 2.0
ENDING_SECONDS = 3.0


@dataclass(frozen=True)
class Checkpoint:
    n: int
    value: float
    gap_to_e: float
    gap_bounds: tuple[float, float]

    @property
    def label(self) -> str:
        """The value as the clip writes it: exact when short, else cut (not rounded) to 5 decimals.

        >>> [Checkpoint(n, v, 0.0, (0.0, 0.0)).label for n, v in [(1, 2.0), (2, 2.25), (10, 2.5937424601)]]
        ['2', '2.25', '2.59374...']
        """
        short = f"{self.value:.5f}".rstrip("0").rstrip(".")
        if float(short) == self.value:
            return short
        return f"{math.floor(self.value * 10**LABEL_DECIMALS) / 10**LABEL_DECIMALS:.{LABEL_DECIMALS}f}..."

    def to_json(self) -> dict[str, Any]:
        lo, hi = self.gap_bounds
        return {"n": self.n, "value": self.value, "label": self.label, "gap_to_e": self.gap_to_e, "gap_bounds": [lo, hi]}


@dataclass(frozen=True)
class LimitClimbPlan:
    params: LimitClimbParams
    limit: float
    checkpoints: tuple[Checkpoint, ...]
    final_value: float

    @property
    def duration(self) -> float:
        """Seconds of video: intro, the climb, the ending."""
        return INTRO_SECONDS + self.params.duration + ENDING_SECONDS

    @property
    def poster_time(self) -> float:
        """The most telling frame: the dot parked on e with every mark on screen."""
        return self.duration - 0.5

    @property
    def log10_n_max(self) -> float:
        return math.log10(self.params.n_max)

    @staticmethod
    def curve_at_log10(log10_n: float) -> float:
        """(1 + 1/n)^n at the real n = 10**log10_n: the smooth curve the dot rides on."""
        return compound_interest_limit(10.0**log10_n)

    def value_at_log10(self, log10_n: float) -> float:
        """a_n at the integer n nearest to 10**log10_n: what the live readout shows."""
        return compound_interest_limit(self.n_at_log10(log10_n))

    @staticmethod
    def n_at_log10(log10_n: float) -> int:
        return max(1, round(10.0**log10_n))

    def to_json(self) -> dict[str, Any]:
        return {
            "scene": self.params.scene_name,
            "params": self.params.to_dict(),
            "limit": self.limit,
            "checkpoints": [c.to_json() for c in self.checkpoints],
            "final": {"n": self.params.n_max, "value": self.final_value},
            "duration": self.duration,
        }


def plan(params: LimitClimbParams) -> LimitClimbPlan:
    """Compute every number the clip shows."""
    checkpoints = tuple(
        Checkpoint(n=n, value=compound_interest_limit(n), gap_to_e=gap_to_e(n), gap_bounds=gap_bounds(n))
        for n in params.marks
    )
    return LimitClimbPlan(
        params=params,
        limit=math.e,
        checkpoints=checkpoints,
        final_value=compound_interest_limit(params.n_max),
    )
