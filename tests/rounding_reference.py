"""Decimal rounding shared by tests that work out a readout's text independently of calcanim's code."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal


def scientific(value: Decimal, places: int) -> tuple[Decimal, int]:
    """``value`` as mantissa x 10^power with the mantissa rounded half to even to ``places`` decimals and
    1 <= |mantissa| < 10 after rounding (9.96 to one place carries to 1.0 x 10^(power + 1))."""
    step = Decimal(1).scaleb(-places)
    power = value.adjusted()
    mantissa = value.scaleb(-power).quantize(step, rounding=ROUND_HALF_EVEN)
    if abs(mantissa) >= 10:
        power += 1
        mantissa = value.scaleb(-power).quantize(step, rounding=ROUND_HALF_EVEN)
    return mantissa, power
