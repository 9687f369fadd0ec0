"""The numbers the exp-log clip shows: ln 1 = 0, e^k and ln(e^k) = k, the mirrored points, the window."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import mpmath

from calcanim.number_format import decimal_label
from calcanim.numerics.exponentials import natural_log_readouts
from calcanim.numerics.logarithm import exp_log_window, mirror_across_identity
from calcanim.params.exp_log import ExpLogParams

#: The beats of the clip, in seconds before `pace` stretches them.
BEATS = {"intro": 2.0, "exp": 2.0, "mirror": 3.0, "domain": 3.0, "ln_one": 3.0, "ln_power": 3.5, "ending": 2.0}


@dataclass(frozen=True)
class ExpLogPlan:
    params: ExpLogParams
    readouts: dict[str, Any]
    window: tuple[float, float]

    def seconds(self, beat: str) -> float:
        return BEATS[beat] * self.params.pace

    @property
    def duration(self) -> float:
        return sum(BEATS.values()) * self.params.pace

    @property
    def poster_time(self) -> float:
        """Both curves, both mirrored pairs and every readout on screen."""
        return self.duration - 0.5

    @property
    def one_on_exp(self) -> tuple[float, float]:
        return 0.0, 1.0

    @property
    def one_on_ln(self) -> tuple[float, float]:
        return mirror_across_identity(*self.one_on_exp)

    @property
    def k_on_exp(self) -> tuple[float, float]:
        return self.readouts["k"], self.readouts["exp_k"]

    @property
    def k_on_ln(self) -> tuple[float, float]:
        return mirror_across_identity(*self.k_on_exp)

    @property
    def k_label(self) -> str:
        """k exactly as typed (its shortest decimal), never rounded."""
        k = self.readouts["k"]
        return str(int(k)) if k == int(k) else repr(k)

    @property
    def exp_k_label(self) -> str:
        """e^k correctly rounded to `decimals` places (from 50 digits, so no float rounding on the way)."""
        with mpmath.workdps(50):
            exact = mpmath.exp(mpmath.mpf(repr(self.readouts["k"])))
            return f"{Decimal(mpmath.nstr(exact, 45, min_fixed=-100, max_fixed=100)):.{self.params.decimals}f}"

    @property
    def exp_k_is_exact(self) -> bool:
        """e^k is a terminating decimal only at k = 0 (e^0 = 1); everywhere else the readout is rounded."""
        return self.readouts["k"] == 0.0

    @property
    def exp_k_relation(self) -> str:
        return "=" if self.exp_k_is_exact else r"\approx"

    @property
    def panel_tex(self) -> list[str]:
        """The four readouts: ln 1 = 0, e^k (rounded, so with \\approx), ln(e^k) = k exactly, and the rule."""
        k = self.k_label
        return [
            r"\ln 1 = " + self.ln_one_label,
            f"e^{{{k}}} {self.exp_k_relation} {self.exp_k_label}",
            f"\\ln(e^{{{k}}}) = {k}",
            r"\ln(e^k) = k",
        ]

    @property
    def power_caption(self) -> str:
        k, relation = self.k_label, "=" if self.exp_k_is_exact else "≈"
        return f"Raise e to the power {k}: e^{k} {relation} {self.exp_k_label}. ln reads the power straight back: ln(e^{k}) = {k}."

    @property
    def ln_exp_k_label(self) -> str:
        return decimal_label(self.readouts["ln_exp_k"], 10)

    @property
    def ln_one_label(self) -> str:
        return decimal_label(self.readouts["ln_1"], 6)

    @property
    def exp_x_range(self) -> tuple[float, float]:
        """Where e^x stays inside the window."""
        lo, hi = self.window
        return lo, math.log(hi)

    @property
    def ln_x_range(self) -> tuple[float, float]:
        lo, hi = self.window
        return math.exp(lo), hi

    def to_json(self) -> dict[str, Any]:
        return {
            "scene": self.params.scene_name,
            "params": self.params.to_dict(),
            "readouts": self.readouts,
            "mirrored_points": {
                "one": {"exp": list(self.one_on_exp), "ln": list(self.one_on_ln)},
                "k": {"exp": list(self.k_on_exp), "ln": list(self.k_on_ln)},
            },
            "window": list(self.window),
            "duration": self.duration,
            "poster_time": self.poster_time,
        }


def plan(params: ExpLogParams) -> ExpLogPlan:
    """Compute every number the clip shows."""
    return ExpLogPlan(params=params, readouts=natural_log_readouts(params.k), window=exp_log_window(params.k))
