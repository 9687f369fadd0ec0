"""Gradient-descent optimizers (gd, momentum, nesterov, adam, rmsprop) run on a Surface, with a verdict per run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from calcanim.errors import ParamError
from calcanim.numerics.schedules import Schedule
from calcanim.numerics.surfaces import Surface
from calcanim.suggest import did_you_mean

GRADIENT_TOLERANCE = 1e-3  # converged when |grad f| at the last point is below this
STEP_TOLERANCE = 1e-6  # ... or when the last step is shorter than this times the domain's diagonal and the longest step
DIVERGENCE_MARGIN = 0.5  # diverged when an iterate leaves the domain widened by this times its width per side
GROWTH_WINDOW = 6  # diverged when the last this-many steps each grew ...
GROWTH_FACTOR = 1.5  # ... by this much in all, with the loss above the start's: geometric growth, any domain

STATUS_RULES: dict[str, str] = {
    "diverged": (
        "an iterate or its loss or gradient became non-finite, or it left the domain widened by "
        f"{DIVERGENCE_MARGIN:.0%} of its width on each side, or (on domains too large to leave) its loss ended above "
        f"the start's while each of its last {GROWTH_WINDOW - 1} steps grew, {GROWTH_FACTOR:g}x in all; "
        "the run stops at the last valid point"
    ),
    "converged": (
        f"after all steps the gradient norm is below {GRADIENT_TOLERANCE:g}, or the last step moved "
        f"less than {STEP_TOLERANCE:g} times the domain's diagonal and than {STEP_TOLERANCE:g} times the run's longest "
        "step (so a huge domain does not settle a run early); and the loss is not above the start's "
        "and the last step is not longer than the first"
    ),
    "running": "finite and inside the domain after all steps, but not settled yet: more steps may converge",
}

#: Each update rule as calcanim runs it (g = the gradient at the current iterate, eta_k the scheduled rate).
CONVENTIONS: dict[str, str] = {
    "gd": "x <- x - eta_k g (PyTorch SGD, momentum = 0)",
    "momentum": (
        "PyTorch SGD with momentum (dampening 0, nesterov False): v <- beta v + g with v_0 = 0, x <- x - eta_k v"
    ),
    "nesterov": (
        "look-ahead form (Sutskever et al. 2013): v <- beta v + grad f(x - eta_k beta v), x <- x - eta_k v, v_0 = 0; "
        "its iterates x_t are PyTorch's nesterov=True iterates theta_t shifted back: "
        "theta_t = x_t + beta (x_t - x_{t-1}), so a declared divergence step can differ by one"
    ),
    "adam": (
        "Adam as in Kingma & Ba (2015) Algorithm 1 and PyTorch (amsgrad off, no weight decay): "
        "m <- beta1 m + (1 - beta1) g, v <- beta2 v + (1 - beta2) g^2, m_hat = m / (1 - beta1^t), "
        "v_hat = v / (1 - beta2^t), x <- x - eta_k m_hat / (sqrt(v_hat) + eps), m_0 = v_0 = 0, t = 1, 2, ..."
    ),
    "rmsprop": (
        "PyTorch RMSprop (centered False, momentum 0): v <- alpha v + (1 - alpha) g^2 with v_0 = 0, "
        "x <- x - eta_k g / (sqrt(v) + eps)"
    ),
}

GradientFunction = Callable[[np.ndarray], np.ndarray]
OptimizerState = dict[str, Any]  # what an optimizer carries between steps (velocity, moments, step count)


def gd(
    position: np.ndarray, gradient_at: GradientFunction, state: OptimizerState, settings: OptimizerSettings, lr: float
) -> np.ndarray:
    """Plain gradient descent: x <- x - lr * grad f(x)."""
    return position - lr * gradient_at(position)


def momentum(
    position: np.ndarray, gradient_at: GradientFunction, state: OptimizerState, settings: OptimizerSettings, lr: float
) -> np.ndarray:
    """Heavy ball, PyTorch's convention (v_0 = 0, no dampening): v <- beta*v + grad f(x); x <- x - lr*v."""
    velocity = settings.beta * state.get("velocity", np.zeros_like(position)) + gradient_at(position)
    state["velocity"] = velocity
    return position - lr * velocity


def nesterov(
    position: np.ndarray, gradient_at: GradientFunction, state: OptimizerState, settings: OptimizerSettings, lr: float
) -> np.ndarray:
    """Nesterov: the heavy ball with the gradient taken at the look-ahead x - lr*beta*v (v_0 = 0)."""
    velocity = state.get("velocity", np.zeros_like(position))
    look_ahead = position - lr * settings.beta * velocity
    velocity = settings.beta * velocity + gradient_at(look_ahead)
    state["velocity"] = velocity
    return position - lr * velocity


def adam(
    position: np.ndarray, gradient_at: GradientFunction, state: OptimizerState, settings: OptimizerSettings, lr: float
) -> np.ndarray:
    """Adam (Kingma & Ba): bias-corrected moment averages make each coordinate's step about lr long."""
    step = state["step"] = state.get("step", 0) + 1
    gradient = gradient_at(position)
    mean = state["mean"] = settings.beta1 * state.get("mean", 0.0) + (1 - settings.beta1) * gradient
    square = state["square"] = settings.beta2 * state.get("square", 0.0) + (1 - settings.beta2) * gradient**2
    mean_hat, square_hat = mean / (1 - settings.beta1**step), square / (1 - settings.beta2**step)
    state["mean_hat"], state["square_hat"] = mean_hat, square_hat
    return position - lr * mean_hat / (np.sqrt(square_hat) + settings.eps)


def rmsprop(
    position: np.ndarray, gradient_at: GradientFunction, state: OptimizerState, settings: OptimizerSettings, lr: float
) -> np.ndarray:
    """RMSProp, PyTorch's rule: v <- alpha*v + (1 - alpha)*g^2 (v_0 = 0); x <- x - lr*g/(sqrt(v) + eps)."""
    gradient = gradient_at(position)
    square = state["square"] = settings.alpha * state.get("square", 0.0) + (1 - settings.alpha) * gradient**2
    return position - lr * gradient / (np.sqrt(square) + settings.eps)


OPTIMIZERS: dict[str, Callable[..., np.ndarray]] = {
    "gd": gd, "momentum": momentum, "nesterov": nesterov, "adam": adam, "rmsprop": rmsprop,
}


@dataclass(frozen=True)
class OptimizerSettings:
    """Which optimizer to run and its hyperparameters (beta: momentum/nesterov; beta1, beta2: adam;
    alpha: rmsprop; eps: adam and rmsprop) and the learning-rate schedule."""

    name: str
    learning_rate: float
    beta: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    alpha: float = 0.99
    schedule: Schedule = Schedule()

    def __post_init__(self) -> None:
        """Reject unknown optimizers and out-of-range hyperparameters with a message saying what is valid."""
        if self.name not in OPTIMIZERS:
            hint = did_you_mean(str(self.name), OPTIMIZERS, " Did you mean {!r}?")
            raise ParamError(f"unknown optimizer {self.name!r}.{hint} Valid optimizers: {', '.join(OPTIMIZERS)}.")
        if not (np.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise ParamError(f"learning_rate must be a finite number > 0, got {self.learning_rate}")
        for label in ("beta", "beta1", "beta2", "alpha"):
            if not 0 <= getattr(self, label) < 1:
                raise ParamError(f"{label} must be in [0, 1), got {getattr(self, label)}")
        if not (np.isfinite(self.eps) and self.eps > 0):
            raise ParamError(f"eps must be a finite number > 0, got {self.eps}")

    @property
    def convention(self) -> str:
        """The update rule as calcanim runs it, with the schedule."""
        return f"{CONVENTIONS[self.name]}; schedule {self.schedule.kind}: {self.schedule.rule}"

    def rate_at(self, k: int) -> float:
        """The learning rate of update k (k = 0 is the first)."""
        return self.schedule.rate(self.learning_rate, k)


@dataclass(frozen=True, eq=False)
class Run:
    """One optimizer's trajectory: only valid (finite, in-domain) points, plus its status.

    Points have one column per variable: 2 on a surface (x, y), 1 on a curve (x).
    """

    optimizer: str
    learning_rate: float
    status: str  # a key of STATUS_RULES
    points: np.ndarray  # (k+1, d) iterates, the start first
    losses: np.ndarray  # (k+1,) loss at each iterate
    gradients: np.ndarray  # (k+1, d) gradient at each iterate
    stopped_at: int | None  # for a diverged run, the step whose iterate was invalid; else None
    reason: str  # one line: why the run got its status
    escaped_to: tuple[float, ...] | None = None  # for a diverged run, the rejected iterate if it is finite
    rates: np.ndarray | None = None  # (k,) the scheduled learning rate of each step taken
    convention: str = ""

    @property
    def updates(self) -> np.ndarray:
        """(k, d) step vectors x_{i+1} - x_i, for drawing an arrow per step."""
        return np.diff(self.points, axis=0)

    def to_json(self) -> dict[str, Any]:
        """Plain-Python summary (floats, ints, strings; never NaN or inf) for printing or saving."""
        names = ("x", "y")[: self.points.shape[1]]
        trajectory = []
        for i, (point, loss) in enumerate(zip(self.points, self.losses)):
            entry: dict[str, Any] = {"step": i}
            entry.update({name: float(value) for name, value in zip(names, point)})
            entry["loss"] = float(loss)
            if self.rates is not None and i < len(self.rates):
                entry["learning_rate"] = float(self.rates[i])  # the rate of the step from this point
            trajectory.append(entry)
        return {
            "optimizer": self.optimizer,
            "learning_rate": float(self.learning_rate),
            "status": self.status,
            "stopped_at": self.stopped_at,
            "reason": self.reason,
            "convention": self.convention,
            "trajectory": trajectory,
        }


@dataclass(frozen=True)
class Objective:
    """What an optimizer needs from a loss: its value, its gradient, its domain (any number of variables)."""

    loss: Callable[[np.ndarray], float]
    gradient: Callable[[np.ndarray], np.ndarray]
    contains: Callable[[np.ndarray, float], bool]  # (point, margin): inside the domain widened by margin per side
    diagonal: float  # the domain's diagonal (the scale of "a short step")


def surface_objective(surface: Surface) -> Objective:
    """A Surface as an Objective over points (x, y)."""

    def loss(point: np.ndarray) -> float:
        return float(surface.loss(point[0], point[1]))

    def gradient(point: np.ndarray) -> np.ndarray:
        return np.array(surface.gradient(point[0], point[1]), dtype=float)

    def contains(point: np.ndarray, margin: float) -> bool:
        return surface.contains(point[0], point[1], margin=margin)

    diagonal = float(np.hypot(np.ptp(surface.x_range), np.ptp(surface.y_range)))
    return Objective(loss, gradient, contains, diagonal)


def _point_text(point: np.ndarray) -> str:
    return "(" + ", ".join(f"{value:.3g}" for value in point) + ")" if len(point) > 1 else f"x = {point[0]:.3g}"


def _invalid_because(objective: Objective, point: np.ndarray, loss: float, gradient: np.ndarray, margin: float) -> str:
    """Why an iterate ends a run ('' if it is valid): non-finite values or far outside the domain."""
    if not np.all(np.isfinite(point)):
        return "the iterate is not finite"
    if not objective.contains(point, margin):
        return f"{_point_text(point)} left the domain widened by {margin:.0%} per side"
    if not np.isfinite(loss):
        return f"the loss at {_point_text(point)} is not finite"
    if not np.all(np.isfinite(gradient)):
        return f"the gradient at {_point_text(point)} is not finite"
    return ""


def _grows_geometrically(points: list[np.ndarray], losses: list[float]) -> bool:
    """The loss ended above the start's while each of the last GROWTH_WINDOW - 1 steps was longer than the one
    before, GROWTH_FACTOR times in all: a run that would leave any domain given steps enough."""
    if len(points) < GROWTH_WINDOW + 1 or not losses[-1] > losses[0]:
        return False
    lengths = [float(np.linalg.norm(b - a)) for a, b in zip(points[-GROWTH_WINDOW - 1 : -1], points[-GROWTH_WINDOW:])]
    growing = all(later > earlier for earlier, later in zip(lengths, lengths[1:]))
    return growing and lengths[-1] >= GROWTH_FACTOR * lengths[0] > 0


def run_objective(
    objective: Objective,
    settings: OptimizerSettings,
    start: np.ndarray,
    steps: int,
    *,
    domain_margin: float = DIVERGENCE_MARGIN,
) -> Run:
    """Run ``steps`` optimizer steps on any Objective from ``start``, stopping early if it diverges."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ParamError(f"steps must be a whole number >= 0, got {steps!r}")
    start_point = np.array(start, dtype=float)

    def loss_at(point: np.ndarray) -> float:
        return objective.loss(point) if np.all(np.isfinite(point)) else float("nan")

    def gradient_at(point: np.ndarray) -> np.ndarray:
        """The optimizer's gradient oracle; the current iterate's gradient is reused, not recomputed."""
        return gradients[-1] if point is points[-1] else objective.gradient(point)

    points, losses, gradients = [start_point], [loss_at(start_point)], [objective.gradient(start_point)]
    problem = _invalid_because(objective, start_point, losses[0], gradients[0], 0.0)
    if problem:
        raise ParamError(f"cannot start at {tuple(start_point.tolist())}: {problem}")
    optimizer_step, state = OPTIMIZERS[settings.name], OptimizerState()
    stopped_at, reason, escaped_to, rates = None, "", None, []
    for step in range(1, steps + 1):
        rate = settings.rate_at(step - 1)
        with np.errstate(all="ignore"):
            point = np.asarray(optimizer_step(points[-1], gradient_at, state, settings, rate), dtype=float)
        finite = bool(np.all(np.isfinite(point)))
        loss = loss_at(point)
        with np.errstate(all="ignore"):
            gradient = objective.gradient(point) if finite else np.full(len(point), np.nan)
        problem = _invalid_because(objective, point, loss, gradient, domain_margin)
        if problem:
            stopped_at, reason = step, f"step {step}: {problem}"
            if finite:
                escaped_to = tuple(float(v) for v in point)
            break
        points.append(point)
        losses.append(loss)
        gradients.append(gradient)
        rates.append(rate)

    gradient_norm = float(np.linalg.norm(gradients[-1]))
    step_lengths = np.linalg.norm(np.diff(np.array(points), axis=0), axis=1) if len(points) > 1 else np.zeros(0)
    last_step = float(step_lengths[-1]) if len(step_lengths) else float("inf")
    settled = len(step_lengths) == 0 or (losses[-1] <= losses[0] and step_lengths[-1] <= step_lengths[0])
    if stopped_at is not None:
        status = "diverged"
    elif _grows_geometrically(points, losses):
        status = "diverged"
        growth = step_lengths[-1] / step_lengths[-GROWTH_WINDOW]
        reason = (
            f"the loss rose from {losses[0]:.3g} to {losses[-1]:.3g} and the last {GROWTH_WINDOW - 1} steps grew "
            f"{growth:.3g}x: diverging, though still inside the domain after {steps} steps"
        )
    elif settled and gradient_norm < GRADIENT_TOLERANCE:
        status, reason = "converged", f"gradient norm {gradient_norm:.2e} < {GRADIENT_TOLERANCE:g}"
    elif settled and last_step < STEP_TOLERANCE * min(objective.diagonal, float(step_lengths.max())):
        status, reason = "converged", (
            f"last step {last_step:.2e} < {STEP_TOLERANCE:g} x the domain diagonal and x the longest step"
        )
    else:
        status, reason = "running", f"gradient norm {gradient_norm:.2e} after {steps} steps"
    arrays = [np.array(values, dtype=float) for values in (points, losses, gradients, rates)]
    for array in arrays:
        array.setflags(write=False)
    points_array, losses_array, gradients_array, rates_array = arrays
    return Run(
        settings.name, float(settings.learning_rate), status, points_array, losses_array, gradients_array,
        stopped_at, reason, escaped_to, rates_array, settings.convention,
    )


def run_descent(
    surface: Surface,
    settings: OptimizerSettings,
    start: tuple[float, float] | None = None,
    steps: int = 100,
    *,
    domain_margin: float = DIVERGENCE_MARGIN,
) -> Run:
    """Run ``steps`` optimizer steps from ``start`` (default: the surface's), stopping early if it diverges.

    >>> from calcanim.numerics.surfaces import preset
    >>> run = run_descent(preset("bowl"), OptimizerSettings("gd", 0.25), (1.0, 2.0), 3)
    >>> run.points[:, 0].tolist(), run.status
    ([1.0, 0.5, 0.25, 0.125], 'running')
    """
    start_point = np.array(surface.start if start is None else start, dtype=float)
    if start_point.shape != (2,) or not surface.contains(*start_point):
        raise ParamError(f"start must be a point (x, y) inside x in {surface.x_range}, y in {surface.y_range}")
    return run_objective(surface_objective(surface), settings, start_point, steps, domain_margin=domain_margin)
