"""Parameters of the tangent-plane clip: a surface g(w0, w1) and its tangent plane at a point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from calcanim.params.base import SceneParams, param
from calcanim.params.expression_field import check_function


@dataclass(frozen=True, kw_only=True)
class TangentPlaneParams(SceneParams):
    """A 3D surface with its tangent plane at a point, built from the gradient, the camera turning slowly."""

    scene_name: ClassVar[str] = "tangent-plane"

    function: str = param("sin(w0)", "the surface g(w0, w1), an expression in w0 and w1 (the lesson's sin(w0))")
    point: tuple[float, ...] = param(
        (0.3, 1.0), "where the plane touches: [w0, w1], inside the domain, where g is smooth (the lesson used [-1.5, 1])", max_items=2
    )
    w0_range: tuple[float, ...] = param((-3.0, 3.0), "domain [w0_min, w0_max]", max_items=2)
    w1_range: tuple[float, ...] = param((-3.0, 3.0), "domain [w1_min, w1_max]", max_items=2)
    plane_size: float = param(1.5, "half-width of the drawn plane patch around the point, in w units", gt=0, le=100)
    camera_phi: float = param(65.0, "camera angle from straight above, degrees", ge=0, le=89)
    camera_theta: float = param(-125.0, "camera angle around the vertical at the start, degrees", ge=-360, le=360)
    camera_turn: float = param(50.0, "degrees the camera turns over the whole clip (0 = still)", ge=-360, le=360)
    resolution: int = param(40, "surface faces per side", ge=8, le=160)
    duration: float = param(8.0, "seconds of the whole clip", ge=4, le=120)

    def check(self) -> None:
        check_function(self, "function", self.function, variables=("w0", "w1"))
        for name in ("w0_range", "w1_range"):
            bounds = getattr(self, name)
            if len(bounds) != 2 or not bounds[0] < bounds[1]:
                self.fail(name, f"must be two numbers [low, high] with low < high, got {list(bounds)}")
        if len(self.point) != 2:
            self.fail("point", f"must be two numbers [w0, w1], got {list(self.point)}")
        (a0, a1), (b0, b1) = self.w0_range, self.w1_range
        if not (a0 <= self.point[0] <= a1 and b0 <= self.point[1] <= b1):
            self.fail("point", f"{list(self.point)} is outside the domain w0 in {list(self.w0_range)}, w1 in {list(self.w1_range)}")
