"""Digits rounded once from the exact value, checked against Python's decimal module at 100 digits."""

from __future__ import annotations

import decimal
from fractions import Fraction

import mpmath
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from calcanim.correctly_rounded import exact_fraction, fixed_text, scientific_parts, scientific_tex


def decimal_of(value: Fraction) -> decimal.Decimal:
    with decimal.localcontext(decimal.Context(prec=100)):
        return decimal.Decimal(value.numerator) / decimal.Decimal(value.denominator)


def reference_fixed(value: Fraction, places: int) -> str:
    quantum = decimal.Decimal(1).scaleb(-places)
    with decimal.localcontext(decimal.Context(prec=200, rounding=decimal.ROUND_HALF_EVEN)):
        text = format(decimal_of(value).quantize(quantum), "f")
    return text


fractions = st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**9)


@given(value=fractions, places=st.integers(min_value=0, max_value=12))
def test_fixed_text_is_decimals_rounding(value: Fraction, places: int) -> None:
    expected = reference_fixed(value, places)
    if decimal.Decimal(expected) == 0:
        expected = expected.lstrip("-")
    assert fixed_text(value, places, keep_zeros=True) == expected


@given(value=fractions.filter(lambda v: v != 0), digits=st.integers(min_value=1, max_value=8))
def test_scientific_parts_match_decimal_e_format(value: Fraction, digits: int) -> None:
    with decimal.localcontext(decimal.Context(prec=200, rounding=decimal.ROUND_HALF_EVEN)):
        text = f"{decimal_of(value):.{digits - 1}e}"
    mantissa, _, power = text.partition("e")
    assert scientific_parts(value, digits) == (mantissa, int(power))


def test_double_rounding_is_avoided() -> None:
    # 0.125000000000000001 rounds up to 0.13; the float nearest it is 0.125, which rounds (half even) to 0.12
    value = Fraction(125000000000000001, 10**18)
    assert float(value) == 0.125 and f"{float(value):.2f}" == "0.12"
    assert fixed_text(value, 2) == "0.13"


def test_exact_fraction_of_floats_mpmath_and_sympy() -> None:
    assert exact_fraction(0.1) == Fraction(0.1) != Fraction(1, 10)
    assert exact_fraction(mpmath.mpf(0.1)) == Fraction(0.1)
    assert exact_fraction(sympy.Rational(3, 7)) == Fraction(3, 7)
    with mpmath.workdps(80):
        pi_80 = Fraction(mpmath.nstr(mpmath.pi, 80))
    assert abs(exact_fraction(sympy.pi) - pi_80) < Fraction(1, 10**58)


@pytest.mark.parametrize(
    ("value", "tex"),
    [(Fraction(1, 10**16), "10^{-16}"), (-0.0007992778374090737, r"-8.0 \cdot 10^{-4}"), (Fraction(1234567), r"1.2 \cdot 10^{6}"), (0.5, "0.5")],
)
def test_scientific_tex(value: object, tex: str) -> None:
    assert scientific_tex(value) == tex
