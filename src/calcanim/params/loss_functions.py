"""Parameters of the loss-functions clip: losses of one prediction and their gradients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from calcanim.params.base import SceneParams, param

LOSS_CHOICES = ("mse", "mae", "huber", "hinge", "log_loss")
#: Targets each loss accepts (None: any number); kept here so params need no numerics import.
LABEL_SETS: dict[str, tuple[float, ...] | None] = {
    "mse": None, "mae": None, "huber": None, "hinge": (-1.0, 1.0), "log_loss": (0.0, 1.0),
}
DEFINITIONS = (
    "mse = (p - y)^2; mae = |p - y|; huber = (p - y)^2 / 2 if |p - y| <= delta, else delta (|p - y| - delta / 2); "
    "hinge = max(0, 1 - y p) with y in {-1, +1}; log_loss = -[y ln p + (1 - y) ln(1 - p)] with y in {0, 1} "
    "and p in (0, 1)"
)


@dataclass(frozen=True, kw_only=True)
class LossFunctionsParams(SceneParams):
    """Each loss L(p) against the target, its gradient dL/dp beneath, a prediction sliding to the target."""

    scene_name: ClassVar[str] = "loss-functions"

    losses: tuple[str, ...] = param(LOSS_CHOICES, f"losses shown one after another: {DEFINITIONS}",
                                    choices=LOSS_CHOICES, min_items=1, max_items=len(LOSS_CHOICES))
    target: float = param(1.0, "the target y (hinge needs -1 or 1, log_loss 0 or 1)", ge=-100, le=100)
    delta: float = param(1.0, "huber's delta: quadratic within delta of the target, linear beyond", gt=0, le=100)
    points: tuple[float, ...] = param((-1.0, 0.25, 0.5, 0.75, 2.0),
                                      "predictions p where loss and gradient are read out (log_loss uses those in (0, 1))",
                                      ge=-100, le=100, min_items=1, max_items=7)  # 7 read out legibly
    start: float = param(-1.5, "where the prediction dot starts sliding toward the target "
                               "(log_loss starts at 0.05 or 0.95, the side away from its target)", ge=-100, le=100)
    seconds_per_loss: float = param(5.0, "seconds each loss stays on screen", ge=2, le=60)

    def check(self) -> None:
        repeated = [name for i, name in enumerate(self.losses) if name in self.losses[:i]]
        if repeated:
            self.fail("losses", f"'{repeated[0]}' is listed twice; list each loss once")
        for name in self.losses:
            labels = LABEL_SETS[name]
            if labels is not None and self.target not in labels:
                allowed = " or ".join(f"{y:g}" for y in labels)
                self.fail("target", f"{name} needs a target of {allowed}, got {self.target:g}; "
                                    f"set target to {allowed} or drop {name} from losses")
        if self.start == self.target:
            self.fail("start", f"must differ from target = {self.target:g}, so the dot has somewhere to slide")
        if list(self.points) != sorted(set(self.points)):
            object.__setattr__(self, "points", tuple(sorted(set(self.points))))
