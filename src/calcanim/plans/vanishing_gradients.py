"""The numbers the vanishing-gradients clip shows: each layer's pre-activation, factor
weight * act'(z_k) and running product d h_k / d h_0, kept in mpmath and drawn on a log axis."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from calcanim.numerics.layer_chain import Layer, LayerChain, as_float, run_layer_chain, scientific_parts
from calcanim.params.vanishing_gradients import VanishingGradientsParams
from calcanim.plans.base import plan_header
from calcanim.plans.tex_numbers import tex_number, tex_power
from calcanim.plans.timeline import IntroMainEnding

INTRO_SECONDS = 2.0
ENDING_SECONDS = 5.0
#: What keeps the product near 1, after the lesson's "Exploding & Dying Gradients" section.
REMEDY_PARTS = (
    "Near 1 when every factor w act'(z) is near 1:",
    "ReLU (act' = 1 for z > 0) with w = 1;",
    "normalization keeps z where act' is not small;",
    "gradient clipping caps exploding gradients.",
)
REMEDY = " ".join(REMEDY_PARTS)


def log_tex(log10_value: float | None) -> str:
    """10^{-7.53}: a readout that never underflows; 0 for an exact zero (a dead relu)."""
    return "0" if log10_value is None else f"10^{{{log10_value:.2f}}}"


@dataclass(frozen=True)
class ChainView:
    """One activation's chain as the clip draws it."""

    chain: LayerChain

    @property
    def layers(self) -> tuple[Layer, ...]:
        return self.chain.layers

    @property
    def log10_gradients(self) -> list[float | None]:
        """log10 |d h_k / d h_0| for k = 0..depth (k = 0 is 1, log 0)."""
        return [0.0] + [layer.log10_abs_gradient for layer in self.layers]

    @property
    def dead_at(self) -> int | None:
        """The first layer whose factor is exactly 0 (a relu below 0): the gradient is 0 from there on."""
        return next((layer.index for layer in self.layers if layer.factor == 0), None)

    @property
    def factor_as_power(self) -> bool:
        """Whether a factor is too small or large for 4 decimals (then it is shown as 10^x too)."""
        return any(f != 0 and not 1e-4 <= abs(f) < 1e6 for f in (layer.factor for layer in self.layers))

    def gradient_tex(self, k: int) -> str:
        """d h_k / d h_0 written out: a*10^n from mpmath, whatever its size."""
        if k == 0:
            return "1"
        mantissa, exponent = scientific_parts(self.layers[k - 1].gradient)
        if mantissa == 0:
            return "0"
        return tex_number(mantissa * 10.0**exponent, 4) if -4 <= exponent <= 4 else tex_power(mantissa, exponent)

    def factor_tex(self, k: int) -> str:
        factor = self.layers[k - 1].factor
        mantissa, exponent = scientific_parts(factor)
        if mantissa == 0:
            return "0"
        return tex_number(float(factor), 4) if exponent >= -4 else tex_power(mantissa, exponent)

    def to_json(self) -> dict[str, Any]:
        final = self.chain.gradient_at_input
        mantissa, exponent = scientific_parts(final, 6)
        return {
            "activation": self.chain.activation,
            "layers": [
                {
                    "layer": layer.index,
                    "pre_activation": float(layer.pre_activation),
                    "local_derivative": float(layer.factor),
                    "gradient": as_float(layer.gradient),
                    "log10_abs_gradient": layer.log10_abs_gradient,
                    "at_kink": layer.at_kink,
                }
                for layer in self.layers
            ],
            "gradient_at_input": as_float(final),
            "gradient_at_input_scientific": {"mantissa": mantissa, "exponent": exponent},
            "log10_abs_gradient_at_input": self.layers[-1].log10_abs_gradient,
            "below_float64": final != 0 and as_float(final) == 0.0,
            "dead_at_layer": self.dead_at,
        }


@dataclass(frozen=True)
class VanishingGradientsPlan(IntroMainEnding, intro=INTRO_SECONDS, ending=ENDING_SECONDS):
    params: VanishingGradientsParams
    chains: tuple[ChainView, ...]
    #: (lowest, highest) log10 |gradient| drawn, whole decades, 0 included.
    log_range: tuple[float, float]

    @property
    def main_seconds(self) -> float:
        """The layers appearing one by one."""
        return self.params.seconds

    def to_json(self) -> dict[str, Any]:
        main, *others = self.chains
        data = {**plan_header(self.params), **main.to_json()}
        if others:
            data["compare"] = others[0].to_json()
        data["remedy"] = REMEDY
        data["duration"] = self.duration
        return data


def plan(params: VanishingGradientsParams) -> VanishingGradientsPlan:
    """Compute every number the clip shows."""
    names = [params.activation] + ([params.compare] if params.compare != "none" else [])
    chains = tuple(
        ChainView(run_layer_chain(name, params.depth, params.weight, params.bias, params.input)) for name in names
    )
    logs = [v for chain in chains for v in chain.log10_gradients if v is not None]
    low, high = math.floor(min(logs)), math.ceil(max(logs))
    if high - low < 2:
        low, high = low - 1, high + 1
    return VanishingGradientsPlan(params, chains, (float(low), float(high)))
