"""Parameters of the tangent-slide clip: the tangent line riding along a curve."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from calcanim.params.base import SceneParams, param
from calcanim.params.expression_field import check_function

#: The lesson's second example, also handy as a value for `function`.
WIGGLY_FUNCTION = "sin(4*x) + 0.1*x**2"


@dataclass(frozen=True, kw_only=True)
class TangentSlideParams(SceneParams):
    """A point slides along f from start to end, carrying its tangent line (and optionally the quadratic)."""

    scene_name: ClassVar[str] = "tangent-slide"

    function: str = param("sin(x)", f"f(x) in calcanim's expression language, e.g. sin(x) or {WIGGLY_FUNCTION}")
    x_min: float = param(-3.0, "left end of the plotted domain", ge=-100, le=100)
    x_max: float = param(3.0, "right end of the plotted domain", ge=-100, le=100)
    start: float | None = param(None, "where the point starts (default: just inside x_min)", ge=-100, le=100)
    end: float | None = param(None, "where the point stops (default: just inside x_max)", ge=-100, le=100)
    second_order: bool = param(False, "also draw the quadratic (second-order) approximation at the point")
    seconds: float = param(8.0, "seconds the point takes to slide from start to end", ge=1, le=120)
    line_length: float = param(3.0, "on-screen length of the tangent segment (manim units; frame short side is 8)", gt=0, le=12)

    def check(self) -> None:
        if not self.x_min < self.x_max:
            self.fail("x_max", f"must be greater than x_min = {self.x_min:g}, got {self.x_max:g}")
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and not self.x_min <= value <= self.x_max:
                self.fail(name, f"must lie within [x_min, x_max] = [{self.x_min:g}, {self.x_max:g}], got {value:g}")
        expression = check_function(self, "function", self.function)
        first = expression.derivative()
        start, end = self.path
        if start == end:
            self.fail("end", f"must differ from start = {start:g}")
        # the point visits every x between start and end: f and f' must be finite along the way
        steps = 400
        for i in range(steps + 1):
            x = start + (end - start) * i / steps
            if not (math.isfinite(float(expression(x))) and math.isfinite(float(first(x)))):
                self.fail("function", f"{self.function!r} has no tangent at x = {x:g}, between start and end")

    @property
    def path(self) -> tuple[float, float]:
        """(start, end) of the point's ride, defaults filled in (6% inside the domain's ends)."""
        inset = 0.06 * (self.x_max - self.x_min)
        start = self.start if self.start is not None else self.x_min + inset
        end = self.end if self.end is not None else self.x_max - inset
        return start, end
