"""The numbers the vanishing-gradients clip shows: each layer's pre-activation, factor
weight * act'(z_k) and running product d h_k / d h_0, kept in mpmath and drawn on a log axis."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from calcanim.correctly_rounded import exact_fraction, fixed_text, scientific_parts as rounded_parts
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
#: REMEDY_PARTS as the clip sets them: words in \text, every formula in math (w, act'(z), z > 0).
REMEDY_TEX_PARTS = (
    r"\text{Near 1 when every factor } w\,\mathrm{act}'(z) \text{ is near 1:}",
    r"\text{ReLU } (\mathrm{act}' = 1 \text{ for } z > 0) \text{ with } w = 1;",
    r"\text{normalization keeps } z \text{ where } \mathrm{act}' \text{ is not small;}",
    r"\text{gradient clipping caps exploding gradients.}",
)


SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
#: Significant digits of a live readout.
READOUT_DIGITS = 3
#: Relative distance within which the chain's 40-digit value counts as exactly the digits shown.
EXACT_TO = Fraction(1, 10**35)


def readout_parts(value: Any, significant: int = READOUT_DIGITS) -> tuple[bool, str]:
    """(is it exact, the number in TeX) for ``value`` rounded once to ``significant`` digits: plain from
    0.001 to below 1000, else m \\cdot 10^{k}; trailing zeros only when rounded.

    >>> readout_parts(1), readout_parts(Fraction(1, 4)), readout_parts(Fraction(2, 9)), readout_parts(2.92e-08)
    ((True, '1'), (True, '0.25'), (False, '0.222'), (False, '2.92 \\\\cdot 10^{-8}'))
    >>> readout_parts(Fraction(-1, 10**12)), readout_parts(Fraction(5, 10**9)), readout_parts(0)
    ((True, '-10^{-12}'), (True, '5 \\\\cdot 10^{-9}'), (True, '0'))
    """
    exact = exact_fraction(value)
    if exact == 0:
        return True, "0"
    mantissa, power = rounded_parts(exact, significant)
    is_exact = abs(Fraction(mantissa) * Fraction(10) ** power - exact) <= abs(exact) * EXACT_TO
    if -3 <= power <= 2:
        return is_exact, fixed_text(exact, max(0, significant - 1 - power), keep_zeros=not is_exact)
    if is_exact:
        mantissa = mantissa.rstrip("0").rstrip(".")
    if mantissa in ("1", "-1"):
        return is_exact, f"{mantissa[:-1]}10^{{{power}}}"
    return is_exact, rf"{mantissa} \cdot 10^{{{power}}}"


def readout_tex(value: Any) -> str:
    """"= 1" when the digits are the value, "\\approx 0.225" when they are rounded."""
    is_exact, body = readout_parts(value)
    return ("= " if is_exact else r"\approx ") + body


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

    def factor_readout(self, k: int) -> str:
        """Layer k's factor w act'(z_k) after its name: "= 1" or "\\approx 0.225"."""
        return readout_tex(self.layers[k - 1].factor)

    def gradient_readout(self, k: int) -> str:
        """d h_k / d h_0 after its name: "= 1" or "\\approx 2.92 \\cdot 10^{-8}"."""
        return "= 1" if k == 0 else readout_tex(self.layers[k - 1].gradient)

    def story_part(self) -> str:
        """Where the product ends, for the caption (plain text)."""
        name, final = self.chain.activation, self.chain.gradient_at_input
        if final == 0:
            return f"With {name} the product is exactly 0: a dead unit."
        is_exact, body = readout_parts(final)
        text, _, power = body.replace(r" \cdot ", "·").partition("^")
        text += power.strip("{}").translate(SUPERSCRIPTS)
        return f"With {name} it ends {'at' if is_exact else 'near'} {text}."

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

    def story(self) -> str:
        return "Layer by layer, the product of the factors: " + " ".join(c.story_part() for c in self.chains)

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
