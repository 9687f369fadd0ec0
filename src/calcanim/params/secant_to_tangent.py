"""Parameters of the secant-to-tangent clip: secants through (a, f(a)) and (a + h, f(a + h)) as h shrinks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from calcanim.params.base import SceneParams, param
from calcanim.params.expression_field import check_function

DEFAULT_FUNCTION = "3*x**2 - 4*x + 5"


@dataclass(frozen=True, kw_only=True)
class SecantToTangentParams(SceneParams):
    """The secant slope (f(a + h) - f(a)) / h approaching f'(a), then the tangent; optionally float64 breaking down."""

    scene_name: ClassVar[str] = "secant-to-tangent"

    function: str = param(DEFAULT_FUNCTION, "f(x) in calcanim's expression language, e.g. 3*x**2 - 4*x + 5")
    a: float = param(3.0, "the point x = a where the slope is measured", ge=-50, le=50)
    hs: tuple[float, ...] = param(
        (1.0, 0.1, 0.01, 0.001),
        "steps h the secant passes through, largest first; each > 0",
        gt=0,
        le=10,
        min_items=1,
        max_items=8,  # each is a stage of the clip, with its slope read out
    )
    float_breakdown: bool = param(False, "add a tail that keeps shrinking h in float64 and shows the quotient break")
    breakdown_hs: tuple[float, ...] = param(
        (1e-5, 1e-8, 1e-10, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16),
        "steps h of the float64 tail (used when float_breakdown = true), largest first, at most 8",
        gt=0,
        le=1e-3,
        min_items=1,
        max_items=8,  # fit on screen
    )
    seconds_per_h: float = param(1.5, "seconds the secant takes to move to each next h", ge=0.3, le=10)

    def check(self) -> None:
        if list(self.hs) != sorted(set(self.hs), reverse=True):
            self.fail("hs", f"must be distinct and largest first, got {list(self.hs)}")
        if list(self.breakdown_hs) != sorted(set(self.breakdown_hs), reverse=True):
            self.fail("breakdown_hs", f"must be distinct and largest first, got {list(self.breakdown_hs)}")
        expression = check_function(self, "function", self.function, variables=("x",))
        for name, point in [("a", self.a)] + [("hs", self.a + h) for h in self.hs]:
            value = float(expression(point))
            if not math.isfinite(value):
                what = f"a = {self.a:g}" if name == "a" else f"a + h = {point:g}"
                self.fail(name, f"f must be finite and real at {what}, but f({point:g}) is {value}")
        slope = float(expression.derivative()(self.a))
        if not math.isfinite(slope):
            self.fail("a", f"f must be differentiable at a = {self.a:g}, but f'({self.a:g}) is {slope}")
        if self.float_breakdown:
            from calcanim.numerics.corners import corner_at

            corner = corner_at(expression.sympy_expr, self.a)
            if corner is not None:
                self.fail(
                    "float_breakdown",
                    f"f has a corner at a = {self.a:g} (secant slopes tend to {corner.left:g} from the left and "
                    f"{corner.right:g} from the right), so there is no f'(a) for float64 to approach; "
                    "set float_breakdown = false to show the corner, or choose another a",
                )
