"""A learning-rate schedule's rule with its settings in TeX, as the descent clips caption it."""

from __future__ import annotations

from calcanim.number_format import number_tex
from calcanim.numerics.schedules import Schedule


def schedule_tex(schedule: Schedule) -> str:
    """The schedule's rule with its settings (gamma, s, K), or '' for a constant rate."""
    if schedule.kind == "constant":
        return ""
    settings = {
        "exponential": rf",\ \gamma = {number_tex(schedule.gamma)}",
        "step": rf",\ \gamma = {number_tex(schedule.gamma)},\ s = {schedule.step_size}",
        "cosine": rf",\ K = {schedule.total_steps}",
    }[schedule.kind]
    return schedule.tex + settings
