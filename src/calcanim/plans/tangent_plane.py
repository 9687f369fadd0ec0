"""The numbers the tangent-plane clip shows: g at the point, its gradient, the plane, the timeline."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from calcanim.errors import ParamError
from calcanim.expr import parse_expression
from calcanim.number_format import number_text
from calcanim.numerics.surfaces import Surface, as_point, sample_grid, surface_from_sympy
from calcanim.params.tangent_plane import TangentPlaneParams

#: Seconds of the surface alone, of the point appearing, and of the plane growing out of it.
SURFACE_SECONDS = 1.5
POINT_SECONDS = 1.0
GROW_SECONDS = 2.0
PLANE_SAMPLES = 14


@dataclass(frozen=True, eq=False)
class TangentPlanePlan:
    params: TangentPlaneParams
    surface: Surface
    tex: str  # g(w0, w1) in LaTeX
    value: float  # g(p)
    gradient: tuple[float, float]  # (dg/dw0, dg/dw1) at p
    grid: tuple[np.ndarray, np.ndarray, np.ndarray]
    plane_grid: np.ndarray  # (n, n, 3) the full plane patch (w0, w1, z)

    @property
    def duration(self) -> float:
        return self.params.duration

    @property
    def poster_time(self) -> float:
        """The plane fully grown, readouts on screen."""
        return min(self.duration - 0.2, SURFACE_SECONDS + POINT_SECONDS + GROW_SECONDS + 1.0)

    @property
    def point3(self) -> np.ndarray:
        return np.array([*self.params.point, self.value])

    def plane_at(self, grown: float) -> np.ndarray:
        """The plane patch shrunk towards the point by ``grown`` in [0, 1] (1 = full size)."""
        return self.point3 + max(0.0, min(1.0, grown)) * (self.plane_grid - self.point3)

    def camera_theta_at(self, seconds: float) -> float:
        return self.params.camera_theta + self.params.camera_turn * min(max(seconds / self.duration, 0.0), 1.0)

    @property
    def plane_tex(self) -> str:
        """z = g(p) + dg/dw0 (w0 - p0) + dg/dw1 (w1 - p1), numbers rounded as shown."""
        (p0, p1), (g0, g1) = self.params.point, self.gradient

        def shifted(symbol: str, at: float) -> str:
            if at == 0:
                return symbol
            return rf"({symbol} {'-' if at > 0 else '+'} {number_text(abs(at))})"

        return (
            rf"z = {number_text(self.value)} {'-' if g0 < 0 else '+'} {number_text(abs(g0))}\,{shifted('w_0', p0)}"
            rf" {'-' if g1 < 0 else '+'} {number_text(abs(g1))}\,{shifted('w_1', p1)}"
        )

    @property
    def readouts_tex(self) -> list[str]:
        (p0, p1), (g0, g1) = self.params.point, self.gradient
        return [
            rf"g(w_0, w_1) = {self.tex}",
            rf"p = ({number_text(p0)},\ {number_text(p1)})",
            rf"g(p) = {number_text(self.value)}",
            rf"\nabla g(p) = ({number_text(g0)},\ {number_text(g1)})",
        ]

    @property
    def captions(self) -> list[tuple[str, float]]:
        (p0, p1), (g0, g1) = self.params.point, self.gradient
        rest = self.duration - SURFACE_SECONDS - POINT_SECONDS - GROW_SECONDS
        return [
            (f"The surface g(w0, w1) = {self.params.function}.", SURFACE_SECONDS),
            (f"At p = ({number_text(p0)}, {number_text(p1)}), g(p) = {number_text(self.value)}.", POINT_SECONDS),
            (
                f"The gradient there is ({number_text(g0)}, {number_text(g1)}): it tilts the tangent plane "
                "g(p) + gradient · (w - p).",
                GROW_SECONDS,
            ),
            ("Near the point the plane hugs the surface: the best linear approximation. Farther away they part.", rest),
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "scene": self.params.scene_name,
            "params": self.params.to_dict(),
            "function": self.params.function,
            "point": list(self.params.point),
            "value": self.value,
            "gradient": list(self.gradient),
            "plane": {"constant": self.value, "slopes": list(self.gradient), "half_width": self.params.plane_size},
            "z_range": list(self.surface.z_range),
            "captions": [{"text": t, "seconds": s} for t, s in self.captions],
            "duration": self.duration,
            "poster_time": self.poster_time,
        }


def plan(params: TangentPlaneParams) -> TangentPlanePlan:
    """Compute every number the clip shows."""
    expression = parse_expression(params.function, variables=("w0", "w1"))
    w0, w1 = (sympy.Symbol(n, real=True) for n in ("w0", "w1"))
    as_xy = expression.sympy_expr.xreplace({w0: sympy.Symbol("x"), w1: sympy.Symbol("y")})
    surface = surface_from_sympy(as_xy, "g", as_point(params.w0_range), as_point(params.w1_range), as_point(params.point))
    p0, p1 = params.point
    value = float(surface.loss(p0, p1))
    gradient = tuple(float(g) for g in surface.gradient(p0, p1))
    if not (math.isfinite(value) and all(math.isfinite(g) for g in gradient)):
        raise ParamError(f"invalid value for 'point' in tangent-plane: g or its gradient is not finite at {list(params.point)}",
                         field="point")
    h = params.plane_size
    u = np.linspace(max(p0 - h, params.w0_range[0]), min(p0 + h, params.w0_range[1]), PLANE_SAMPLES)
    v = np.linspace(max(p1 - h, params.w1_range[0]), min(p1 + h, params.w1_range[1]), PLANE_SAMPLES)
    uu, vv = np.meshgrid(u, v)
    zz = value + gradient[0] * (uu - p0) + gradient[1] * (vv - p1)
    low = min(surface.z_range[0], float(zz.min()), value)
    high = max(surface.z_range[1], float(zz.max()), value)
    pad = 0.05 * (high - low)
    surface = Surface(surface.name, surface.sympy_expr, surface.x_range, surface.y_range, surface.start, (low - pad, high + pad))
    tex = sympy.latex(expression.sympy_expr, symbol_names={w0: "w_0", w1: "w_1"})
    return TangentPlanePlan(
        params=params,
        surface=surface,
        tex=tex,
        value=value,
        gradient=(gradient[0], gradient[1]),
        grid=sample_grid(surface, params.resolution),
        plane_grid=np.stack([uu, vv, zz], axis=-1),
    )
