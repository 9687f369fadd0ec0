"""Parameters of the descent-1d clip: gradient descent on a curve, one run per learning rate."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from calcanim.params.base import SceneParams, param
from calcanim.params.expression_field import check_function
from calcanim.params.gradient_descent import SCHEDULE_HELP, SCHEDULES

OPTIMIZERS_1D = ("gd", "momentum", "nesterov", "adam", "rmsprop")
LAYOUTS = ("side-by-side", "overlaid")
MAX_RUNS_1D = 6

STATUS_HELP_1D = (
    "One run per learning rate (at most 6). Status of each run: 'diverged' = x left x_range widened by 50% of "
    "its width per side, or x, f(x) or f'(x) became non-finite (the run stops at its last valid point), or, on a "
    "domain too large to leave, f ended above its start with each of the last 5 steps longer than the one "
    "before (1.5x in all); 'converged' = after all steps |f'(x)| < 1e-3 or the last step moved less than 1e-6 x "
    "the width of x_range and 1e-6 x the longest step, with f not above its start and the last step not longer than the first; "
    "'running' = finite and inside but not settled (more steps may converge)"
)


@dataclass(frozen=True, kw_only=True)
class Descent1DParams(SceneParams):
    """Gradient descent on y = f(x): a ball hops along the curve, each step eta times the tangent's slope."""

    scene_name: ClassVar[str] = "descent-1d"

    function: str = param("x**2", "f(x) to minimise, in calcanim's expression language, e.g. x**2 or x**4 - 3*x**2 + x")
    start: float = param(2.0, "where every run starts", ge=-1e6, le=1e6)
    x_range: tuple[float, ...] = param(
        (),
        "domain drawn [x_min, x_max]; empty = derived from the function and the start: it holds the start and its "
        "mirror point across the minimum downhill from it (where eta just under 2/f'' lands), padded 15% per side",
        ge=-1e6,
        le=1e6,
        max_items=2,
    )
    learning_rates: tuple[float, ...] = param((0.1, 0.45, 0.9, 1.05), STATUS_HELP_1D, gt=0, le=1000,
                                               max_items=MAX_RUNS_1D)
    steps: int = param(20, "optimizer steps per run", ge=1, le=200)
    optimizer: str = param(
        "gd",
        "gd: x <- x - eta_k f'(x); momentum: v <- beta v + f'(x), x <- x - eta_k v (PyTorch SGD); nesterov: "
        "look-ahead form; adam, rmsprop: PyTorch's rules (see `calcanim show gradient-descent`)",
        choices=OPTIMIZERS_1D,
    )
    beta: float = param(0.9, "momentum / nesterov: velocity decay", ge=0, lt=1)
    beta1: float = param(0.9, "adam: decay of the gradient average", ge=0, lt=1)
    beta2: float = param(0.999, "adam: decay of the squared-gradient average", ge=0, lt=1)
    alpha: float = param(0.99, "rmsprop: decay of the squared-gradient average", ge=0, lt=1)
    eps: float = param(1e-8, "adam, rmsprop: added to the root of the squared average", gt=0, le=1)
    schedule: str = param("constant", SCHEDULE_HELP, choices=SCHEDULES)
    gamma: float = param(0.95, "exponential, step schedules: the decay factor gamma", gt=0, le=1)
    step_size: int = param(5, "step schedule: steps between decays", ge=1, le=200)
    layout: str = param("side-by-side", "side-by-side: one panel per rate; overlaid: every run on one curve", choices=LAYOUTS)
    duration: float = param(8.0, "seconds the descent takes (the clip adds ~1.5 s intro and 2.5 s ending)", ge=1, le=120)

    def check(self) -> None:
        if len(self.learning_rates) == 0:
            self.fail("learning_rates", "give at least one learning rate, e.g. [0.1, 0.45, 0.9]")
        if self.x_range:
            if len(self.x_range) != 2 or not self.x_range[0] < self.x_range[1]:
                self.fail("x_range", f"must be empty or two numbers [low, high] with low < high, got {list(self.x_range)}")
            if not self.x_range[0] <= self.start <= self.x_range[1]:
                self.fail("start", f"must lie in x_range {list(self.x_range)}, got {self.start:g}")
        expression = check_function(self, "function", self.function)
        derivative = expression.derivative()
        value, slope = float(expression(self.start)), float(derivative(self.start))
        if not (math.isfinite(value) and math.isfinite(slope)):
            self.fail("start", f"f and f' must be finite at the start; {self.function!r} at x = {self.start:g} is not")
