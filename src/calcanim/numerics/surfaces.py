"""Loss surfaces z = f(x, y) for gradient-descent clips: exact sympy derivatives, numpy evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from calcanim.errors import ExpressionError, ParamError
from calcanim.suggest import did_you_mean

SYMBOL_X = sp.Symbol("x", real=True)
SYMBOL_Y = sp.Symbol("y", real=True)

Point = tuple[float, float]
NumpyFunction = Callable[[Any, Any], Any]  # numpy arrays or numpy scalars in, the same shape out


def as_point(values: Sequence[float]) -> Point:
    """Two floats from a two-item params list (the params check that it has two).

    >>> as_point([1, -2.5])
    (1.0, -2.5)
    """
    first, second = values
    return (float(first), float(second))


@lru_cache(maxsize=256)
def _compiled(expr: sp.Expr) -> tuple[NumpyFunction, tuple[NumpyFunction, ...], tuple[NumpyFunction, ...]]:
    """Lambdify the loss, its gradient and its Hessian (xx, xy, yy) once per expression."""
    variables = (SYMBOL_X, SYMBOL_Y)
    first = [sp.diff(expr, v) for v in variables]
    second = [sp.diff(first[0], SYMBOL_X), sp.diff(first[0], SYMBOL_Y), sp.diff(first[1], SYMBOL_Y)]

    def compile_(e: Any) -> NumpyFunction:
        function: NumpyFunction = sp.lambdify(variables, e, modules="numpy")
        return function

    return compile_(expr), tuple(map(compile_, first)), tuple(map(compile_, second))


def _evaluate(function: NumpyFunction, x: Any, y: Any) -> float | np.ndarray:
    """Evaluate quietly and broadcast to the inputs' shape (constants included); float for scalars."""
    if np.ndim(x) == 0 and np.ndim(y) == 0:  # fast path for optimizer steps: numpy scalars, not 0-d arrays
        with np.errstate(all="ignore"):
            value = complex(function(np.float64(x), np.float64(y)))
        return value.real if value.imag == 0 else float("nan")
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(all="ignore"):
        values = np.asarray(function(xs, ys))
        if np.iscomplexobj(values):  # e.g. a real power of a negative number: undefined here
            values = np.where(values.imag == 0, values.real, np.nan)
        values = np.broadcast_to(values.astype(float), np.broadcast_shapes(xs.shape, ys.shape)).copy()
    return float(values) if values.ndim == 0 else values


def _canonical(expr: Any) -> sp.Expr:
    """Rename symbols called x and y to calcanim's real symbols; reject any other free symbol."""
    expr = sp.sympify(expr)
    extra = sorted(s.name for s in expr.free_symbols if s.name not in ("x", "y"))
    if extra:
        raise ExpressionError(f"a surface may only use the variables x and y, not {', '.join(extra)}")
    by_name = {"x": SYMBOL_X, "y": SYMBOL_Y}
    return expr.xreplace({s: by_name[s.name] for s in expr.free_symbols})


def _checked_range(label: str, bounds: tuple[float, float]) -> Point:
    """(lo, hi) as floats, or a ParamError unless both are finite and lo < hi."""
    lo, hi = float(bounds[0]), float(bounds[1])
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ParamError(f"{label} must be (lo, hi) with finite lo < hi, got ({lo}, {hi})")
    return lo, hi


@dataclass(frozen=True)
class Surface:
    """A loss z = f(x, y) with the domain, start point and z range a clip draws it with."""

    name: str
    sympy_expr: sp.Expr
    x_range: Point
    y_range: Point
    start: Point
    z_range: Point
    minima: tuple[Point, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        """Use canonical symbols and float tuples; reject empty or reversed ranges."""
        object.__setattr__(self, "sympy_expr", _canonical(self.sympy_expr))
        for label in ("x_range", "y_range", "z_range"):
            object.__setattr__(self, label, _checked_range(label, getattr(self, label)))
        object.__setattr__(self, "start", (float(self.start[0]), float(self.start[1])))
        object.__setattr__(self, "minima", tuple((float(mx), float(my)) for mx, my in self.minima))

    def loss(self, x: Any, y: Any) -> float | np.ndarray:
        """f(x, y); non-finite where the expression is undefined.

        >>> PRESETS["bowl"].loss(1.0, 2.0)
        5.0
        """
        return _evaluate(_compiled(self.sympy_expr)[0], x, y)

    def gradient(self, x: Any, y: Any) -> tuple[float | np.ndarray, float | np.ndarray]:
        """(df/dx, df/dy) from sympy's exact derivatives.

        >>> PRESETS["bowl"].gradient(1.0, 2.0)
        (2.0, 4.0)
        """
        fx, fy = _compiled(self.sympy_expr)[1]
        return _evaluate(fx, x, y), _evaluate(fy, x, y)

    def hessian_at(self, x: float, y: float) -> np.ndarray:
        """The 2x2 matrix of second derivatives at one point (curvature for step-size limits)."""
        fxx, fxy, fyy = (float(_evaluate(f, float(x), float(y))) for f in _compiled(self.sympy_expr)[2])
        return np.array([[fxx, fxy], [fxy, fyy]])

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        """Whether (x, y) lies in the domain widened by ``margin`` times its width on every side."""
        (x_lo, x_hi), (y_lo, y_hi) = self.x_range, self.y_range
        dx, dy = margin * (x_hi - x_lo), margin * (y_hi - y_lo)
        return bool(x_lo - dx <= x <= x_hi + dx and y_lo - dy <= y <= y_hi + dy)


def sampled_z_range(expr: sp.Expr, x_range: Point, y_range: Point, samples: int = 101) -> Point:
    """The 1st..99th percentile of finite f on a grid: a drawing range robust to spikes and poles."""
    xs, ys = np.meshgrid(np.linspace(*x_range, samples), np.linspace(*y_range, samples))
    values = np.asarray(_evaluate(_compiled(_canonical(expr))[0], xs, ys))
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise ExpressionError(f"{expr} is not finite anywhere on x in {x_range}, y in {y_range}")
    lo, hi = (float(v) for v in np.percentile(finite, [1.0, 99.0]))
    return (lo - 1.0, hi + 1.0) if hi - lo < 1e-9 * max(1.0, abs(hi)) else (lo, hi)


def surface_from_sympy(
    expr: Any,
    name: str = "custom",
    x_range: Point = (-3.0, 3.0),
    y_range: Point = (-3.0, 3.0),
    start: Point = (2.0, 2.0),
) -> Surface:
    """A Surface for a user's sympy expression in x and y, with a sampled z range and no known minima."""
    expr = _canonical(expr)
    x_range, y_range = _checked_range("x_range", x_range), _checked_range("y_range", y_range)
    z_range = sampled_z_range(expr, x_range, y_range)
    surface = Surface(name, expr, x_range, y_range, start, z_range, (), f"custom surface z = {expr}")
    if not surface.contains(*surface.start):
        raise ParamError(f"start {surface.start} is outside the domain x in {x_range}, y in {y_range}")
    return surface


def quadratic_curvatures(surface: Surface) -> tuple[float, float] | None:
    """Eigenvalues (ascending) of a quadratic's constant Hessian; None if the Hessian varies.

    >>> quadratic_curvatures(PRESETS["ravine"])
    (1.0, 10.0)
    """
    x, y = SYMBOL_X, SYMBOL_Y
    second = sp.hessian(surface.sympy_expr, (x, y))
    if any(entry.free_symbols for entry in second):
        return None
    low, high = np.linalg.eigvalsh(np.array(second.tolist(), dtype=float))
    return float(low), float(high)


def max_stable_learning_rate(surface: Surface) -> float | None:
    """2 / L for a quadratic with largest curvature L > 0: plain GD converges (on curved directions) below it.

    >>> max_stable_learning_rate(PRESETS["ravine"])
    0.2
    """
    curvatures = quadratic_curvatures(surface)
    if curvatures is None or curvatures[1] <= 0:
        return None
    return 2.0 / curvatures[1]


x, y = SYMBOL_X, SYMBOL_Y
HIMMELBLAU_MINIMA = ((3.0, 2.0), (-2.805118086952745, 3.131312518250573),
                     (-3.779310253377747, -3.283185991286170), (3.584428340330492, -1.848126526964404))
CAMEL_MINIMA = ((0.08984201310031806, -0.7126564030207396), (-0.08984201310031806, 0.7126564030207396))
PRESETS: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface("bowl", x**2 + y**2, (-3, 3), (-3, 3), (-2.5, 2.0), (0, 18), ((0.0, 0.0),),
                "isotropic bowl x^2 + y^2: curvature 2 everywhere, so L = 2 and GD is stable for lr < 1"),
        Surface("ravine", (x**2 + 10 * y**2) / 2, (-4, 4), (-2, 2), (-3.5, 1.5), (0, 28), ((0.0, 0.0),),
                "ill-conditioned bowl (x^2 + 10 y^2)/2: curvatures 1 and L = 10, stable for lr < 0.2"),
        Surface("rosenbrock", (1 - x) ** 2 + 100 * (y - x**2) ** 2, (-2, 2), (-1, 3), (-1.2, 1.0), (0, 2000),
                ((1.0, 1.0),), "Rosenbrock's banana (1-x)^2 + 100(y-x^2)^2: quick into the valley, slow along it"),
        Surface("himmelblau", (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2, (-5, 5), (-5, 5), (-0.5, -0.5),
                (0, 500), HIMMELBLAU_MINIMA, "Himmelblau's function: four equal minima; the start picks GD's"),
        Surface("saddle", x**2 - y**2, (-2, 2), (-2, 2), (1.8, 0.05), (-4, 4), (),
                "saddle x^2 - y^2: no minimum; GD slides in along x and escapes along y"),
        Surface("six-hump-camel", (4 - sp.Rational(21, 10) * x**2 + x**4 / 3) * x**2 + x * y + (4 * y**2 - 4) * y**2,
                (-2, 2), (-1, 1), (-1.5, -0.8), (-1.5, 6), CAMEL_MINIMA,
                "six-hump camel: six local minima, global at (+-0.0898, -+0.7127); the default start stalls in one"),
    )
}
del x, y


def preset(name: str) -> Surface:
    """The preset surface called ``name`` (case and _/- insensitive), or a ParamError naming the valid ones."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    if key in PRESETS:
        return PRESETS[key]
    hint = did_you_mean(key, PRESETS, " Did you mean {!r}?")
    raise ParamError(f"unknown surface {name!r}.{hint} Valid surfaces: {', '.join(PRESETS)}.")


def sample_grid(surface: Surface, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, z) arrays of shape (resolution + 1, resolution + 1) over the domain; z is nan where undefined.

    >>> xs, ys, zs = sample_grid(PRESETS["bowl"], 2)
    >>> zs.tolist()
    [[18.0, 9.0, 18.0], [9.0, 0.0, 9.0], [18.0, 9.0, 18.0]]
    """
    xs, ys = np.meshgrid(np.linspace(*surface.x_range, resolution + 1), np.linspace(*surface.y_range, resolution + 1))
    zs = np.asarray(surface.loss(xs, ys), dtype=float)
    return xs, ys, np.where(np.isfinite(zs), zs, np.nan)


def level_set_segments(xs: np.ndarray, ys: np.ndarray, values: np.ndarray, level: float) -> np.ndarray:
    """Marching squares: (k, 2, 2) line segments [(x, y), (x, y)] where a gridded function crosses ``level``.

    ``values[i, j]`` is the function at (xs[j], ys[i]); cells touching a nan are skipped.

    >>> g = np.linspace(-1, 1, 3)
    >>> X, Y = np.meshgrid(g, g)
    >>> segments = level_set_segments(g, g, np.abs(X) + np.abs(Y), 0.5)
    >>> len(segments), bool(np.allclose(np.abs(segments).sum(axis=-1), 0.5))
    (4, True)
    """
    v = np.asarray(values, dtype=float) - level
    v00, v01, v11, v10 = v[:-1, :-1], v[:-1, 1:], v[1:, 1:], v[1:, :-1]
    x0, x1 = np.broadcast_to(xs[:-1], v00.shape), np.broadcast_to(xs[1:], v00.shape)
    y0, y1 = np.broadcast_to(ys[:-1, None], v00.shape), np.broadcast_to(ys[1:, None], v00.shape)

    Corner = tuple[np.ndarray, np.ndarray]

    def crossing(a: np.ndarray, b: np.ndarray, pa: Corner, pb: Corner) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(all="ignore"):
            t = np.clip(a / (a - b), 0.0, 1.0)
            point = np.stack([pa[0] + t * (pb[0] - pa[0]), pa[1] + t * (pb[1] - pa[1])], axis=-1)
        return point, (a * b < 0) | ((a == 0) & (b != 0))

    # edges: bottom (v00-v01), right (v01-v11), top (v10-v11), left (v00-v10)
    edges = [
        crossing(v00, v01, (x0, y0), (x1, y0)),
        crossing(v01, v11, (x1, y0), (x1, y1)),
        crossing(v10, v11, (x0, y1), (x1, y1)),
        crossing(v00, v10, (x0, y0), (x0, y1)),
    ]
    points = np.stack([p for p, _ in edges], axis=-2)  # (n, m, 4, 2)
    hits = np.stack([h for _, h in edges], axis=-1)  # (n, m, 4)
    finite = np.isfinite(v00) & np.isfinite(v01) & np.isfinite(v11) & np.isfinite(v10)
    count = hits.sum(axis=-1) * finite
    segments = []
    two = count == 2
    if two.any():
        cell_points, cell_hits = points[two], hits[two]
        order = np.argsort(~cell_hits, axis=-1, kind="stable")[:, :2]
        segments.append(np.take_along_axis(cell_points, order[..., None], axis=1))
    four = count == 4
    if four.any():
        cell_points = points[four]
        centre = (v00[four] + v01[four] + v11[four] + v10[four]) / 4
        isolated_00 = np.sign(centre) != np.sign(v00[four])
        pairs_a = np.where(isolated_00[:, None], [0, 3], [0, 1])
        pairs_b = np.where(isolated_00[:, None], [1, 2], [3, 2])
        for pairs in (pairs_a, pairs_b):
            segments.append(np.take_along_axis(cell_points, pairs[..., None], axis=1))
    return np.concatenate(segments) if segments else np.zeros((0, 2, 2))
