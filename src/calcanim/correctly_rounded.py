"""Digits that are the truth: an exact or high-precision value rounded once, to the digits shown.

Formatting a float that was itself rounded from the exact value rounds twice; near a tie
that shows the wrong last digit. These functions take the exact value (a Fraction, a sympy
number, an mpmath number or a float taken as its exact binary value) and round it once,
half to even as Python's own formatting does.

>>> fixed_text(Fraction(2000000000000001, 2 * 10**15), 16)
'1.0000000000000005'
>>> fixed_text(0.125, 2), fixed_text(Fraction(-1, 10**9), 4)
('0.12', '0')
>>> scientific_parts(Fraction(1, 10**5), 3), scientific_parts(0.0099996, 3)
(('1.00', -5), ('1.00', -2))
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import mpmath
import sympy

#: Digits an irrational value is evaluated to before it is rounded (far more than any display).
_DIGITS = 60


def exact_fraction(value: Any) -> Fraction:
    """value as a Fraction: exact for ints, floats, Fractions, sympy rationals and mpmath numbers;
    other sympy numbers (sqrt(2), e) to 60 significant digits.

    >>> exact_fraction(0.1) == Fraction(3602879701896397, 36028797018963968), exact_fraction(sympy.Rational(1, 3))
    (True, Fraction(1, 3))
    >>> exact_fraction(mpmath.mpf(-1.5)), exact_fraction(mpmath.mpf(0))
    (Fraction(-3, 2), Fraction(0, 1))
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(value)
    if isinstance(value, mpmath.mpf):
        if not mpmath.isfinite(value):
            raise ValueError(f"not a finite number: {value}")
        mantissa, exponent = value.man_exp  # the magnitude's: the sign is not in it
        return (-1 if value < 0 else 1) * Fraction(int(mantissa)) * Fraction(2) ** int(exponent)
    if isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, sympy.Basic):
        approximation = sympy.N(value, _DIGITS)
        if not approximation.is_real or not approximation.is_finite:
            raise ValueError(f"not a finite real number: {value}")
        return Fraction(str(approximation))
    return Fraction(value)


def rounded_to_decimals(value: Any, decimals: int) -> Fraction:
    """value rounded once to `decimals` places (half to even), as an exact Fraction.

    >>> rounded_to_decimals(Fraction(5, 8), 2), rounded_to_decimals(sympy.pi, 4)
    (Fraction(31, 50), Fraction(3927, 1250))
    """
    scale = Fraction(10) ** decimals
    return Fraction(round(exact_fraction(value) * scale)) / scale


def fixed_text(value: Any, decimals: int, *, keep_zeros: bool = False) -> str:
    """value rounded once to `decimals` places; trailing zeros dropped unless keep_zeros; never "-0".

    >>> fixed_text(sympy.E, 6), fixed_text(17, 6), fixed_text(17, 2, keep_zeros=True)
    ('2.718282', '17', '17.00')
    """
    scaled = round(exact_fraction(value) * Fraction(10) ** decimals)
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(decimals + 1, "0")
    whole, fraction = digits[: len(digits) - decimals], digits[len(digits) - decimals :]
    if not keep_zeros:
        fraction = fraction.rstrip("0")
    text = f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"
    return text if scaled != 0 else text.lstrip("-")


def scientific_parts(value: Any, significant: int) -> tuple[str, int]:
    """(mantissa text, power of ten) of value rounded once to `significant` digits: 1 <= |m| < 10.

    A mantissa that rounds up to 10 moves to the next power (0.0099996 -> 1.00, -2).

    >>> scientific_parts(sympy.Rational(314159, 100), 2), scientific_parts(-0.5, 1), scientific_parts(0, 2)
    (('3.1', 3), ('-5', -1), ('0.0', 0))
    """
    exact = exact_fraction(value)
    if exact == 0:
        return fixed_text(0, significant - 1, keep_zeros=True), 0
    power = _floor_log10(abs(exact))
    mantissa = rounded_to_decimals(exact / Fraction(10) ** power, significant - 1)
    if abs(mantissa) >= 10:
        power += 1
        mantissa = rounded_to_decimals(exact / Fraction(10) ** power, significant - 1)
    return fixed_text(mantissa, significant - 1, keep_zeros=True), power


def scientific_tex(value: Any, significant: int = 2) -> str:
    """value rounded once to `significant` digits in TeX: plain between 0.001 and 1000, else m \\cdot 10^{k}.

    >>> scientific_tex(Fraction(1, 10**16)), scientific_tex(-0.0007992778374090737), scientific_tex(2.5e-7)
    ('10^{-16}', '-8.0 \\\\cdot 10^{-4}', '2.5 \\\\cdot 10^{-7}')
    >>> scientific_tex(0.1102230246251561), scientific_tex(-14), scientific_tex(0)
    ('0.11', '-14', '0')
    """
    exact = exact_fraction(value)
    if exact == 0:
        return "0"
    mantissa, power = scientific_parts(exact, significant)
    if -3 <= power <= 2:
        return fixed_text(exact, max(0, significant - 1 - power))
    if float(mantissa) in (1.0, -1.0):
        return f"{'-' if exact < 0 else ''}10^{{{power}}}"
    return rf"{mantissa} \cdot 10^{{{power}}}"


def _floor_log10(value: Fraction) -> int:
    """floor(log10(value)) for value > 0, exactly."""
    power = math.floor(math.log10(value.numerator) - math.log10(value.denominator))
    while Fraction(10) ** power > value:
        power -= 1
    while Fraction(10) ** (power + 1) <= value:
        power += 1
    return power


def decimal_readout(value: Any, decimals: int, *, exact_to: int = 40, relative_only: bool = False) -> tuple[bool, str]:
    """(is it exact, TeX) for a number shown to ``decimals`` places, rounded once.

    Exact (the digits are the whole value): trailing zeros dropped, "-1.5". Rounded: every place kept,
    "0.7071", and the caller writes \\approx. A value that would round to 0, or is 10^6 or more, is
    m \\cdot 10^{k} with 2 significant digits (never "2.92e-07"). A value within 10^-exact_to
    (relative; absolute below 1) of a short decimal counts as that decimal (high-precision values of 0.1 * 0.2).
    In the m \\cdot 10^{k} form the tolerance is always relative (gelu(-16.8) = -2.04997e-62 is not exactly
    -2e-62); relative_only makes it relative in the fixed form too.

    >>> decimal_readout(Fraction(-3, 2), 4), decimal_readout(sympy.sqrt(2) / 2, 4), decimal_readout(0, 4)
    ((True, '-1.5'), (False, '0.7071'), (True, '0'))
    >>> decimal_readout(2.92e-07, 4), decimal_readout(-31400000, 2), decimal_readout(Fraction(1, 10**5), 3)
    ((False, '2.9 \\\\cdot 10^{-7}'), (True, '-3.14 \\\\cdot 10^{7}'), (True, '10^{-5}'))
    >>> tiny = Fraction(-204997, 10**67)
    >>> decimal_readout(tiny, 3), decimal_readout(tiny, 3, relative_only=True)
    ((False, '-2.0 \\\\cdot 10^{-62}'), (False, '-2.0 \\\\cdot 10^{-62}'))
    """
    exact = exact_fraction(value)
    if exact == 0:
        return True, "0"
    tolerance = Fraction(1, 10**exact_to) * (abs(exact) if relative_only else max(Fraction(1), abs(exact)))
    if abs(exact) < Fraction(1, 2 * 10**decimals) or abs(exact) >= 10**6:
        # relative here: 10^-40 absolute made 5 (1 - tanh(50)^2) = 7.42e-43 "exactly" 7e-43
        tolerance = Fraction(1, 10**exact_to) * abs(exact)
        for significant in (1, 2, 3):  # the shortest exact mantissa up to 3 digits, else 2 digits rounded
            mantissa, power = scientific_parts(exact, significant)
            if abs(Fraction(mantissa) * Fraction(10) ** power - exact) <= tolerance:
                break
        else:
            mantissa, power = scientific_parts(exact, 2)
        is_exact = abs(Fraction(mantissa) * Fraction(10) ** power - exact) <= tolerance
        if mantissa in ("1", "-1"):
            return is_exact, f"{mantissa[:-1]}10^{{{power}}}"
        return is_exact, rf"{mantissa} \cdot 10^{{{power}}}"
    rounded = rounded_to_decimals(exact, decimals)
    is_exact = abs(rounded - exact) <= tolerance
    return is_exact, fixed_text(rounded, decimals, keep_zeros=not is_exact)
