"""What the descent clips (gradient-descent, descent-1d) say about one optimizer run: its learning-rate
label, its status in a word, and the scheduled rate of the step under way."""

from __future__ import annotations

from calcanim.number_format import number_tex
from calcanim.numerics.descent import Run


class LabelledRun:
    """Mixin for a plan's view of one optimizer run (the ``run`` it draws)."""

    run: Run

    @property
    def label_tex(self) -> str:
        return rf"\eta = {number_tex(self.run.learning_rate)}"

    @property
    def status_word(self) -> str:
        return {"diverged": "diverged", "converged": "converged"}.get(self.run.status, "still moving")

    def rate_at(self, step: float) -> float:
        """The scheduled rate of the step under way at a fractional step (the last step's after the end)."""
        rates = self.run.rates
        if rates is None or len(rates) == 0:
            return self.run.learning_rate
        return float(rates[min(int(step), len(rates) - 1)])
