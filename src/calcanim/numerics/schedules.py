"""Learning-rate schedules (PyTorch's ExponentialLR, StepLR, CosineAnnealingLR with eta_min = 0): the rate
used at optimizer step k = 0, 1, ..., steps - 1."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

from calcanim.errors import ParamError

SCHEDULES = ("constant", "exponential", "step", "cosine")

#: The rule each schedule follows, as TeX (eta is the base rate, k the step index, K the number of steps).
SCHEDULE_TEX: dict[str, str] = {
    "constant": r"\eta_k = \eta",
    "exponential": r"\eta_k = \eta\,\gamma^{k}",
    "step": r"\eta_k = \eta\,\gamma^{\lfloor k/s \rfloor}",
    "cosine": r"\eta_k = \eta\,\tfrac{1}{2}\left(1 + \cos\tfrac{\pi k}{K}\right)",
}
#: ... and in words, for `show`, captions and inspect.
SCHEDULE_RULES: dict[str, str] = {
    "constant": "eta_k = eta at every step",
    "exponential": "eta_k = eta * gamma^k (PyTorch ExponentialLR)",
    "step": "eta_k = eta * gamma^floor(k / step_size) (PyTorch StepLR)",
    "cosine": "eta_k = eta * (1 + cos(pi k / steps)) / 2 (PyTorch CosineAnnealingLR, eta_min = 0, T_max = steps)",
}


@dataclass(frozen=True)
class Schedule:
    """Which schedule, its decay gamma (exponential, step) and step_size (step); cosine spans ``total_steps``."""

    kind: str = "constant"
    gamma: float = 0.9
    step_size: int = 10
    total_steps: int = 1

    def __post_init__(self) -> None:
        """Reject unknown schedules and out-of-range settings, naming what is valid."""
        if self.kind not in SCHEDULES:
            nearest = difflib.get_close_matches(str(self.kind), SCHEDULES, n=1)
            hint = f" Did you mean {nearest[0]!r}?" if nearest else ""
            raise ParamError(f"unknown schedule {self.kind!r}.{hint} Valid schedules: {', '.join(SCHEDULES)}.")
        if not (math.isfinite(self.gamma) and 0 < self.gamma <= 1):
            raise ParamError(f"gamma must be in (0, 1], got {self.gamma}")
        if isinstance(self.step_size, bool) or not isinstance(self.step_size, int) or self.step_size < 1:
            raise ParamError(f"step_size must be a whole number >= 1, got {self.step_size!r}")
        if isinstance(self.total_steps, bool) or not isinstance(self.total_steps, int) or self.total_steps < 1:
            raise ParamError(f"total_steps must be a whole number >= 1, got {self.total_steps!r}")

    def rate(self, base: float, k: int) -> float:
        """The learning rate used at step k (k = 0 is the first update).

        >>> Schedule("step", 0.5, 3).rate(0.8, 7), Schedule("cosine", total_steps=4).rate(1.0, 2)
        (0.2, 0.5)
        """
        if self.kind == "exponential":
            return base * self.gamma**k
        if self.kind == "step":
            return base * self.gamma ** (k // self.step_size)
        if self.kind == "cosine":
            return base * (1 + math.cos(math.pi * k / self.total_steps)) / 2
        return base

    @property
    def tex(self) -> str:
        return SCHEDULE_TEX[self.kind]

    @property
    def rule(self) -> str:
        return SCHEDULE_RULES[self.kind]
