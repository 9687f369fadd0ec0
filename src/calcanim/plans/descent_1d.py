"""The numbers the descent-1d clip shows: the curve, each run's iterates, losses, steps and status, the
scheduled rates, the loss-per-step inset (log axis) and the narration. Pure numpy/sympy; no manim."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from calcanim.expr import Expression, parse_expression
from calcanim.expression_as_typed import tex_as_typed
from calcanim.numerics.descent import CONVENTIONS, STATUS_RULES, OptimizerSettings, Run
from calcanim.numerics.descent_1d import golden_section_minimum, derived_x_range, run_descent_1d
from calcanim.numerics.schedules import Schedule
from calcanim.params.descent_1d import Descent1DParams
from calcanim.plans.labelled_run import LabelledRun
from calcanim.plans.schedule_tex import schedule_tex
from calcanim.plans.timeline import DescentTimeline
from calcanim.plans.claimed_text import claimed_text, typed_text
from calcanim.plans.gradient_descent import OPTIMIZER_NAMES
from calcanim.plans.loss_inset import LossInset, claimed_value_tex

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
        return f"{self.status_word}, f {claimed_text(float(self.run.losses[-1]))}"

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
    #: One of REFERENCE_KINDS: what loss_reference is (the inset never calls a value f* that is no minimum).
    reference_kind: str = "zero"

    @property
    def inset_label_tex(self) -> str:
        """The inset's axis: the loss, f - f* at a minimum inside the plotted range, or f - f_low from the
        lowest value shown when f has no minimum there."""
        return {"zero": self.LOSS_TEX, "minimum": r"f - f^{*}"}.get(self.reference_kind, r"f - f_{\text{low}}")

    @property
    def inset_context_lines(self) -> tuple[str, ...]:
        """What the inset's axis is measured from, as the lines of its title before the axis' name (one row
        where the inset is wide, a line each where it is narrow); none for the loss itself."""
        if self.reference_kind == "zero":
            return ()
        value = claimed_value_tex(self.loss_reference)  # "= -3", or "\approx -3.51" when rounded
        if self.reference_kind == "minimum":
            return (rf"f^{{*}} {value}",)
        return (r"\text{lowest shown:}", rf"f_{{\text{{low}}}} {value}")

    @property
    def escape_note_tex(self) -> str:
        """The one line saying what the cross where a run leaves the plot (and ends its loss line) means, or ''
        when no run diverged."""
        if not any(run.run.status == "diverged" for run in self.runs):
            return ""
        return r"\text{diverged}\text{: left the plot}"

    @property
    def reference_caption(self) -> str:
        """A sentence for the caption when the inset measures from the lowest value shown, else ''."""
        if self.reference_kind != "lowest_shown":
            return ""
        return (f" f has no minimum on the plotted range, so the loss plot measures from the lowest value shown, "
                f"{claimed_text(self.loss_reference).removeprefix('= ').replace('≈ ', 'about ')}.")

    @property
    def function_tex(self) -> str:
        """f as the user typed it (term order and decimals kept: x**2 - 3, not -3 + x^2)."""
        return tex_as_typed(self.params.function)

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
            f"{OPTIMIZER_NAMES[p.optimizer].capitalize()} on f(x) = {p.function} from x = {typed_text(p.start)}: "
            "each step moves against the slope of the tangent, scaled by the learning rate η."
        )
        rates = ", ".join(typed_text(r) for r in p.learning_rates)
        middle = f"Learning rates {rates}, {p.steps} steps each." + self.reference_caption
        if p.schedule != "constant":
            middle += f" The rate follows a {p.schedule} schedule: {self.schedule.rule}."
        for run in self.runs:
            if run.same_losses_as is not None:
                earlier = self.runs[run.same_losses_as].run.learning_rate
                middle += (f" η = {typed_text(run.run.learning_rate)} has the same loss as η = {typed_text(earlier)}"
                           " at every step (dashed in the loss plot).")
        verdicts = "; ".join(f"η = {typed_text(r.run.learning_rate)}: {r.status_text}" for r in self.runs)
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
            "inset_loss_reference_kind": self.reference_kind,
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


#: What the loss inset measures from: the loss itself (f >= 0 wherever seen), f* (a minimum inside the plotted
#: range that no run goes below), or the lowest value shown (f falls to the range's edge, to -inf, or a run
#: that left the range went lower: there is no minimum to claim).
REFERENCE_KINDS = ("zero", "minimum", "lowest_shown")
#: A run's loss this far (relative) below the curve's refined minimum means the run found lower ground.
MINIMUM_RTOL = 1e-9


def loss_reference_1d(
    curve: np.ndarray, runs: list[Run], function: Callable[[float], float] | None = None
) -> tuple[float, str]:
    """(reference, kind): what the inset's gap f - reference is measured from, and which of REFERENCE_KINDS it is.

    A minimum is claimed only where the lowest sample of the curve lies inside the plotted range between finite
    neighbours, the curve never reaches -inf, and no run's loss is lower; it is then refined between the
    neighbouring samples (golden section on ``function``). log(x) on [0, 2] falls to -inf at 0: its lowest
    finite value is only the lowest shown.

    >>> loss_reference_1d(np.array([[0.0, -np.inf], [1.0, -2.0], [2.0, np.nan]]), [])
    (-2.0, 'lowest_shown')
    >>> loss_reference_1d(np.array([[-1.0, -2.0], [0.0, -3.0], [1.0, -2.0]]), [], lambda x: x * x - 3)
    (-3.0, 'minimum')
    >>> loss_reference_1d(np.array([[0.0, 1.0], [1.0, 0.5], [2.0, 0.25]]), [])
    (0.0, 'zero')
    """
    values = np.concatenate([curve[:, 1], *(r.losses for r in runs)])
    finite = values[np.isfinite(values)]
    lowest = float(finite.min()) if finite.size else 0.0
    if lowest >= 0:
        return 0.0, "zero"
    ys = curve[:, 1]
    with np.errstate(invalid="ignore"):
        i = int(np.nanargmin(np.where(np.isfinite(ys), ys, np.nan)))
    run_lowest = min((float(np.nanmin(r.losses)) for r in runs if np.isfinite(r.losses).any()), default=np.inf)
    inside = 0 < i < len(ys) - 1 and bool(np.isfinite(ys[i - 1]) and np.isfinite(ys[i + 1]))
    if not inside or bool(np.any(np.isneginf(ys))):
        return lowest, "lowest_shown"
    minimum = float(ys[i])
    if function is not None:
        x_best = golden_section_minimum(function, float(curve[i - 1, 0]), float(curve[i + 1, 0]))
        refined = float(function(x_best))
        if math.isfinite(refined):
            minimum = min(minimum, refined)
    # a run converging onto the minimum may land a rounding below the refined value; one clearly lower left the range
    if run_lowest < minimum - MINIMUM_RTOL * max(1.0, abs(minimum)):
        return lowest, "lowest_shown"
    return min(minimum, run_lowest), "minimum"


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
    reference, kind = loss_reference_1d(curve, runs, lambda x: float(expression(x)))
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
        reference_kind=kind,
    )


