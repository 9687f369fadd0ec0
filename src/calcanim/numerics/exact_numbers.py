"""Numbers made exact for sympy: a float either by its exact binary value or by the decimal a user typed.

Shared by the modules that evaluate an expression exactly at a point (difference quotients, little-o,
zoom linearity), so all of them turn a float into a sympy number the same way.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import sympy

from calcanim.errors import ParamError


def _finite(value: Any) -> float:
    """value as a finite float; ParamError for inf or nan."""
    number = float(value)
    if not math.isfinite(number):
        raise ParamError(f"expected a finite number, got {value!r}")
    return number


def exact_binary(value: Any) -> sympy.Expr:
    """value as an exact sympy number: floats by their exact binary value (no rounding before evaluation),
    Fractions and ints exactly, sympy values unchanged.

    >>> exact_binary(0.5), exact_binary(Fraction(1, 3)), exact_binary(0.1) == sympy.Rational(1, 10)
    (1/2, 1/3, False)
    """
    if isinstance(value, sympy.Basic):
        return sympy.sympify(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, int):
        return sympy.Integer(value)
    return sympy.Rational(_finite(value))


def exact_decimal(value: Any) -> sympy.Expr:
    """A float as the exact decimal a user typed (its shortest repr); sympy numbers unchanged.

    >>> exact_decimal(0.1), exact_decimal(1000.0)
    (1/10, 1000)
    """
    if isinstance(value, sympy.Basic):
        return sympy.sympify(value)
    return sympy.Rational(repr(_finite(value)))
