"""Parameters of the limit-climb clip: (1 + 1/n)^n climbing to e."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from calcanim.params.base import SceneParams, param

MAX_N = 10**15
DEFAULT_MARKS = (1, 2, 10, 100, 1000, 1_000_000)


@dataclass(frozen=True, kw_only=True)
class LimitClimbParams(SceneParams):
    """(1 + 1/n)^n as n runs from 1 to n_max on a log-scaled axis, settling on e."""

    scene_name: ClassVar[str] = "limit-climb"

    n_max: int = param(1_000_000, "largest n the dot climbs to", ge=1, le=MAX_N)
    marks: tuple[int, ...] = param(
        DEFAULT_MARKS,
        "values of n marked on the curve with their a_n; each within [1, n_max]",
        ge=1,
        le=MAX_N,
    )
    decimals: int = param(6, "decimal places of the live a_n readout", ge=0, le=12)
    duration: float = param(8.0, "seconds the climb takes (the clip adds a short intro and ending)", ge=1, le=120)

    def check(self) -> None:
        if self.marks == DEFAULT_MARKS and self.n_max < max(DEFAULT_MARKS):
            # Only n_max was set: keep the default marks that fit, and mark n_max itself.
            fitting = tuple(sorted({m for m in DEFAULT_MARKS if m <= self.n_max} | {self.n_max}))
            object.__setattr__(self, "marks", fitting)
        outside = [m for m in self.marks if m > self.n_max]
        if outside:
            self.fail("marks", f"every mark must be within [1, n_max={self.n_max}], got {outside[0]}")
        if list(self.marks) != sorted(set(self.marks)):
            object.__setattr__(self, "marks", tuple(sorted(set(self.marks))))
