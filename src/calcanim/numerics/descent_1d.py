"""Gradient descent on a curve y = f(x): the same optimizers and status rules as on a surface, one variable."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from calcanim.errors import ParamError
from calcanim.numerics.descent import DIVERGENCE_MARGIN, Objective, OptimizerSettings, Run, run_objective

CurveFunction = Callable[[Any], Any]  # numpy-callable f(x): a float for a float, an array for an array

#: A derived domain pads the span from the start to its mirror point by this share of it on each side.
DOMAIN_PADDING = 0.15
#: The derived domain looks for the minimum downhill from the start within this many times max(1, |start|).
SEARCH_REACH = 6.0
SEARCH_SAMPLES = 4001
#: A downhill minimum this close to the start (relative to max(1, |start|)) is the start: it sits at its minimum.
AT_MINIMUM = 1e-12


def curve_objective(function: CurveFunction, derivative: CurveFunction, x_range: tuple[float, float]) -> Objective:
    """f and f' (numpy-callable, nan where undefined) on [lo, hi] as an Objective over points (x,)."""
    lo, hi = x_range

    def loss(point: np.ndarray) -> float:
        return float(function(float(point[0])))

    def gradient(point: np.ndarray) -> np.ndarray:
        return np.array([float(derivative(float(point[0])))])

    def contains(point: np.ndarray, margin: float) -> bool:
        pad = margin * (hi - lo)
        return bool(lo - pad <= point[0] <= hi + pad)

    return Objective(loss, gradient, contains, float(hi - lo))


def run_descent_1d(
    function: CurveFunction,
    derivative: CurveFunction,
    x_range: tuple[float, float],
    settings: OptimizerSettings,
    start: float,
    steps: int,
) -> Run:
    """``steps`` optimizer steps on f from ``start``; diverged when x leaves x_range widened by 50% per side.

    >>> run = run_descent_1d(lambda x: x * x, lambda x: 2 * x, (-2.0, 2.0), OptimizerSettings("gd", 0.25), 1.0, 3)
    >>> run.points[:, 0].tolist(), run.status
    ([1.0, 0.5, 0.25, 0.125], 'running')
    """
    lo, hi = x_range
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ParamError(f"x_range must be [lo, hi] with finite lo < hi, got [{lo}, {hi}]")
    if not lo <= start <= hi:
        raise ParamError(f"start {start} is outside x_range [{lo}, {hi}]")
    objective = curve_objective(function, derivative, x_range)
    return run_objective(objective, settings, np.array([float(start)]), steps, domain_margin=DIVERGENCE_MARGIN)


def downhill_minimum(function: CurveFunction, start: float) -> float | None:
    """The first local minimum reached walking downhill from ``start`` on a fine grid; None if f keeps falling
    (or is flat) all the way to the search's edge.

    >>> downhill_minimum(lambda x: (x - 3) ** 2, -1.0)
    3.0
    """
    reach = SEARCH_REACH * max(1.0, abs(start))
    xs = np.linspace(start - reach, start + reach, SEARCH_SAMPLES)
    with np.errstate(all="ignore"):
        ys = np.asarray(function(xs), dtype=float) * np.ones_like(xs)
    i = SEARCH_SAMPLES // 2  # the start
    if not np.isfinite(ys[i]):
        return None
    left = ys[i - 1] if np.isfinite(ys[i - 1]) else np.inf
    right = ys[i + 1] if np.isfinite(ys[i + 1]) else np.inf
    if min(left, right) > ys[i]:  # the minimum is within a grid step of the start: find it between the neighbours
        return golden_section_minimum(function, float(xs[i - 1]), float(xs[i + 1]))
    if min(left, right) >= ys[i]:  # flat beside the start: it sits on a level stretch
        return float(start)
    direction = 1 if right < left else -1
    while 0 < i + direction < SEARCH_SAMPLES - 1:
        following = ys[i + direction]
        if not np.isfinite(following):
            return None  # f stops being defined before it turns up: no minimum here
        if not following < ys[i]:
            return golden_section_minimum(function, float(xs[i - 1]), float(xs[i + 1]))
        i += direction
    return None


def is_corner(function: CurveFunction, x: float) -> bool:
    """Whether f has a corner minimum at x (abs, relu-like): the rise over 1e-6 is not ~1000x smaller than over
    1e-3, as it is at a smooth minimum (rise ~ f'' h^2 / 2).

    >>> is_corner(abs, 0.0), is_corner(lambda t: t * t, 0.0), is_corner(lambda t: 0 * t, 0.0)
    (True, False, False)
    """
    scale = max(1.0, abs(x))
    near, far = 1e-6 * scale, 1e-3 * scale
    with np.errstate(all="ignore"):
        base = float(function(x))
        rise_near = max(float(function(x - near)), float(function(x + near))) - base
        rise_far = max(float(function(x - far)), float(function(x + far))) - base
    if not (math.isfinite(rise_near) and math.isfinite(rise_far)) or rise_far <= 0:
        return False
    return rise_near / near > 0.5 * rise_far / far


def golden_section_minimum(function: CurveFunction, lo: float, hi: float, iterations: int = 80) -> float:
    """The minimiser of a unimodal f on [lo, hi] to about machine precision of the bracket."""
    ratio = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = float(function(c)), float(function(d))
    for _ in range(iterations):
        if not fc > fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = float(function(c))
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = float(function(d))
    return (a + b) / 2


def derived_x_range(function: CurveFunction, start: float) -> tuple[float, float]:
    """A domain that holds the start and its mirror point across the minimum downhill from it (where an iterate
    lands when eta is just under 2/f''), padded 15% per side; [start - 2, start + 2]-ish when there is no minimum.

    A start within a grid step of the minimum is measured from the minimum itself (0.001 on x^2 collapsed the
    domain to [0.001, 0.001]); one at the minimum (to 1e-12 of the scale) gets [start - 2, start + 2]; a corner
    minimum (abs) is given at least 1 each side, since its steps do not shrink near it.

    >>> derived_x_range(lambda x: x * x, 2.0), derived_x_range(lambda x: x * x, 0.001)
    ((-2.6, 2.6), (-0.0013, 0.0013))
    >>> derived_x_range(abs, 0.001)
    (-1.3, 1.3)
    """
    minimum = downhill_minimum(function, start)
    if minimum is None or abs(minimum - start) <= AT_MINIMUM * max(1.0, abs(start)):
        half = max(1.0, abs(start)) if minimum is None else 1.0
        return float(start - 2 * half), float(start + 2 * half)
    span = abs(start - minimum)
    if span < 1.0 and is_corner(function, minimum):  # no f'' to mirror with: steps of eta |f'| need room
        span = 1.0
    lo, hi = minimum - span, minimum + span
    pad = DOMAIN_PADDING * (hi - lo)
    unit = 10.0 ** (math.floor(math.log10(hi - lo + 2 * pad)) - 2)  # three significant digits of the width
    # rounded to 12 significant digits, not 12 places (which made [-1.3e-13, 1.3e-13] [0, 0])
    return float(f"{round((lo - pad) / unit) * unit:.12g}"), float(f"{round((hi + pad) / unit) * unit:.12g}")
