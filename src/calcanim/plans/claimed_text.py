"""A number in a caption after the sign it deserves: "= v" when the digits shown are the value, else "≈ v"."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from calcanim.correctly_rounded import exact_fraction, fixed_text, scientific_parts

#: A value this close (relative) to its shown digits is written "= v", else "≈ v".
SAME_AS_SHOWN_RTOL = Fraction(1, 10**9)
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def claimed_text(value: Any, digits: int = 3) -> str:
    """value after "= " when its ``digits`` significant digits are the value (to float precision), else after
    "≈ " rounded once with its zeros kept; plain from 10^-4 to below 1000, else m·10ᵏ (never "2.19e-63").
    "f = 4" for 3.9968 read as no progress at all; it is "f ≈ 4.00".

    >>> claimed_text(4.0), claimed_text(3.9968), claimed_text(0.2), claimed_text(1 / 3)
    ('= 4', '≈ 4.00', '= 0.2', '≈ 0.333')
    >>> claimed_text(2.19e-63 * 1.0001), claimed_text(4.000000000000001e-40), claimed_text(-39.304), claimed_text(0.0)
    ('≈ 2.19·10⁻⁶³', '= 4·10⁻⁴⁰', '≈ -39.3', '= 0')
    """
    exact = exact_fraction(value)
    if exact == 0:
        return "= 0"
    mantissa, power = scientific_parts(exact, digits)
    same = abs(Fraction(mantissa) * Fraction(10) ** power - exact) <= abs(exact) * SAME_AS_SHOWN_RTOL
    if same and "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    if -4 <= power <= 2:
        body = fixed_text(exact, max(0, digits - 1 - power), keep_zeros=not same)
    else:
        body = f"{mantissa}·10{str(power).translate(_SUPERSCRIPTS)}"
    return ("= " if same else "≈ ") + body


def typed_text(value: float) -> str:
    """A number the user typed, in plain text as typed (its shortest decimal, never rounded): plain from 10^-4
    to below 10^6, else m·10ᵏ ("η = 1e-05" and "x = 1.23e+03" for 1234.5678 were e-notation, the latter rounded).

    >>> typed_text(1e-05), typed_text(1234.5678), typed_text(0.1), typed_text(-2.0), typed_text(2.5e7), typed_text(-0.0)
    ('10⁻⁵', '1234.5678', '0.1', '-2', '2.5·10⁷', '0')
    """
    if value == 0:
        return "0"
    digits = Decimal(repr(float(value)))
    if 1e-4 <= abs(value) < 1e6:
        text = format(digits, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    sign, mantissa_digits, _ = digits.normalize().as_tuple()
    power = str(digits.adjusted()).translate(_SUPERSCRIPTS)
    mantissa = "".join(map(str, mantissa_digits))
    mantissa = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    return ("-" if sign else "") + (f"10{power}" if mantissa == "1" else f"{mantissa}·10{power}")
