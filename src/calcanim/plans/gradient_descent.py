"""The numbers the gradient-descent clip shows: the surface, every run's trajectory and status, the
timeline, the level sets, the loss inset and the narration. Pure numpy/sympy; no manim."""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from calcanim.errors import ExpressionError, ParamError
from calcanim.expr import parse_expression
from calcanim.number_format import number_tex, number_text, tick_text
from calcanim.plans.claimed_text import claimed_text, typed_text
from calcanim.numerics.descent import CONVENTIONS, STATUS_RULES, OptimizerSettings, Run, run_descent
from calcanim.numerics.schedules import Schedule
from calcanim.numerics.projection import clip_segment_to_rectangle
from calcanim.numerics.surfaces import (
    Surface,
    level_set_segments,
    max_stable_learning_rate,
    quadratic_curvatures,
    preset,
    sample_grid,
    as_point,
    surface_from_sympy,
)
from calcanim.params.gradient_descent import GradientDescentParams
from calcanim.plans.labelled_run import LabelledRun
from calcanim.plans.loss_inset import LossInset
from calcanim.plans.schedule_tex import schedule_tex
from calcanim.plans.timeline import DescentTimeline

#: Seconds before the descent (surface, legend) and after it (the verdicts).
INTRO_SECONDS = 1.5
ENDING_SECONDS = 2.5
#: A path rides on the surface: each step is sampled about every 1/SAMPLES_PER_DIAGONAL of the domain's diagonal.
SAMPLES_PER_DIAGONAL = 90
MAX_SAMPLES_PER_STEP = 24
CONTOUR_RESOLUTION = 160
CUSTOM_DOMAIN = (-3.0, 3.0)

UPDATE_RULES_TEX = {
    "gd": r"x \leftarrow x - \eta\,\nabla f(x)",
    "momentum": r"v \leftarrow \beta v + \nabla f(x),\;\; x \leftarrow x - \eta v",
    "nesterov": r"v \leftarrow \beta v + \nabla f(x - \eta\beta v),\;\; x \leftarrow x - \eta v",
    "adam": r"x \leftarrow x - \eta\,\hat m / (\sqrt{\hat v} + \epsilon)",
    "rmsprop": r"v \leftarrow \alpha v + (1-\alpha)\, g^2,\;\; x \leftarrow x - \eta\, g / (\sqrt{v} + \epsilon)",
}
#: A second header line defining the symbols the rule uses that are not obvious (Adam's m-hat and v-hat).
RULE_NOTES_TEX = {
    "adam": (
        r"\hat m = \frac{m}{1-\beta_1^{t}},\; \hat v = \frac{v}{1-\beta_2^{t}}:\ "
        r"m \leftarrow \beta_1 m + (1-\beta_1)\, g,\; v \leftarrow \beta_2 v + (1-\beta_2)\, g^2"
    ),
    "rmsprop": r"g = \nabla f(x)",
}
OPTIMIZER_NAMES = {
    "gd": "gradient descent", "momentum": "momentum", "nesterov": "Nesterov momentum", "adam": "Adam",
    "rmsprop": "RMSProp",
}


def resolve_surface(params: GradientDescentParams) -> Surface:
    """The preset or custom surface with the user's domain, z range and start applied."""
    if params.surface == "custom":
        try:
            expression = parse_expression(params.loss, variables=("x", "y"))
        except ExpressionError as error:
            raise ParamError(
                f"invalid value for 'loss' in gradient-descent: {error} (see `calcanim show gradient-descent`)",
                field="loss",
            ) from None
        x_range = tuple(params.x_range) or CUSTOM_DOMAIN
        y_range = tuple(params.y_range) or CUSTOM_DOMAIN
        default_start = (x_range[0] + 0.85 * (x_range[1] - x_range[0]), y_range[0] + 0.8 * (y_range[1] - y_range[0]))
        start = tuple(params.start) or default_start
        surface = surface_from_sympy(expression.sympy_expr, "custom", as_point(x_range), as_point(y_range), as_point(start))
    else:
        surface = preset(params.surface)
        changes: dict[str, Any] = {}
        for name in ("x_range", "y_range", "start"):
            if getattr(params, name):
                changes[name] = as_point(getattr(params, name))
        surface = dataclasses.replace(surface, **changes) if changes else surface
    if params.z_range:
        surface = dataclasses.replace(surface, z_range=as_point(params.z_range))
    if not surface.contains(*surface.start):
        raise ParamError(
            f"invalid value for 'start' in gradient-descent: {list(surface.start)} is outside the domain "
            f"x in {list(surface.x_range)}, y in {list(surface.y_range)} (see `calcanim show gradient-descent`)",
            field="start",
        )
    if not math.isfinite(float(surface.loss(*surface.start))):
        raise ParamError(f"invalid value for 'start' in gradient-descent: the loss is not finite at {list(surface.start)}",
                         field="start")
    return surface


@dataclass(frozen=True, eq=False)
class RunPlan(LabelledRun):
    """One run as the clip draws it."""

    index: int
    run: Run
    samples: np.ndarray  # (n, 3) x, y, loss along the path; the path rides on the surface
    sample_steps: np.ndarray  # (n,) fractional step index of each sample
    inside: np.ndarray  # (n,) whether the sample lies in the drawn domain
    escape: tuple[tuple[float, float], tuple[float, float]] | None  # a diverging step, clipped to the domain
    inset_curve: np.ndarray  # (m, 2) step, loss: clipped to the inset's loss range
    last_step: float  # fractional step at which the run stops moving on screen
    view_exit: tuple[float, tuple[float, float]] | None = None  # (fractional step, (x, y) on the edge): first exit from the view
    exit_loss: float = 0.0  # the loss at the exit point (where the 3D marker sits), clipped to the z range

    @property
    def drawn_until(self) -> float:
        """A diverged run is drawn until it first leaves the view (then its escape is marked); others to the end."""
        if self.run.status == "diverged" and self.view_exit is not None:
            return min(self.view_exit[0], self.last_step)
        return self.last_step

    @property
    def escaped(self) -> bool:
        """Whether the clip marks where this run escaped the view."""
        return self.run.status == "diverged" and self.view_exit is not None

    @property
    def label(self) -> str:
        return f"eta = {number_text(self.run.learning_rate)}"

    @property
    def status_text(self) -> str:
        if self.run.status == "diverged":
            return f"diverged at step {self.run.stopped_at}"
        return f"{self.status_word}, loss {claimed_text(float(self.run.losses[-1]))}"

    @property
    def last_inside(self) -> np.ndarray:
        """The last path sample inside the domain (where a diverged run's cross goes)."""
        inside = np.flatnonzero(self.inside)
        return self.samples[inside[-1]] if len(inside) else self.samples[0]

    def position_at(self, step: float) -> tuple[np.ndarray, bool]:
        """The ball at a fractional step: (x, y, loss) and whether it is inside the domain."""
        step = min(max(step, 0.0), float(self.sample_steps[-1]))
        index = int(np.searchsorted(self.sample_steps, step, side="right")) - 1
        index = min(index, len(self.sample_steps) - 2) if len(self.sample_steps) > 1 else 0
        if len(self.sample_steps) == 1:
            return self.samples[0], bool(self.inside[0])
        s0, s1 = self.sample_steps[index], self.sample_steps[index + 1]
        t = 0.0 if s1 == s0 else (step - s0) / (s1 - s0)
        point = self.samples[index] + t * (self.samples[index + 1] - self.samples[index])
        return point, bool(self.inside[index] and self.inside[index + 1])

    def samples_until(self, step: float) -> tuple[np.ndarray, np.ndarray]:
        """Path samples up to a fractional step (the last one interpolated) and their inside-flags."""
        count = int(np.searchsorted(self.sample_steps, step, side="right"))
        points, inside = self.samples[:count], self.inside[:count]
        if count < len(self.samples) and count > 0:
            point, ok = self.position_at(step)
            points = np.vstack([points, point[None]])
            inside = np.append(inside, ok)
        return points, inside

    def escape_until(self, step: float) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The diverging step drawn so far (it is drawn during the step after the last valid point)."""
        if self.escape is None:
            return None
        start_step = len(self.run.points) - 1
        fraction = min(max(step - start_step, 0.0), 1.0)
        if fraction <= 0:
            return None
        (x0, y0), (x1, y1) = self.escape
        return (x0, y0), (x0 + fraction * (x1 - x0), y0 + fraction * (y1 - y0))

    def to_json(self) -> dict[str, Any]:
        data = self.run.to_json()
        data["label"] = self.label
        data["status_text"] = self.status_text
        data["view_exit"] = None if self.view_exit is None else {"step": self.view_exit[0], "x": self.view_exit[1][0], "y": self.view_exit[1][1]}
        data["colour_index"] = self.index
        return data


@dataclass(frozen=True, eq=False)
class GradientDescentPlan(DescentTimeline, LossInset, intro=INTRO_SECONDS, ending=ENDING_SECONDS):
    params: GradientDescentParams
    surface: Surface
    runs: tuple[RunPlan, ...]
    stable_learning_rate: float | None
    grid: tuple[np.ndarray, np.ndarray, np.ndarray]  # the 3D mesh samples (x, y, z)
    contour_grid: tuple[np.ndarray, np.ndarray, np.ndarray]
    levels: tuple[float, ...]
    inset_range: tuple[float, float]  # log10 of f - f*, bottom and top
    loss_reference: float  # f*, or the lowest value seen (reference_kind)
    schedule: Schedule
    reference_kind: str = "minimum"

    @property
    def descent_seconds(self) -> float:
        return self.params.duration

    def camera_theta_at(self, seconds: float) -> float:
        """The 3D camera's theta (degrees) at a time in the clip; the turn is spread over the whole clip."""
        return self.params.camera_theta + self.params.camera_turn * min(max(seconds / self.duration, 0.0), 1.0)

    @property
    def schedule_tex(self) -> str:
        """The schedule's rule with its settings, or '' for a constant rate."""
        return schedule_tex(self.schedule)

    @property
    def rule_note_tex(self) -> str:
        return RULE_NOTES_TEX.get(self.params.optimizer, "")

    @property
    def update_rule_tex(self) -> str:
        return UPDATE_RULES_TEX[self.params.optimizer]

    @functools.cached_property
    def level_segments(self) -> tuple[np.ndarray, ...]:
        xs, ys, zs = self.contour_grid
        return tuple(level_set_segments(xs[0], ys[:, 0], zs, level) for level in self.levels)

    @property
    def title(self) -> str:
        return f"{OPTIMIZER_NAMES[self.params.optimizer]} on {self.surface.name}"

    def status_reveal_times(self) -> list[tuple[float, RunPlan]]:
        """Seconds into the descent at which each run's verdict appears, in order."""
        times = [
            (self.seconds_at_step(r.last_step) if r.run.status == "diverged" else self.params.duration, r)
            for r in self.runs
        ]
        return sorted(times, key=lambda item: (item[0], item[1].index))

    @property
    def captions(self) -> list[tuple[str, float]]:
        """Narration beats (words, seconds) covering the whole clip."""
        p, s = self.params, self.surface
        rates = ", ".join(typed_text(r.run.learning_rate) for r in self.runs)
        intro = (
            f"{OPTIMIZER_NAMES[p.optimizer].capitalize()} on the {s.name} loss, from ({typed_text(s.start[0])}, "
            f"{typed_text(s.start[1])}): each step moves against the gradient, scaled by the learning rate."
        )
        middle = f"{len(self.runs)} run(s), learning rates {rates}, {p.steps} steps each."
        if self.stable_learning_rate is not None and p.optimizer == "gd":
            rate = claimed_text(self.stable_learning_rate)
            curvatures = quadratic_curvatures(s)
            if curvatures is not None and curvatures[0] < 0:  # a saddle: (1 + eta |k|) > 1 along the falling direction
                middle += (f" On this saddle, steps along the upward-curving direction shrink only if η < 2/L {rate}; "
                           "along the downward-curving one they grow for every η.")
            else:
                middle += f" On this quadratic, steps shrink only if η < 2/L {rate}."
        verdicts = "; ".join(f"η = {typed_text(r.run.learning_rate)}: {r.status_text}" for r in self.runs)
        return [(intro, INTRO_SECONDS), (middle, p.duration), (verdicts + ".", ENDING_SECONDS)]

    def to_json(self) -> dict[str, Any]:
        s = self.surface
        return {
            "scene": self.params.scene_name,
            "params": self.params.to_dict(),
            "surface": {
                "name": s.name,
                "expression": str(s.sympy_expr),
                "x_range": list(s.x_range),
                "y_range": list(s.y_range),
                "z_range": list(s.z_range),
                "start": list(s.start),
                "minima": [list(m) for m in s.minima],
                "max_stable_learning_rate": self.stable_learning_rate,
            },
            "status_rules": dict(STATUS_RULES),
            "convention": CONVENTIONS[self.params.optimizer],
            "schedule": {"kind": self.schedule.kind, "rule": self.schedule.rule, "gamma": self.schedule.gamma,
                         "step_size": self.schedule.step_size, "steps": self.schedule.total_steps},
            "inset_loss_reference": self.loss_reference,
            "runs": [r.to_json() for r in self.runs],
            "levels": list(self.levels),
            "inset_log10_gap_range": list(self.inset_range),
            "captions": [{"text": text, "seconds": seconds} for text, seconds in self.captions],
            "duration": self.duration,
            "poster_time": self.poster_time,
        }


def drawn_path(run: Run) -> np.ndarray:
    """The iterates a clip draws: the valid ones, then the rejected one of a diverged run if it is finite."""
    if run.escaped_to is None:
        return run.points
    return np.vstack([run.points, np.array(run.escaped_to)[None, :]])


def first_view_exit(surface: Surface, path: np.ndarray) -> tuple[float, tuple[float, float]] | None:
    """(fractional step, point on the domain's edge) where the path first leaves the drawn domain; None if it never does.

    >>> from calcanim.numerics.surfaces import preset
    >>> first_view_exit(preset("bowl"), np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 0.0]]))
    (1.5, (3.0, 0.0))
    """
    for k in range(len(path) - 1):
        a, b = path[k], path[k + 1]
        if surface.contains(b[0], b[1]):
            continue
        clipped = clip_segment_to_rectangle(tuple(a), tuple(b), surface.x_range, surface.y_range)
        if clipped is None:
            return float(k), (float(a[0]), float(a[1]))
        edge = np.array(clipped[1])
        length = float(np.linalg.norm(b - a))
        fraction = float(np.linalg.norm(edge - a)) / length if length > 0 else 0.0
        return k + fraction, (float(edge[0]), float(edge[1]))
    return None


def surface_samples(surface: Surface, run: Run) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points on the surface along each drawn step (x, y, loss), their fractional steps, and inside-the-domain flags."""
    points = drawn_path(run)
    if len(points) == 1:
        xy, steps = points.copy(), np.zeros(1)
    else:
        diagonal = float(np.hypot(np.ptp(surface.x_range), np.ptp(surface.y_range)))
        lengths = np.linalg.norm(np.diff(points, axis=0), axis=1)
        counts = np.clip(np.ceil(lengths / (diagonal / SAMPLES_PER_DIAGONAL)), 1, MAX_SAMPLES_PER_STEP).astype(int)
        xy_parts, step_parts = [], []
        for k, count in enumerate(counts.tolist()):
            t = np.arange(count) / count
            xy_parts.append(points[k] + t[:, None] * (points[k + 1] - points[k]))
            step_parts.append(k + t)
        xy = np.vstack([*xy_parts, points[-1:]])
        steps = np.concatenate([*step_parts, [len(points) - 1.0]])
    loss = np.asarray(surface.loss(xy[:, 0], xy[:, 1]), dtype=float)
    inside = np.array([surface.contains(x, y) for x, y in xy]) & np.isfinite(loss)
    loss = np.where(np.isfinite(loss), loss, surface.z_range[1])
    return np.column_stack([xy, loss]), steps, inside


def loss_reference(surface: Surface, runs: list[Run], sampled: np.ndarray) -> tuple[float, str]:
    """(reference, kind): what the log inset measures from. The lowest known minimum f* ("minimum"); else 0 if
    the loss never goes below 0 on the domain or along the runs ("minimum": the gap is the loss); else the lowest
    value seen on the sampled grid and the runs ("lowest_shown": no minimum is known, so it is not called f*)."""
    if surface.minima:
        return float(min(float(surface.loss(mx, my)) for mx, my in surface.minima)), "minimum"
    seen = [float(np.nanmin(sampled))] if np.isfinite(sampled).any() else []
    seen += [float(r.losses.min()) for r in runs]
    lowest = min(seen)
    return (0.0, "minimum") if lowest >= 0 else (lowest, "lowest_shown")


def inset_log_range(runs: list[Run], reference: float) -> tuple[float, float]:
    """log10 range of the inset's gap f - f*: from the smallest positive gap reached (at most 12 decades below the
    top) to a little above the start's gap; a diverging run is cut at the top."""
    gaps = np.concatenate([r.losses - reference for r in runs])
    positive = gaps[gaps > 0]
    start = max(float(r.losses[0] - reference) for r in runs)
    calm = [float((r.losses - reference).max()) for r in runs if r.status != "diverged"]
    high_gap = max([start, *calm, 1e-300])
    top = math.log10(high_gap) + 0.5
    bottom = math.log10(float(positive.min())) if positive.size else top - 3
    bottom = max(bottom, top - 12.5)
    if top - bottom < 2:
        bottom = top - 2
    return math.floor(bottom * 2) / 2, top


def inset_curve(run: Run, log_range: tuple[float, float], reference: float) -> np.ndarray:
    """(step, log10(f - f*)) until the curve leaves the inset's top; the crossing is interpolated and the curve
    ends there. Gaps below the bottom (or <= 0) sit on the bottom."""
    low, high = log_range
    with np.errstate(all="ignore"):
        logs = np.log10(np.maximum(run.losses - reference, 10.0**low))
    curve = [(0.0, float(min(logs[0], high)))]
    for k in range(1, len(logs)):
        previous, value = float(logs[k - 1]), float(logs[k])
        if value > high:
            t = (high - previous) / (value - previous) if value != previous else 0.0
            curve.append((k - 1 + max(0.0, min(1.0, t)), high))
            break
        curve.append((float(k), max(value, low)))
    return np.array(curve)


def contour_levels(values: np.ndarray, z_range: tuple[float, float], count: int) -> tuple[float, ...]:
    """Level values spread by quantile of the sampled loss inside the z range, so steep surfaces keep levels near the floor."""
    finite = values[np.isfinite(values)]
    finite = finite[(finite >= z_range[0]) & (finite <= z_range[1])]
    if finite.size < 2:
        return tuple(float(v) for v in np.linspace(z_range[0], z_range[1], count + 2)[1:-1])
    quantiles = np.quantile(finite, np.linspace(0.0, 1.0, count + 2)[1:-1] ** 1.6)
    return tuple(float(v) for v in np.unique(np.round(quantiles, 12)))


def plan(params: GradientDescentParams) -> GradientDescentPlan:
    """Compute every number the clip shows."""
    surface = resolve_surface(params)
    runs = []
    schedule = Schedule(params.schedule, params.gamma, params.step_size, params.steps)
    for lr in params.learning_rates:
        settings = OptimizerSettings(
            params.optimizer, lr, beta=params.beta, beta1=params.beta1, beta2=params.beta2, eps=params.eps,
            alpha=params.alpha, schedule=schedule,
        )
        runs.append(run_descent(surface, settings, surface.start, params.steps))
    contour = sample_grid(surface, CONTOUR_RESOLUTION)
    reference, reference_kind = loss_reference(surface, runs, contour[2])
    loss_range = inset_log_range(runs, reference)
    run_plans = []
    for index, run in enumerate(runs):
        samples, steps, inside = surface_samples(surface, run)
        escape = None
        last_step = float(len(run.points) - 1)
        if run.escaped_to is not None:
            target = (run.escaped_to[0], run.escaped_to[1])
            escape = clip_segment_to_rectangle(
                (float(run.points[-1][0]), float(run.points[-1][1])), target, surface.x_range, surface.y_range
            )
            last_step += 1.0
        exit_ = first_view_exit(surface, drawn_path(run))
        exit_loss = float(surface.loss(*exit_[1])) if exit_ is not None else 0.0
        exit_loss = float(np.clip(exit_loss, *surface.z_range)) if math.isfinite(exit_loss) else surface.z_range[1]
        run_plans.append(
            RunPlan(index, run, samples, steps, inside, escape, inset_curve(run, loss_range, reference), last_step, exit_,
                    exit_loss)
        )
    xs, ys, zs = sample_grid(surface, params.resolution)
    return GradientDescentPlan(
        params=params,
        surface=surface,
        runs=tuple(run_plans),
        stable_learning_rate=max_stable_learning_rate(surface),
        grid=(xs, ys, zs),
        contour_grid=contour,
        levels=contour_levels(contour[2], surface.z_range, params.levels),
        inset_range=loss_range,
        loss_reference=reference,
        reference_kind=reference_kind,
        schedule=schedule,
    )
