"""The numbers the tangent-plane clip shows: g at the point, its gradient, the plane, the timeline."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import sympy

from calcanim.errors import ParamError
from calcanim.expr import parse_expression
from calcanim.numerics.linearity import derivative_at
from calcanim.numerics.projection import Box, CameraPose, camera_eye, hidden_under_height_field
from calcanim.numerics.surfaces import Surface, as_point, sample_grid, surface_from_sympy
from calcanim.params.tangent_plane import TangentPlaneParams

#: Seconds of the surface alone, of the point appearing, and of the plane growing out of it
#: (shortened in proportion when the clip is too short to also leave REST_SHARE for the camera turn).
SURFACE_SECONDS = 1.5
POINT_SECONDS = 1.0
GROW_SECONDS = 2.0
REST_SHARE = 0.25
#: Plane samples per side: faces about the size of the surface's, so the two depth-sort together.
PLANE_SAMPLES = 25
#: Points each axis line is cut into to tell its parts in front of the surface from those behind it.
AXIS_PIECES = 32
#: Significant digits of the readouts.
DIGITS = 3


def exact_point(value: float) -> sympy.Rational:
    """A float as the decimal a user typed (its shortest repr)."""
    return sympy.Rational(repr(float(value)))


def value_text(exact: sympy.Expr) -> tuple[str, str]:
    r"""(relation, number) for a readout: "=" and the exact decimal when it is short, else "\approx" and
    the value correctly rounded to DIGITS significant digits (powers of ten as TeX, never 1e-05).

    >>> value_text(sympy.Integer(7)), value_text(sympy.sin(sympy.Rational(3, 10))), value_text(sympy.Rational(1, 3))
    (('=', '7'), ('\\approx', '0.296'), ('\\approx', '0.333'))
    >>> value_text(sympy.Rational(-5, 2)), value_text(sympy.Float("2.9e-7") * sympy.pi)
    (('=', '-2.5'), ('\\approx', '9.11 \\cdot 10^{-7}'))
    """
    exact = sympy.nsimplify(exact) if isinstance(exact, sympy.Float) and exact == int(exact) else exact
    if exact.is_Rational:
        q = int(exact.q)
        while q % 2 == 0:
            q //= 2
        while q % 5 == 0:
            q //= 5
        if q == 1:
            text = format(Decimal(int(exact.p)) / Decimal(int(exact.q)), "f")
            if len(text.replace("-", "").replace(".", "").strip("0")) <= 6:
                return "=", text
    value = Decimal(str(sympy.N(exact, 30)))
    if value == 0:
        return "=", "0"
    mantissa, exponent = f"{value:.{DIGITS - 1}e}".split("e")
    e = int(exponent)
    if -3 <= e <= 4:
        return r"\approx", f"{value:.{max(0, DIGITS - 1 - e)}f}"
    return r"\approx", rf"{mantissa} \cdot 10^{{{e}}}"


def _plain(text: str) -> str:
    return text.replace(r" \cdot ", "·").replace("{", "").replace("}", "")


@dataclass(frozen=True, eq=False)
class TangentPlanePlan:
    params: TangentPlaneParams
    surface: Surface
    tex: str  # g(w0, w1) in LaTeX
    value: float  # g(p)
    gradient: tuple[float, float]  # (dg/dw0, dg/dw1) at p
    exact_value: sympy.Expr  # g(p), exactly
    exact_gradient: tuple[sympy.Expr, sympy.Expr]
    grid: tuple[np.ndarray, np.ndarray, np.ndarray]
    plane_grid: np.ndarray  # (n, n, 3) the full plane patch (w0, w1, z)

    @property
    def duration(self) -> float:
        return self.params.duration

    @property
    def beats(self) -> tuple[float, float, float, float]:
        """Seconds of: the surface alone, the point, the plane growing, the camera turning on.

        At least REST_SHARE of the clip is left for the last beat; the first three shrink in
        proportion when the clip is too short for them (never a negative run time).

        >>> TangentPlanePlan.beats_for(8.0), TangentPlanePlan.beats_for(4.0)
        ((1.5, 1.0, 2.0, 3.5), (1.0, 0.6666666666666666, 1.3333333333333333, 1.0))
        """
        return self.beats_for(self.duration)

    @staticmethod
    def beats_for(duration: float) -> tuple[float, float, float, float]:
        intro = SURFACE_SECONDS + POINT_SECONDS + GROW_SECONDS
        scale = min(1.0, duration * (1 - REST_SHARE) / intro)
        first = (SURFACE_SECONDS * scale, POINT_SECONDS * scale, GROW_SECONDS * scale)
        return (*first, duration - sum(first))

    @property
    def poster_time(self) -> float:
        """The plane fully grown, readouts on screen."""
        surface, point, grow, rest = self.beats
        return min(self.duration - 0.2, surface + point + grow + min(1.0, rest / 2))

    @property
    def gradient_arrow(self) -> np.ndarray | None:
        """(2, 3) ends of the gradient drawn from the point on the tangent plane, in w units.

        The arrow points along the gradient with length |grad g| (capped at plane_size) and
        climbs the plane as it goes (z rises by |grad g| per unit of length). None where grad g = 0.
        """
        g0, g1 = self.gradient
        norm = math.hypot(g0, g1)
        if norm == 0.0:
            return None
        length = min(norm, self.params.plane_size)
        d0, d1 = g0 / norm * length, g1 / norm * length
        start = self.point3
        return np.array([start, start + np.array([d0, d1, g0 * d0 + g1 * d1])])

    @property
    def point3(self) -> np.ndarray:
        return np.array([*self.params.point, self.value])

    def plane_at(self, grown: float) -> np.ndarray:
        """The plane patch shrunk towards the point by ``grown`` in [0, 1] (1 = full size)."""
        return self.point3 + max(0.0, min(1.0, grown)) * (self.plane_grid - self.point3)

    def axis_segments(self, theta: float) -> list[tuple[np.ndarray, np.ndarray]]:
        """The w0, w1 and g axes as (start, end) points on the box's floor and edge, for a camera at ``theta``
        degrees: w0 along the front edge, g up the front-left corner, and w1 up the side edge the camera sees
        (x = w0_min while the camera is on the w0 < 0 side, cos theta < 0; else x = w0_max). On the far side,
        the surface hangs between the camera and that edge and its label floats on the surface.

        >>> pl = plan(TangentPlaneParams())
        >>> [tuple(bool(v > 0) for v in end - start) for start, end in pl.axis_segments(-125.0)]  # w0, w1, g
        [(True, False, False), (False, True, False), (False, False, True)]
        >>> float(pl.axis_segments(-125.0)[1][0][0])  # camera on the w0 < 0 side: the left edge
        -3.0
        >>> float(pl.axis_segments(-75.0)[1][0][0])  # camera past the front, on the w0 > 0 side: the right edge
        3.0
        """
        (x0, x1), (y0, y1), (z0, z1) = self.surface.x_range, self.surface.y_range, self.surface.z_range
        side = x0 if math.cos(math.radians(theta)) < 0 else x1
        return [
            (np.array([x0, y0, z0]), np.array([x1, y0, z0])),
            (np.array([side, y0, z0]), np.array([side, y1, z0])),
            (np.array([x0, y0, z0]), np.array([x0, y0, z1])),
        ]

    @property
    def box(self) -> Box:
        """The box the surface is drawn in (as the renderer scales it)."""
        return Box(self.surface.x_range, self.surface.y_range, self.surface.z_range)

    def surface_height_in_box(self, bx: np.ndarray, by: np.ndarray) -> np.ndarray:
        """The drawn surface's height over box floor coordinates (bx, by), in box units (clamped to the box)."""
        box = self.box
        hx, hy, _ = box.half_extents
        (x0, x1), (y0, y1) = self.surface.x_range, self.surface.y_range
        x = x0 + (np.asarray(bx) / hx + 1) / 2 * (x1 - x0)
        y = y0 + (np.asarray(by) / hy + 1) / 2 * (y1 - y0)
        z = np.broadcast_to(np.asarray(self.surface.loss(x, y), dtype=float), np.shape(x))
        return np.asarray(box.to_box(x, y, z)[..., 2])

    def axis_pieces(self, theta: float) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each axis of axis_segments(theta) as AXIS_PIECES + 1 points (domain coordinates) and, per point,
        whether the surface hides it from the camera at ``theta``: the part drawn dashed, so the axis is never
        lost (with the camera facing the front both side edges lie under the surface's sheet).

        >>> pl = plan(TangentPlaneParams())
        >>> [int(hidden.sum()) for _, hidden in pl.axis_pieces(-125.0)]  # w0, w1, g: the w1 edge seen from outside
        [0, 0, 0]
        """
        box = self.box
        eye = camera_eye(box, CameraPose(self.params.camera_phi, theta))
        pieces = []
        for start, end in self.axis_segments(theta):
            points = np.linspace(start, end, AXIS_PIECES + 1)
            hidden = hidden_under_height_field(box.to_box(points[:, 0], points[:, 1], points[:, 2]), eye,
                                               self.surface_height_in_box, box.half_extents)
            pieces.append((points, hidden))
        return pieces

    def camera_theta_at(self, seconds: float) -> float:
        return self.params.camera_theta + self.params.camera_turn * min(max(seconds / self.duration, 0.0), 1.0)

    def _texts(self) -> dict[str, tuple[str, str]]:
        return {
            "value": value_text(self.exact_value),
            "g0": value_text(self.exact_gradient[0]),
            "g1": value_text(self.exact_gradient[1]),
            "p0": value_text(exact_point(self.params.point[0])),
            "p1": value_text(exact_point(self.params.point[1])),
        }

    @property
    def approximate(self) -> bool:
        """Whether any readout is rounded (then the plane's equation is too, and says so)."""
        return any(relation != "=" for relation, _ in self._texts().values())

    @property
    def plane_tex(self) -> str:
        """z = g(p) + dg/dw0 (w0 - p0) + dg/dw1 (w1 - p1), with the numbers as shown (\\approx when rounded)."""
        t = self._texts()

        def shifted(symbol: str, key: str) -> str:
            text = t[key][1]
            if text == "0":
                return symbol
            return rf"({symbol} - {text})" if not text.startswith("-") else rf"({symbol} + {text[1:]})"

        def term(key: str, symbol: str, point_key: str) -> str:
            text = t[key][1]
            if text == "0":
                return ""
            sign = "-" if text.startswith("-") else "+"
            return rf" {sign} {text.lstrip('-')}\,{shifted(symbol, point_key)}"

        relation = r"\approx" if self.approximate else "="
        return rf"z {relation} {t['value'][1]}" + term("g0", "w_0", "p0") + term("g1", "w_1", "p1")

    @property
    def readouts_tex(self) -> list[str]:
        t = self._texts()
        gradient_relation = "=" if t["g0"][0] == t["g1"][0] == "=" else r"\approx"
        return [
            rf"g(w_0, w_1) = {self.tex}",
            rf"p = ({t['p0'][1]},\ {t['p1'][1]})",
            rf"g(p) {t['value'][0]} {t['value'][1]}",
            rf"\nabla g(p) {gradient_relation} ({t['g0'][1]},\ {t['g1'][1]})",
        ]

    @property
    def captions(self) -> list[tuple[str, float]]:
        t = self._texts()
        surface, point, grow, rest = self.beats
        word = {"=": "=", r"\approx": "≈"}
        grad_word = "=" if t["g0"][0] == t["g1"][0] == "=" else "≈"
        return [
            (f"The surface g(w0, w1) = {self.params.function}.", surface),
            (f"At p = ({_plain(t['p0'][1])}, {_plain(t['p1'][1])}), g(p) {word[t['value'][0]]} {_plain(t['value'][1])}.", point),
            (
                f"The gradient there is {grad_word} ({_plain(t['g0'][1])}, {_plain(t['g1'][1])}): it tilts the tangent plane "
                "g(p) + gradient · (w - p).",
                grow,
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


def _exact_value_and_gradient(
    expr: sympy.Expr, symbols: tuple[sympy.Symbol, sympy.Symbol], params: TangentPlaneParams
) -> tuple[sympy.Expr, tuple[sympy.Expr, sympy.Expr]]:
    """g(p) and grad g(p) exactly; a ParamError naming the point where g has no tangent plane there.

    A tangent plane needs g differentiable at p: both partial derivatives, and the derivative along
    the diagonals, must exist (checked one-sidedly, so abs, relu, max and min corners are caught)
    and the diagonal ones must agree with the gradient.
    """
    w0, w1 = symbols
    a0, a1 = (exact_point(v) for v in params.point)
    t = sympy.Symbol("t", real=True)
    restrictions = {
        "w0": expr.xreplace({w0: a0 + t, w1: a1}),
        "w1": expr.xreplace({w0: a0, w1: a1 + t}),
        "diagonal": expr.xreplace({w0: a0 + t, w1: a1 + t}),
        "antidiagonal": expr.xreplace({w0: a0 + t, w1: a1 - t}),
    }
    found = {name: derivative_at(line, 0.0) for name, line in restrictions.items()}
    where = f"[{', '.join(repr(float(v)) for v in params.point)}]"
    slopes = {name: slope for name, slope in found.items() if slope is not None}
    if len(slopes) < len(found):
        missing = [name for name in found if name not in slopes]
        raise ParamError(
            f"invalid value for 'point' in tangent-plane: g has no tangent plane at {where}, it has a kink or "
            f"corner there (no derivative along {' or '.join(missing)}); choose a point where g is smooth",
            field="point",
        )
    g0, g1 = slopes["w0"], slopes["w1"]
    for name, expected in (("diagonal", g0 + g1), ("antidiagonal", g0 - g1)):
        if abs(slopes[name] - expected) > 1e-9 * max(1.0, abs(expected)):
            raise ParamError(
                f"invalid value for 'point' in tangent-plane: g has no tangent plane at {where} (its slopes along "
                f"the axes do not predict the slope along the {name}); choose a point where g is smooth",
                field="point",
            )
    value = expr.xreplace({w0: a0, w1: a1})
    exact = []
    for symbol, slope in ((w0, g0), (w1, g1)):
        candidate = sympy.diff(expr, symbol).xreplace({w0: a0, w1: a1})
        try:
            ok = abs(complex(sympy.N(candidate, 30)) - slope) <= 1e-9 * max(1.0, abs(slope))
        except (TypeError, ValueError):
            ok = False
        exact.append(candidate if ok else sympy.Float(slope, 17))
    return value, (exact[0], exact[1])


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
    exact_value, exact_gradient = _exact_value_and_gradient(expression.sympy_expr, (w0, w1), params)
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
        exact_value=exact_value,
        exact_gradient=exact_gradient,
        grid=sample_grid(surface, params.resolution),
        plane_grid=np.stack([uu, vv, zz], axis=-1),
    )
