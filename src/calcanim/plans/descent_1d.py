"""The numbers the descent-1d clip shows: the curve, each run's iterates, losses, steps and status, the
scheduled rates, the loss-per-step inset (log axis) and the narration. Pure numpy/sympy; no manim."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from calcanim.expr import Expression, parse_expression
from calcanim.numerics.descent import CONVENTIONS, STATUS_RULES, OptimizerSettings, Run
from calcanim.numerics.descent_1d import derived_x_range, run_descent_1d
from calcanim.numerics.schedules import Schedule
from calcanim.params.descent_1d import Descent1DParams
from calcanim.plans.labelled_run import LabelledRun
from calcanim.plans.schedule_tex import schedule_tex
from calcanim.plans.timeline import DescentTimeline
from calcanim.number_format import number_tex, number_text
from calcanim.plans.gradient_descent import OPTIMIZER_NAMES
from calcanim.plans.loss_inset import LossInset

INTRO_SECONDS = 1.5
ENDING_SECONDS = 2.5
CURVE_SAMPLES = 400


@dataclass(frozen=True, eq=False)
class Run1D(LabelledRun):
    """One run as the clip draws it."""

    index: int
    run: Run
    inset_curve: np.ndarray  # (m, 2) step, log10(f - f*) until the curve leaves the inset's top
    #: An earlier run whose loss is the same at every step (x^2 with eta and 2 - eta: x -> (1 - 2 eta) x
    #: and its negative), so this run's loss line would hide under it; None when there is none.
    same_losses_as: int | None = None

    @property
    def xs(self) -> np.ndarray:
        return self.run.points[:, 0]

    @property
    def status_text(self) -> str:
        if self.run.status == "diverged":
            return f"diverged at step {self.run.stopped_at}"
        return f"{self.status_word}, f = {number_text(float(self.run.losses[-1]))}"

    @property
    def last_step(self) -> int:
        return len(self.run.points) - 1

    def x_at(self, step: float) -> float:
        """The ball's x at a fractional step (it stops at the last valid iterate)."""
        step = min(max(step, 0.0), float(self.last_step))
        k = min(int(step), self.last_step - 1) if self.last_step > 0 else 0
        if self.last_step == 0:
            return float(self.xs[0])
        t = step - k
        return float(self.xs[k] + t * (self.xs[k + 1] - self.xs[k]))

    def to_json(self) -> dict[str, Any]:
        data = self.run.to_json()
        trajectory = [{"step": p["step"], "x": p["x"], "loss": p["loss"]} for p in data["trajectory"]]
        rates = [] if self.run.rates is None else [float(r) for r in self.run.rates]
        return {
            "learning_rate": data["learning_rate"],
            "status": data["status"],
            "stopped_at": data["stopped_at"],
            "reason": data["reason"],
            "status_text": self.status_text,
            "step_rates": rates,
            "trajectory": trajectory,
        }


@dataclass(frozen=True, eq=False)
class Descent1DPlan(DescentTimeline, LossInset, intro=INTRO_SECONDS, ending=ENDING_SECONDS):
    INSET_TICK_COUNT = 3
    LOSS_TEX = r"f(x)"

    params: Descent1DParams
    expression: Expression
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    curve: np.ndarray  # (n, 2) x, f(x) over x_range (nan where undefined)
    runs: tuple[Run1D, ...]
    schedule: Schedule
    loss_reference: float
    inset_range: tuple[float, float]

    @property
    def function_tex(self) -> str:
        return sympy.latex(self.expression.sympy_expr, order="none")

    @property
    def update_rule_tex(self) -> str:
        return {
            "gd": r"x \leftarrow x - \eta\, f'(x)",
            "momentum": r"v \leftarrow \beta v + f'(x),\;\; x \leftarrow x - \eta v",
            "nesterov": r"v \leftarrow \beta v + f'(x - \eta\beta v),\;\; x \leftarrow x - \eta v",
            "adam": r"x \leftarrow x - \eta\,\hat m / (\sqrt{\hat v} + \epsilon)",
            "rmsprop": r"v \leftarrow \alpha v + (1-\alpha) f'(x)^2,\;\; x \leftarrow x - \eta f'(x) / (\sqrt{v} + \epsilon)",
        }[self.params.optimizer]

    @property
    def schedule_tex(self) -> str:
        """The schedule's rule with its settings, or '' for a constant rate."""
        return schedule_tex(self.schedule)

    @property
    def same_loss_notes(self) -> list[str]:
        """A TeX line per run whose loss line coincides with an earlier one's (drawn dashed over it)."""
        return [rf"{run.label_tex}\text{{: same loss as }}{self.runs[run.same_losses_as].label_tex}"
                for run in self.runs if run.same_losses_as is not None]

    @property
    def captions(self) -> list[tuple[str, float]]:
        p = self.params
        intro = (
            f"{OPTIMIZER_NAMES[p.optimizer].capitalize()} on f(x) = {p.function} from x = {number_text(p.start)}: "
            "each step moves against the slope of the tangent, scaled by the learning rate η."
        )
        rates = ", ".join(number_text(r) for r in p.learning_rates)
        middle = f"Learning rates {rates}, {p.steps} steps each."
        if p.schedule != "constant":
            middle += f" The rate follows a {p.schedule} schedule: {self.schedule.rule}."
        for run in self.runs:
            if run.same_losses_as is not None:
                earlier = self.runs[run.same_losses_as].run.learning_rate
                middle += (f" η = {number_text(run.run.learning_rate)} has the same loss as η = {number_text(earlier)}"
                           " at every step (dashed in the loss plot).")
        verdicts = "; ".join(f"η = {number_text(r.run.learning_rate)}: {r.status_text}" for r in self.runs)
        return [(intro, INTRO_SECONDS), (middle, p.duration), (verdicts + ".", ENDING_SECONDS)]

    def to_json(self) -> dict[str, Any]:
        return {
            "scene": self.params.scene_name,
            "params": self.params.to_dict(),
            "function": self.params.function,
            "x_range": list(self.x_range),
            "y_range": list(self.y_range),
            "status_rules": dict(STATUS_RULES),
            "convention": CONVENTIONS[self.params.optimizer],
            "schedule": {"kind": self.schedule.kind, "rule": self.schedule.rule, "gamma": self.schedule.gamma,
                         "step_size": self.schedule.step_size, "steps": self.schedule.total_steps},
            "inset_loss_reference": self.loss_reference,
            "inset_log10_gap_range": list(self.inset_range),
            "runs": [r.to_json() for r in self.runs],
            "captions": [{"text": text, "seconds": seconds} for text, seconds in self.captions],
            "duration": self.duration,
            "poster_time": self.poster_time,
        }


def curve_y_range(curve: np.ndarray, runs: list[Run]) -> tuple[float, float]:
    """The drawn f range: the curve over the domain, robust to poles (1st..99th percentile), padded 8%."""
    values = curve[:, 1][np.isfinite(curve[:, 1])]
    lo, hi = (float(v) for v in np.percentile(values, [1.0, 99.0])) if values.size else (-1.0, 1.0)
    lo = min(lo, min(float(r.losses.min()) for r in runs))
    if hi - lo < 1e-9 * max(1.0, abs(hi)):
        lo, hi = lo - 1.0, hi + 1.0
    pad = 0.08 * (hi - lo)
    return lo - pad, hi + pad


#: Losses this close (relative, at every step) draw as one line in the inset.
SAME_LOSS_RTOL = 1e-9


def same_losses_as(runs: list[Run], index: int) -> int | None:
    """The first run before ``index`` with the same number of steps and the same loss at each one."""
    mine = runs[index].losses
    for j in range(index):
        theirs = runs[j].losses
        if len(theirs) == len(mine) and np.allclose(theirs, mine, rtol=SAME_LOSS_RTOL, atol=0.0):
            return j
    return None


def loss_reference_1d(curve: np.ndarray, runs: list[Run]) -> float:
    """f*: 0 when f never goes below 0 on the domain or along the runs, else the lowest finite value seen
    (log(x) on [0, 2] falls to -inf at 0: the lowest sample is the floor the inset measures from).

    >>> loss_reference_1d(np.array([[0.0, -np.inf], [1.0, -2.0], [2.0, np.nan]]), [])
    -2.0
    """
    values = np.concatenate([curve[:, 1], *(r.losses for r in runs)])
    finite = values[np.isfinite(values)]
    lowest = float(finite.min()) if finite.size else 0.0
    return 0.0 if lowest >= 0 else lowest


def plan(params: Descent1DParams) -> Descent1DPlan:
    """Compute every number the clip shows."""
    from calcanim.plans.gradient_descent import inset_curve, inset_log_range

    expression = parse_expression(params.function)
    derivative = expression.derivative()
    x_range = tuple(params.x_range) if params.x_range else derived_x_range(expression, params.start)
    x_range = (float(x_range[0]), float(x_range[1]))
    schedule = Schedule(params.schedule, params.gamma, params.step_size, params.steps)
    runs = []
    for lr in params.learning_rates:
        settings = OptimizerSettings(
            params.optimizer, lr, beta=params.beta, beta1=params.beta1, beta2=params.beta2, eps=params.eps,
            alpha=params.alpha, schedule=schedule,
        )
        runs.append(run_descent_1d(expression, derivative, x_range, settings, params.start, params.steps))
    xs = np.linspace(*x_range, CURVE_SAMPLES)
    curve = np.column_stack([xs, np.asarray(expression(xs), dtype=float)])
    reference = loss_reference_1d(curve, runs)
    log_range = inset_log_range(runs, reference)
    run_plans = tuple(Run1D(i, run, inset_curve(run, log_range, reference), same_losses_as(runs, i))
                      for i, run in enumerate(runs))
    return Descent1DPlan(
        params=params,
        expression=expression,
        x_range=x_range,
        y_range=curve_y_range(curve, runs),
        curve=curve,
        runs=run_plans,
        schedule=schedule,
        loss_reference=reference,
        inset_range=log_range,
    )


