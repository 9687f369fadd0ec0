"""The descent clips' loss-per-step inset (gradient-descent, descent-1d): the gap f - f* on a log axis,
ticked at round powers of ten, and what its axis is called."""

from __future__ import annotations

import math
from typing import ClassVar

from calcanim.number_format import number_tex, number_text

#: A reference this close (relative) to its 3 shown digits is written "= v" (x^2 - 3: f* = -3), else "\\approx v".
SAME_AS_SHOWN_RTOL = 1e-9


def claimed_value_tex(value: float) -> str:
    """"= v" when the 3 significant digits shown are the value (to float precision), else "\\approx v":
    six-hump-camel's f* = -1.0316... is "\\approx -1.03", never "= -1.03".

    >>> claimed_value_tex(-3.0), claimed_value_tex(-1.0316284534898774), claimed_value_tex(0.2)
    ('= -3', '\\\\approx -1.03', '= 0.2')
    """
    same = abs(float(number_text(value)) - value) <= SAME_AS_SHOWN_RTOL * max(1.0, abs(value))
    return ("= " if same else "\\approx ") + number_tex(value)


def decade_ticks(log_range: tuple[float, float], count: int = 4) -> list[tuple[float, str]]:
    """Round powers of ten inside a log10 range, about ``count`` of them, as (log10 value, TeX).

    >>> decade_ticks((-7.0, 1.8))
    [(-6.0, '10^{-6}'), (-3.0, '10^{-3}'), (0.0, '1')]
    """
    low, high = math.ceil(log_range[0] - 1e-9), math.floor(log_range[1] + 1e-9)
    spacing = max(1, math.ceil((high - low + 1) / count))
    first = math.ceil(low / spacing) * spacing
    ticks = []
    for exponent in range(first, high + 1, spacing):
        tex = {0: "1", 1: "10"}.get(exponent, f"10^{{{exponent}}}")
        ticks.append((float(exponent), tex))
    return ticks


class LossInset:
    """Mixin for a descent plan with a loss inset: ``inset_range`` (log10 of f - f*, bottom and top)
    and ``loss_reference`` (f*) give its ticks and its axis' name."""

    inset_range: tuple[float, float]
    loss_reference: float
    #: "minimum" when loss_reference is a true minimum f*; "lowest_shown" when it is only the lowest value seen
    #: (the saddle, a custom loss falling off the domain): the axis then never calls it f*.
    reference_kind: str = "minimum"
    #: About this many decade ticks on the inset's axis.
    INSET_TICK_COUNT: ClassVar[int] = 4
    #: The axis' name where f* = 0 (the gap is the loss itself).
    LOSS_TEX: ClassVar[str] = r"\text{loss}"

    @property
    def inset_ticks(self) -> list[tuple[float, str]]:
        """The inset's log axis ticks: (log10 of f - f*, TeX label)."""
        return decade_ticks(self.inset_range, count=self.INSET_TICK_COUNT)

    @property
    def inset_label_tex(self) -> str:
        """What the inset's vertical axis measures."""
        if self.loss_reference == 0:
            return self.LOSS_TEX
        value = claimed_value_tex(self.loss_reference)
        if self.reference_kind == "minimum":
            return rf"f - f^{{*}},\ f^{{*}} {value}"
        return rf"f - f_{{\text{{low}}}},\ f_{{\text{{low}}}} {value}"
