"""Parameters of the vanishing-gradients clip: the chain rule through a chain of scalar layers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from calcanim.params.activations import ACTIVATION_CHOICES
from calcanim.params.base import SceneParams, param


@dataclass(frozen=True, kw_only=True)
class VanishingGradientsParams(SceneParams):
    """h0 = input, z_k = weight * h_(k-1) + bias, h_k = act(z_k); d h_k / d h_0 = prod weight * act'(z_k)."""

    scene_name: ClassVar[str] = "vanishing-gradients"

    activation: str = param("sigmoid", "the activation of every layer", choices=ACTIVATION_CHOICES)
    compare: str = param("relu", "a second activation drawn beside it for comparison, or none",
                         choices=(*ACTIVATION_CHOICES, "none"))
    depth: int = param(30, "number of layers", ge=1, le=2000)
    weight: float = param(1.0, "the weight of every layer", ge=-100, le=100)
    bias: float = param(0.0, "the bias of every layer", ge=-100, le=100)
    input: float = param(0.5, "h0, the input of the first layer", ge=-100, le=100)
    seconds: float = param(8.0, "seconds the layers take to appear", ge=1, le=120)

    def check(self) -> None:
        if self.weight == 0:
            self.fail("weight", "must not be 0 (every gradient would be exactly 0)")
        if self.compare == self.activation:
            self.fail("compare", f"is the same as activation ({self.activation!r}); choose another or none")
