"""Round tick values for a plot axis: the one tick rule every clip uses.

The step is the smallest 1, 2 or 5 times a power of ten that is at least (hi - lo) / target, so an
axis gets at most target + 1 ticks and never crowds; a caller that needs a fuller axis (zoom-linearity's
grid) asks for ``at_least`` ticks and gets the next smaller step while fewer ticks than that would fall
in the range. Ticks are rounded to
the decimals of the step, so their labels are exact at any magnification (1 +- 10^-9 included).
"""

from __future__ import annotations

import math

from calcanim.errors import ParamError

#: 1-2-5 steps within one power of ten, and the next power's 1.
_MANTISSAS = (1.0, 2.0, 5.0, 10.0)


def tick_step(lo: float, hi: float, target: int = 5, at_least: int = 1) -> float:
    """The tick step on [lo, hi]: the smallest 1-2-5 step at least (hi - lo) / target, or a smaller one
    while fewer than ``at_least`` ticks would fall in [lo, hi].

    >>> tick_step(4.2, 61.0), tick_step(-1.0, 1.0), tick_step(-4.6, 8.6, 6), tick_step(-4.6, 8.6, 6, at_least=3)
    (20.0, 0.5, 5.0, 2.0)
    """
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ParamError(f"need finite lo < hi for ticks, got [{lo}, {hi}]")
    if target < 1:
        raise ParamError(f"target must be at least 1 tick, got {target!r}")
    raw = (hi - lo) / target
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in _MANTISSAS if m * power >= raw)
    while len(_multiples(lo, hi, step)) < at_least:
        step = _next_smaller(step)
    return step


def tick_values(lo: float, hi: float, target: int = 5, at_least: int = 1) -> list[float]:
    """Round tick positions inside [lo, hi] at :func:`tick_step`'s step, about ``target`` of them.

    >>> tick_values(1.5, 4.5), tick_values(4.2, 61.0)
    ([2.0, 3.0, 4.0], [20.0, 40.0, 60.0])
    >>> tick_values(1.0 - 2.5e-9, 1.0 + 2.5e-9, 6, at_least=3)
    [0.999999998, 0.999999999, 1.0, 1.000000001, 1.000000002]
    """
    step = tick_step(lo, hi, target, at_least)
    decimals = tick_decimals(step)
    return [round(k * step, decimals) + 0.0 for k in _multiples(lo, hi, step)]


def tick_decimals(step: float) -> int:
    """Decimals needed so ticks that are multiples of step get distinct, exact labels.

    >>> tick_decimals(0.001), tick_decimals(0.0005), tick_decimals(20.0)
    (3, 4, 0)
    """
    if not (math.isfinite(step) and step > 0.0):
        raise ParamError(f"step must be a positive number, got {step!r}")
    for decimals in range(0, 30):
        if abs(round(step, decimals) - step) <= 1e-9 * step:
            return decimals
    return 30


def _multiples(lo: float, hi: float, step: float) -> range:
    """The k with k * step in [lo, hi] (a hair of slack for rounding at both ends)."""
    first = math.ceil(lo / step - 1e-9)
    last = first
    while last * step <= hi + 1e-9 * step:
        last += 1
    return range(first, last)


def _next_smaller(step: float) -> float:
    """The 1-2-5 step below ``step`` (5 -> 2 -> 1 -> 0.5)."""
    power = 10.0 ** math.floor(math.log10(step) + 1e-9)
    mantissa = round(step / power)
    return {1: 0.5, 2: 1.0, 5: 2.0}[mantissa] * power
