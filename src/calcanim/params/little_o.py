"""Parameters of the little-o clip: the linear approximation's error shrinks faster than eps; a bad one's does not."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from calcanim.params.base import SceneParams, param
from calcanim.params.expression_field import check_function


@dataclass(frozen=True, kw_only=True)
class LittleOParams(SceneParams):
    """r(eps)/eps -> 0 for the tangent's error; an approximation off by value_offset + slope_offset*eps keeps a ratio."""

    scene_name: ClassVar[str] = "little-o"

    function: str = param("exp(x)", "f(x) in calcanim's expression language, e.g. exp(x) or x**2")
    x0: float = param(0.0, "the point x where f is approximated", ge=-50, le=50)
    value_offset: float = param(0.0, "the bad approximation is off by value_offset + slope_offset*eps (e.g. 2 for eps + 2)", ge=-10, le=10)
    slope_offset: float = param(2.0, "see value_offset (2 gives the error 2 eps; 1 with value_offset 2 gives eps + 2)", ge=-10, le=10)
    eps_values: tuple[float, ...] = param(
        (1.0, 0.1, 0.01, 0.001, 0.0001),
        "steps eps marked with their ratios, largest first; between 1e-12 and 10, at most 6",
        ge=1e-12,
        le=10,
        min_items=2,
        max_items=6,  # fit on screen
    )
    seconds: float = param(7.0, "seconds eps takes to shrink from the first to the last value", ge=1, le=120)

    def check(self) -> None:
        if list(self.eps_values) != sorted(set(self.eps_values), reverse=True):
            self.fail("eps_values", f"must be distinct and largest first, got {list(self.eps_values)}")
        if self.value_offset == 0.0 and self.slope_offset == 0.0:
            self.fail("slope_offset", "value_offset and slope_offset cannot both be 0: the bad approximation would be the tangent")
        expression = check_function(self, "function", self.function)
        for eps in (0.0, *self.eps_values):
            value = float(expression(self.x0 + eps))
            if not math.isfinite(value):
                self.fail("function", f"f must be finite and real at x0 + eps = {self.x0 + eps:g}, got {value}")
        slope = float(expression.derivative()(self.x0))
        if not math.isfinite(slope):
            self.fail("x0", f"f must be differentiable at x0 = {self.x0:g}, but f'({self.x0:g}) is {slope}")
        from calcanim.numerics.corners import corner_at

        corner = corner_at(expression.sympy_expr, self.x0)
        if corner is not None:
            self.fail(
                "x0",
                f"f has a corner at x0 = {self.x0:g} (slope {corner.left:g} from the left, {corner.right:g} from the "
                "right): there is no tangent there, so no r(eps) to compare with eps; choose another x0 "
                "(secant-to-tangent shows the corner)",
            )
