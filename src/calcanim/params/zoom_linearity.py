"""Parameters of the zoom-linearity clip: zoom both axes into y = f(x) at x = point until it is a line."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from calcanim.errors import ExpressionError, quoted
from calcanim.params.base import SceneParams, param

#: Deepest zoom: beyond about 10^6 the labels of a unit-sized window need more digits than fit.
MAX_ZOOM = 1e6


@dataclass(frozen=True, kw_only=True)
class ZoomLinearityParams(SceneParams):
    """Magnify y = f(x) about (a, f(a)) by each zoom factor; a smooth curve straightens into its tangent."""

    scene_name: ClassVar[str] = "zoom-linearity"

    function: str = param("x**2", "f(x) in calcanim's expression language, e.g. x**2, sin(4*x) + 0.1*x**2, abs(x)")
    point: float = param(1.0, "the x = a the zoom is centred on", ge=-1000, le=1000)
    zooms: tuple[float, ...] = param(
        (1.0, 10.0, 100.0, 1000.0),
        "magnifications shown in turn, increasing, each within [1, 10^6]",
        ge=1,
        le=MAX_ZOOM,
        min_items=1,
        max_items=8,  # each is a stage of the clip
    )
    half_width: float = param(2.0, "half the window width (x units) at magnification 1", gt=0, le=1000)
    equal_axes: bool = param(
        True, "zoom both axes by the same factor; false stretches x only (the trivial flattening)"
    )
    zoom_seconds: float = param(2.5, "seconds each zoom step takes", ge=0.2, le=60)
    hold_seconds: float = param(1.0, "seconds the clip holds at each magnification", ge=0.2, le=60)

    def check(self) -> None:
        if list(self.zooms) != sorted(set(self.zooms)):
            self.fail("zooms", f"must be distinct and increasing, got {list(self.zooms)}")
        # Imported here: the parser loads sympy, and `calcanim list` / `show` should not wait for it.
        from calcanim.expr import parse_expression, require_real_near

        try:
            expression = parse_expression(self.function)
        except ExpressionError as error:
            self.fail("function", f"{error} (got {quoted(self.function)})")
        try:
            require_real_near(expression, {"x": self.point}, self.half_width)
        except ExpressionError as error:
            self.fail("point", f"{error} (got point={self.point!r}, half_width={self.half_width!r})")
        if not math.isfinite(expression.value_at(x=self.point)):
            self.fail("point", f"f({self.point!r}) is not a finite real number")
