"""Parameters of the gradient-descent clip: optimizers and learning rates on a loss surface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from calcanim.params.base import SceneParams, param
from calcanim.params.expression_field import check_function

#: Kept in step with calcanim.numerics.surfaces.PRESETS (a test checks it); no numpy import here.
SURFACES = ("bowl", "ravine", "rosenbrock", "himmelblau", "saddle", "six-hump-camel", "custom")
OPTIMIZERS = ("gd", "momentum", "nesterov", "adam", "rmsprop")
SCHEDULES = ("constant", "exponential", "step", "cosine")
VIEWS = ("surface", "contour", "both")
MAX_RUNS = 6
#: Per surface: a rate that crawls, one that does well and one too large (checked in the tests).
CLASSIC_LEARNING_RATES: dict[str, tuple[float, ...]] = {
    "bowl": (0.02, 0.3, 1.05),
    "ravine": (0.02, 0.1, 0.21),
    "rosenbrock": (0.0005, 0.004, 0.008),
    "himmelblau": (0.001, 0.01, 0.05),
    "saddle": (0.01, 0.02, 0.05),
    "six-hump-camel": (0.01, 0.05, 0.2),
    "custom": (0.01, 0.1, 0.5),
}

STATUS_HELP = (
    "status of each run: 'diverged' = an iterate, its loss or gradient became non-finite or the iterate "
    "left the domain widened by 50% of its width per side (the run stops at its last valid point), or, on a "
    "domain too large to leave, the loss ended above the start's with each of the last 5 steps longer than "
    "the one before (1.5x in all); 'converged' = after all steps |grad| < 1e-3 or the last step moved less "
    "than 1e-6 x the domain diagonal and 1e-6 x the longest step, with the loss not above the start's and the last step not longer than "
    "the first; 'running' = still finite and inside but not settled (more steps may converge). "
)
OPTIMIZER_HELP = (
    "update rule, g = grad f(x), eta_k the scheduled rate: "
    "gd: x <- x - eta_k g (PyTorch SGD); "
    "momentum: v <- beta v + g, x <- x - eta_k v, v_0 = 0 (PyTorch SGD momentum, dampening 0); "
    "nesterov: look-ahead form (Sutskever et al. 2013) v <- beta v + grad f(x - eta_k beta v), x <- x - eta_k v; "
    "its iterates are PyTorch's nesterov=True iterates theta_t shifted back by beta (x_t - x_{t-1}), so a "
    "divergence step can differ by one; "
    "adam: Kingma & Ba Algorithm 1 = PyTorch Adam: m <- beta1 m + (1 - beta1) g, v <- beta2 v + (1 - beta2) g^2, "
    "m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t), x <- x - eta_k m_hat / (sqrt(v_hat) + eps); "
    "rmsprop: PyTorch RMSprop: v <- alpha v + (1 - alpha) g^2, x <- x - eta_k g / (sqrt(v) + eps)"
)
SCHEDULE_HELP = (
    "learning rate eta_k of step k = 0, 1, ..., steps - 1 (PyTorch's schedulers): constant eta; "
    "exponential eta * gamma^k; step eta * gamma^floor(k / step_size); cosine eta * (1 + cos(pi k / steps)) / 2"
)


@dataclass(frozen=True, kw_only=True)
class GradientDescentParams(SceneParams):
    """One optimizer at one or several learning rates, riding down a loss surface in 3D and/or contours."""

    scene_name: ClassVar[str] = "gradient-descent"

    surface: str = param(
        "ravine",
        "loss surface: a preset (bowl, ravine = (x^2 + 10 y^2)/2, rosenbrock, himmelblau, saddle, six-hump-camel) "
        "or custom (then set loss)",
        choices=SURFACES,
    )
    loss: str = param("", "custom loss in x and y, e.g. 'x**2 + 3*sin(y)'; only with surface = custom")
    x_range: tuple[float, ...] = param((), "domain [x_min, x_max]; empty = the preset's", max_items=2)
    y_range: tuple[float, ...] = param((), "domain [y_min, y_max]; empty = the preset's", max_items=2)
    z_range: tuple[float, ...] = param((), "loss range drawn [z_min, z_max]; empty = the preset's (sampled for custom)",
                                   max_items=2)
    start: tuple[float, ...] = param((), "start point [x, y] inside the domain; empty = the preset's", max_items=2)
    optimizer: str = param("gd", OPTIMIZER_HELP, choices=OPTIMIZERS)
    learning_rates: tuple[float, ...] = param(
        (),
        STATUS_HELP
        + "One run per learning rate (at most 6), each in its own colour. Empty = the surface's classic "
        "comparison, too small (crawls), good, too large (overshoots or diverges): "
        + "; ".join(f"{name} {list(rates)}" for name, rates in CLASSIC_LEARNING_RATES.items()),
        gt=0,
        le=100,
        max_items=MAX_RUNS,
    )
    steps: int = param(80, "optimizer steps per run", ge=1, le=1000)
    beta: float = param(0.9, "momentum / nesterov: velocity decay", ge=0, lt=1)
    beta1: float = param(0.9, "adam: decay of the gradient average", ge=0, lt=1)
    beta2: float = param(0.999, "adam: decay of the squared-gradient average", ge=0, lt=1)
    eps: float = param(1e-8, "adam, rmsprop: added to the root of the squared average", gt=0, le=1)
    alpha: float = param(0.99, "rmsprop: decay of the squared-gradient average", ge=0, lt=1)
    schedule: str = param("constant", SCHEDULE_HELP, choices=SCHEDULES)
    gamma: float = param(0.95, "exponential, step schedules: the decay factor gamma", gt=0, le=1)
    step_size: int = param(10, "step schedule: steps between decays", ge=1, le=1000)
    view: str = param("both", "surface (3D, ball rolling), contour (level sets, step arrows) or both side by side", choices=VIEWS)
    camera_phi: float = param(50.0, "3D view: camera angle from straight above, degrees", ge=0, le=89)
    camera_theta: float = param(-160.0, "3D view: camera angle around the vertical at the start, degrees", ge=-360, le=360)
    camera_turn: float = param(
        -30.0, "3D view: degrees the camera turns over the whole clip (0 = still; the default swings it through looking "
        "along the ravine, whose floor a turn the other way hides behind its near wall)", ge=-360, le=360)
    resolution: int = param(48, "3D view: surface faces per side", ge=8, le=160)
    levels: int = param(14, "contour view: number of level sets", ge=3, le=60)
    step_arrows: bool = param(True, "contour view: draw each step as an arrow (the update -lr * gradient for gd)")
    duration: float = param(8.0, "seconds the descent takes (the clip adds ~1.5 s intro and 2.5 s ending)", ge=1, le=120)

    def check(self) -> None:
        if not self.learning_rates:
            object.__setattr__(self, "learning_rates", CLASSIC_LEARNING_RATES[self.surface])
        if self.surface == "custom" and not self.loss.strip():
            self.fail("loss", "surface = custom needs a loss expression in x and y, e.g. loss = 'x**2 + 3*y**2'")
        if self.surface != "custom" and self.loss.strip():
            self.fail("loss", f"a loss expression is only used with surface = custom, not {self.surface!r}")
        if self.surface == "custom":
            check_function(self, "loss", self.loss, variables=("x", "y"))
        for name in ("x_range", "y_range", "z_range"):
            bounds = getattr(self, name)
            if bounds and (len(bounds) != 2 or not bounds[0] < bounds[1]):
                self.fail(name, f"must be empty or two numbers [low, high] with low < high, got {list(bounds)}")
        if self.start and len(self.start) != 2:
            self.fail("start", f"must be empty or two numbers [x, y], got {list(self.start)}")
