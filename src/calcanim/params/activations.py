"""Parameters of the activations clip: activation functions and their derivatives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from calcanim.params.base import SceneParams, param

#: The activations calcanim draws (calcanim.numerics.activation_functions defines each).
ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "softplus", "silu")


@dataclass(frozen=True, kw_only=True)
class ActivationsParams(SceneParams):
    """Each activation with its derivative beneath it, saturation shaded, values read out at points."""

    scene_name: ClassVar[str] = "activations"

    functions: tuple[str, ...] = param(
        ("sigmoid", "tanh", "relu", "gelu"),
        "activations shown one after another (leaky_relu has slope 0.01; gelu is the exact x*Phi(x))",
        choices=ACTIVATION_CHOICES, min_items=1, max_items=len(ACTIVATION_CHOICES),
    )
    points: tuple[float, ...] = param((-3.0, -1.0, 0.0, 1.0, 3.0), "x values where f and f' are read out",
                                      ge=-20, le=20, min_items=1, max_items=7)  # 7 read out legibly
    x_limit: float = param(5.0, "the plots span -x_limit <= x <= x_limit", ge=1, le=20)
    seconds_per_function: float = param(5.0, "seconds each activation stays on screen", ge=2, le=60)

    def check(self) -> None:
        repeated = [name for i, name in enumerate(self.functions) if name in self.functions[:i]]
        if repeated:
            self.fail("functions", f"'{repeated[0]}' is listed twice; list each activation once")
        outside = [x for x in self.points if abs(x) > self.x_limit]
        if outside:
            self.fail("points", f"every point must lie within [-x_limit, x_limit] = [{-self.x_limit:g}, "
                                f"{self.x_limit:g}], got {outside[0]:g}")
        if list(self.points) != sorted(set(self.points)):
            object.__setattr__(self, "points", tuple(sorted(set(self.points))))
