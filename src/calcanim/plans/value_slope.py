"""What the plans of the value-over-slope clips (activations, loss-functions) share: a panel with a
function's curve over its slope's, and the value and slope read out at chosen points."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from calcanim.correctly_rounded import decimal_readout

#: Decimals of a value or slope in a panel's table (rounded once from the exact value; exact ones are
#: written out whole: 0.5, 0.1225 is 0.122 but 0.25 stays 0.25).
TABLE_DECIMALS = 3
#: Significant digits an mpmath value is cut to before it is rounded for the table (it carries 50).
SNAP_DIGITS = 40
#: What the table says at a kink, where there is no slope.
NO_SLOPE_TEX = r"\text{none (kink)}"


def point_tex(point: float) -> str:
    """A point exactly as it was typed (the shortest decimal that is this float), in TeX: never rounded,
    since the row's value and slope are at this very point; a tiny or huge one as m \\cdot 10^{k}.

    >>> point_tex(0.25), point_tex(-3.0), point_tex(-0.0), point_tex(2.5e-3), point_tex(1.25e-05)
    ('0.25', '-3', '0', '0.0025', '1.25 \\\\cdot 10^{-5}')
    """
    if point == 0:
        return "0"
    digits = Decimal(repr(point))
    if 1e-3 <= abs(point) < 1e6:
        text = format(digits, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    sign, mantissa_digits, _ = digits.normalize().as_tuple()
    power = digits.adjusted()
    mantissa = "".join(map(str, mantissa_digits))
    mantissa = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    body = f"10^{{{power}}}" if mantissa == "1" else rf"{mantissa} \cdot 10^{{{power}}}"
    return ("-" if sign else "") + body


def table_tex(value: Any) -> str:
    """A value for a table cell, rounded once from its exact value (a Fraction or mpmath number) to
    TABLE_DECIMALS places; exact short values whole, tiny or huge ones as m \\cdot 10^{k}, never "-0.000".

    An mpmath value (computed at 50 digits) is first cut to 40 significant digits, so a value that is a short
    decimal (leaky_relu at -0.25: -0.0025) rounds as that decimal, half to even, not by its binary last bits.

    >>> table_tex(0.5), table_tex(0.5625), table_tex(-0.00004), table_tex(-0.0)
    ('0.5', '0.562', '-4.0 \\\\cdot 10^{-5}', '0')
    >>> with mpmath.workdps(50): table_tex(mpmath.mpf("0.01") * mpmath.mpf("-0.25"))
    '-0.002'
    """
    if isinstance(value, mpmath.mpf):
        value = Fraction(Decimal(mpmath.nstr(value, SNAP_DIGITS)))
    return decimal_readout(value, TABLE_DECIMALS, relative_only=True)[1]

#: A plot window (x_min, x_max, y_min, y_max).
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class SlopeSample:
    """f(point) and f'(point); the slope is None at a kink, where there is no derivative."""

    point: float
    value: float
    slope: float | None

    def to_json(self, point_name: str, slope_name: str) -> dict[str, Any]:
        """The sample under the names the clip's JSON gives the point and the slope (activations: x and derivative)."""
        return {point_name: self.point, "value": self.value, slope_name: self.slope}


@dataclass(frozen=True, kw_only=True)
class ValueSlopePanel:
    """One function as drawn: its curve in one window over its slope's in another, and the readouts."""

    name: str
    tex: str
    #: (n, 2) array of (x, f(x)).
    value_curve: np.ndarray
    #: (n, 2) arrays of (x, f'(x)), split at a kink so the jump is not drawn as a slope.
    slope_parts: tuple[np.ndarray, ...]
    value_window: Box
    slope_window: Box
    samples: tuple[SlopeSample, ...]
    kink: float | None

    def exact_at(self, point: float) -> tuple[Any, Any | None]:
        """(f, f') at ``point`` read as the decimal it prints as, exactly or to far more digits than shown."""
        raise NotImplementedError

    @property
    def rows(self) -> list[tuple[str, str, str]]:
        """The table's rows in TeX: the point as typed, f and f' there rounded once (f' is "none" at a kink)."""
        rows = []
        for sample in self.samples:
            value, slope = self.exact_at(sample.point)
            rows.append((point_tex(sample.point), table_tex(value), NO_SLOPE_TEX if slope is None else table_tex(slope)))
        return rows
