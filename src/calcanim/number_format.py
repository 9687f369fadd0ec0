"""How clips write numbers in labels, captions and readouts: one place for the formats the plans
compute (scenes only draw the text)."""

from __future__ import annotations

import math


def decimal_label(value: float, decimals: int) -> str:
    """value rounded to decimals places, trailing zeros dropped.

    >>> decimal_label(14.299999999999997, 6), decimal_label(17.0, 6), decimal_label(-0.0, 3)
    ('14.3', '17', '0')
    """
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def number_text(value: float, digits: int = 3) -> str:
    """A short decimal for labels and captions.

    >>> number_text(0.1), number_text(-1.2), number_text(1e-05), number_text(2.0)
    ('0.1', '-1.2', '1e-05', '2')
    """
    return f"{value:.{digits}g}"


def number_tex(value: float, digits: int = 3) -> str:
    """A short number for TeX: plain decimals from 0.0001 to 10^4, else a times a power of ten (never '1e-05').

    >>> number_tex(0.1), number_tex(2.92e-07), number_tex(1e-05), number_tex(-1.0316), number_tex(0.0005)
    ('0.1', '2.92 \\\\cdot 10^{-7}', '10^{-5}', '-1.03', '0.0005')
    """
    if value == 0 or 1e-4 <= abs(value) < 1e4:
        return number_text(value, digits)
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    power = f"10^{{{int(exponent)}}}"
    if mantissa in ("1", "-1"):
        return power if mantissa == "1" else f"-{power}"
    return rf"{mantissa} \cdot {power}"


def plain_number(value: float) -> str:
    """A value as the clip writes it: whole numbers plainly, otherwise 6 significant digits.

    >>> plain_number(2.0), plain_number(-2.0), plain_number(0.6931471805599453), plain_number(0.0)
    ('2', '-2', '0.693147', '0')
    """
    if abs(value - round(value)) <= 1e-12 * max(1.0, abs(value)):
        return str(int(round(value))) if abs(value) < 1e15 else f"{value:.6g}"
    return f"{value:.6g}"


def tick_text(value: float, span: float) -> str:
    """An axis label rounded to the axis' scale: two significant digits of the span.

    >>> tick_text(2.9e-07, 18.8), tick_text(18.76, 18.8), tick_text(-1.2345, 0.5)
    ('0', '19', '-1.23')
    """
    decimals = max(0, 1 - int(math.floor(math.log10(span)))) if span > 0 else 2
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text
