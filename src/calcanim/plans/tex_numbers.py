"""Numbers as the machine-learning clips write them in TeX: fixed decimals, or a·10^k when tiny or huge.

Issue 15's rule: never "2.92e-07" on screen.
"""

from __future__ import annotations

import math


def tex_number(value: float, decimals: int = 4) -> str:
    """Fixed decimals when that shows the value, else a·10^k with 2 significant digits.

    >>> tex_number(0.70710678), tex_number(-1.5, 2), tex_number(2.92e-07), tex_number(0.0)
    ('0.7071', '-1.50', '2.9 \\\\cdot 10^{-7}', '0.0000')
    """
    if value != 0 and (abs(value) < 0.5 * 10**-decimals or abs(value) >= 1e6):
        return tex_scientific(value)
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def tex_scientific(value: float, digits: int = 2) -> str:
    """a·10^k with ``digits`` significant digits.

    >>> tex_scientific(-31400.0), tex_scientific(9.99e-5)
    ('-3.1 \\\\cdot 10^{4}', '1.0 \\\\cdot 10^{-4}')
    """
    exponent = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10**exponent, digits - 1)
    if abs(mantissa) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.{digits - 1}f} \\cdot 10^{{{exponent}}}"


def tex_power(mantissa: float, exponent: int, digits: int = 2) -> str:
    """mantissa·10^exponent for numbers beyond float64 (the parts come from mpmath).

    >>> tex_power(2.5, -412)
    '2.5 \\\\cdot 10^{-412}'
    """
    if exponent == 0:
        return f"{mantissa:.{digits - 1}f}"
    return f"{mantissa:.{digits - 1}f} \\cdot 10^{{{exponent}}}"
