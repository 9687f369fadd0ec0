"""Gradient-descent optimizers (gd, momentum, nesterov, adam) run on a Surface, with a verdict per run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from calcanim.errors import ParamError
from calcanim.numerics.surfaces import Surface
from calcanim.suggest import did_you_mean

GRADIENT_TOLERANCE = 1e-3  # converged when |grad f| at the last point is below this
STEP_TOLERANCE = 1e-6  # ... or when the last step is shorter than this times the domain's diagonal
DIVERGENCE_MARGIN = 0.5  # diverged when an iterate leaves the domain widened by this times its width per side

STATUS_RULES: dict[str, str] = {
    "diverged": (
        "an iterate or its loss or gradient became non-finite, or it left the domain widened by "
        f"{DIVERGENCE_MARGIN:.0%} of its width on each side; the run stops at the last valid point"
    ),
    "converged": (
        f"after all steps the gradient norm is below {GRADIENT_TOLERANCE:g}, or the last step moved "
        f"less than {STEP_TOLERANCE:g} times the domain's diagonal"
    ),
    "running": "finite and inside the domain after all steps, but not settled yet: more steps may converge",
}

GradientFunction = Callable[[np.ndarray], np.ndarray]
OptimizerState = dict[str, Any]  # what an optimizer carries between steps (velocity, moments, step count)


def gd(
    position: np.ndarray, gradient_at: GradientFunction, state: OptimizerState, settings: OptimizerSettings
) -> np.ndarray:
    """Plain gradient descent: x <- x - lr * grad f(x)."""
    return position - settings.learning_rate * gradient_at(position)


def momentum(
    position: np.ndarray, gradient_at: GradientFunction, state: OptimizerState, settings: OptimizerSettings
) -> np.ndarray:
    """Heavy ball, PyTorch's convention (v_0 = 0, no dampening): v <- beta*v + grad f(x); x <- x - lr*v."""
    velocity = settings.beta * state.get("velocity", np.zeros(2)) + gradient_at(position)
    state["velocity"] = velocity
    moved: np.ndarray = position - settings.learning_rate * velocity
    return moved


def nesterov(
    position: np.ndarray, gradient_at: GradientFunction, state: OptimizerState, settings: OptimizerSettings
) -> np.ndarray:
    """Nesterov: the heavy ball with the gradient taken at the look-ahead x - lr*beta*v (v_0 = 0)."""
    velocity = state.get("velocity", np.zeros(2))
    look_ahead = position - settings.learning_rate * settings.beta * velocity
    velocity = settings.beta * velocity + gradient_at(look_ahead)
    state["velocity"] = velocity
    moved: np.ndarray = position - settings.learning_rate * velocity
    return moved


def adam(
    position: np.ndarray, gradient_at: GradientFunction, state: OptimizerState, settings: OptimizerSettings
) -> np.ndarray:
    """Adam (Kingma & Ba): bias-corrected moment averages make each coordinate's step about lr long."""
    step = state["step"] = state.get("step", 0) + 1
    gradient = gradient_at(position)
    mean = state["mean"] = settings.beta1 * state.get("mean", 0.0) + (1 - settings.beta1) * gradient
    square = state["square"] = settings.beta2 * state.get("square", 0.0) + (1 - settings.beta2) * gradient**2
    mean_hat, square_hat = mean / (1 - settings.beta1**step), square / (1 - settings.beta2**step)
    moved: np.ndarray = position - settings.learning_rate * mean_hat / (np.sqrt(square_hat) + settings.eps)
    return moved


OPTIMIZERS: dict[str, Callable[..., np.ndarray]] = {"gd": gd, "momentum": momentum, "nesterov": nesterov, "adam": adam}


@dataclass(frozen=True)
class OptimizerSettings:
    """Which optimizer to run and its hyperparameters (beta: momentum/nesterov; beta1, beta2, eps: adam)."""

    name: str
    learning_rate: float
    beta: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self) -> None:
        """Reject unknown optimizers and out-of-range hyperparameters with a message saying what is valid."""
        if self.name not in OPTIMIZERS:
            hint = did_you_mean(str(self.name), OPTIMIZERS, " Did you mean {!r}?")
            raise ParamError(f"unknown optimizer {self.name!r}.{hint} Valid optimizers: {', '.join(OPTIMIZERS)}.")
        if not (np.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise ParamError(f"learning_rate must be a finite number > 0, got {self.learning_rate}")
        for label in ("beta", "beta1", "beta2"):
            if not 0 <= getattr(self, label) < 1:
                raise ParamError(f"{label} must be in [0, 1), got {getattr(self, label)}")
        if not (np.isfinite(self.eps) and self.eps > 0):
            raise ParamError(f"eps must be a finite number > 0, got {self.eps}")


@dataclass(frozen=True, eq=False)
class Run:
    """One optimizer's trajectory on a surface: only valid (finite, in-domain) points, plus its status."""

    optimizer: str
    learning_rate: float
    status: str  # a key of STATUS_RULES
    points: np.ndarray  # (k+1, 2) iterates, the start first
    losses: np.ndarray  # (k+1,) loss at each iterate
    gradients: np.ndarray  # (k+1, 2) gradient at each iterate
    stopped_at: int | None  # for a diverged run, the step whose iterate was invalid; else None
    reason: str  # one line: why the run got its status
    escaped_to: tuple[float, float] | None = None  # for a diverged run, the rejected iterate if it is finite

    @property
    def updates(self) -> np.ndarray:
        """(k, 2) step vectors x_{i+1} - x_i, for drawing an arrow per step."""
        return np.diff(self.points, axis=0)

    def to_json(self) -> dict[str, Any]:
        """Plain-Python summary (floats, ints, strings; never NaN or inf) for printing or saving."""
        trajectory = [
            {"step": i, "x": float(x), "y": float(y), "loss": float(loss)}
            for i, ((x, y), loss) in enumerate(zip(self.points, self.losses))
        ]
        return {
            "optimizer": self.optimizer,
            "learning_rate": float(self.learning_rate),
            "status": self.status,
            "stopped_at": self.stopped_at,
            "reason": self.reason,
            "trajectory": trajectory,
        }


def _invalid_because(surface: Surface, point: np.ndarray, loss: float, gradient: np.ndarray, margin: float) -> str:
    """Why an iterate ends a run ('' if it is valid): non-finite values or far outside the domain."""
    if not np.all(np.isfinite(point)):
        return "the iterate is not finite"
    if not surface.contains(point[0], point[1], margin=margin):
        return f"({point[0]:.3g}, {point[1]:.3g}) left the domain widened by {margin:.0%} per side"
    if not np.isfinite(loss):
        return f"the loss at ({point[0]:.3g}, {point[1]:.3g}) is not finite"
    if not np.all(np.isfinite(gradient)):
        return f"the gradient at ({point[0]:.3g}, {point[1]:.3g}) is not finite"
    return ""


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
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ParamError(f"steps must be a whole number >= 0, got {steps!r}")
    start_point = np.array(surface.start if start is None else start, dtype=float)
    if start_point.shape != (2,) or not surface.contains(*start_point):
        raise ParamError(f"start must be a point (x, y) inside x in {surface.x_range}, y in {surface.y_range}")

    def exact_gradient(point: np.ndarray) -> np.ndarray:
        return np.array(surface.gradient(point[0], point[1]), dtype=float)

    def gradient_at(point: np.ndarray) -> np.ndarray:
        """The optimizer's gradient oracle; the current iterate's gradient is reused, not recomputed."""
        return gradients[-1] if point is points[-1] else exact_gradient(point)

    def loss_at(point: np.ndarray) -> float:
        return float(surface.loss(point[0], point[1])) if np.all(np.isfinite(point)) else float("nan")

    points, losses, gradients = [start_point], [loss_at(start_point)], [exact_gradient(start_point)]
    problem = _invalid_because(surface, start_point, losses[0], gradients[0], 0.0)
    if problem:
        raise ParamError(f"cannot start at {tuple(start_point)}: {problem}")
    optimizer_step, state = OPTIMIZERS[settings.name], OptimizerState()
    stopped_at, reason, escaped_to = None, "", None
    for step in range(1, steps + 1):
        with np.errstate(all="ignore"):
            point = np.asarray(optimizer_step(points[-1], gradient_at, state, settings), dtype=float)
        loss = loss_at(point)
        gradient = exact_gradient(point) if np.all(np.isfinite(point)) else np.full(2, np.nan)
        problem = _invalid_because(surface, point, loss, gradient, domain_margin)
        if problem:
            stopped_at, reason = step, f"step {step}: {problem}"
            if np.all(np.isfinite(point)):
                escaped_to = (float(point[0]), float(point[1]))
            break
        points.append(point)
        losses.append(loss)
        gradients.append(gradient)

    gradient_norm = float(np.linalg.norm(gradients[-1]))
    last_step = float(np.linalg.norm(points[-1] - points[-2])) if len(points) > 1 else float("inf")
    diagonal = float(np.hypot(np.ptp(surface.x_range), np.ptp(surface.y_range)))
    if stopped_at is not None:
        status = "diverged"
    elif gradient_norm < GRADIENT_TOLERANCE:
        status, reason = "converged", f"gradient norm {gradient_norm:.2e} < {GRADIENT_TOLERANCE:g}"
    elif last_step < STEP_TOLERANCE * diagonal:
        status, reason = "converged", f"last step {last_step:.2e} < {STEP_TOLERANCE:g} x domain diagonal"
    else:
        status, reason = "running", f"gradient norm {gradient_norm:.2e} after {steps} steps"
    point_array, loss_array, gradient_array = (np.array(values, dtype=float) for values in (points, losses, gradients))
    for array in (point_array, loss_array, gradient_array):
        array.setflags(write=False)
    return Run(settings.name, float(settings.learning_rate), status, point_array, loss_array, gradient_array,
               stopped_at, reason, escaped_to)
