"""A function as typed: its TeX keeps the typed order and literals; its float64 value is the one
Python's own float arithmetic gives for the same text (the reference here: Python evaluates the
test's trusted strings itself)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calcanim.errors import ExpressionError
from calcanim.expr import parse_expression
from calcanim.expression_as_typed import float64_as_typed, tex_as_typed

PYTHON_NAMES = {
    "sin": math.sin, "cos": math.cos, "exp": math.exp, "log": math.log, "sqrt": math.sqrt, "abs": abs,
    "max": max, "min": min, "pi": math.pi, "e": math.e, "relu": lambda a: max(0.0, a),
}


def python_value(text: str, x: float) -> float:
    """The reference: CPython's float arithmetic on the test's own trusted text, in its order."""
    return float(eval(compile(text, "<test>", "eval"), {"__builtins__": {}}, {**PYTHON_NAMES, "x": x}))  # noqa: S307


@pytest.mark.parametrize(
    ("text", "tex"),
    [
        ("sin(4*x) + 0.1*x**2", r"\sin\left(4x\right) + 0.1x^{2}"),
        ("0.5*x**2 + 0.3*x", "0.5x^{2} + 0.3x"),
        ("exp(0.5*x)", "e^{0.5x}"),
        ("3*x**2 - 4*x + 5", "3x^{2} - 4x + 5"),
        ("x - (x - 1)", r"x - \left(x - 1\right)"),
        ("(x + 1)*(x - 1)", r"\left(x + 1\right)\left(x - 1\right)"),
        ("x*2", r"x \cdot 2"),
        ("relu(x) + abs(x)", r"\operatorname{relu}\left(x\right) + \left|x\right|"),
        ("max(x, 2*x)", r"\max\left(x, 2x\right)"),
        ("1/(1 + x**2)", r"\frac{1}{1 + x^{2}}"),
        ("2.50e-3*x", r"2.50 \cdot 10^{-3}x"),
        ("-x**2", "-x^{2}"),
        ("(-x)**2", r"\left(-x\right)^{2}"),
        ("x + -1", r"x + \left(-1\right)"),
        ("sqrt(x)", r"\sqrt{x}"),
    ],
)
def test_tex_keeps_the_typed_order_and_literals(text: str, tex: str) -> None:
    assert tex_as_typed(text) == tex


def test_text_the_parser_rejects_is_rejected_here_too() -> None:
    with pytest.raises(ExpressionError, match="use \\*\\* for powers"):
        tex_as_typed("x^2")
    with pytest.raises(ExpressionError):
        float64_as_typed("__import__('os')")


@pytest.mark.parametrize(
    ("text", "x"),
    [
        ("3*x**2 - 4*x + 5", 3.0 + 1e-8),
        ("1 + x**2 - 1", 1e-3 + 1e-5),
        ("0.1*x + 0.2*x - 0.3*x", 0.7),
        ("sin(4*x) + 0.1*x**2", 0.7),
        ("max(x, 2*x) - min(x, 0.5*x)", -1.25),
        ("relu(x - 0.3)/7", 1.1),
    ],
)
def test_float64_follows_the_typed_order_bit_for_bit(text: str, x: float) -> None:
    assert float64_as_typed(text)(x) == python_value(text, x)


def test_typed_order_differs_from_sympys_reordered_formula() -> None:
    # sympy turns 1 + x**2 - 1 into x**2; float64 as typed loses x**2's low bits in 1 + x**2
    text, x = "1 + x**2 - 1", 1e-3 + 1e-5
    assert parse_expression(text)(x) == x * x
    assert float64_as_typed(text)(x) != x * x


def test_arrays_evaluate_elementwise() -> None:
    xs = [0.5, 1.5, -2.0]
    assert list(float64_as_typed("x**3 - x")(xs)) == [python_value("x**3 - x", v) for v in xs]


coefficient = st.decimals(min_value=-100, max_value=100, places=3, allow_nan=False, allow_infinity=False)


@settings(max_examples=80, deadline=None)
@given(
    c=st.lists(coefficient, min_size=3, max_size=3),
    order=st.permutations([0, 1, 2]),
    x=st.floats(min_value=-50, max_value=50, allow_nan=False),
)
def test_random_decimal_polynomials_in_any_term_order(c: list, order: list[int], x: float) -> None:
    terms = [f"({c[0]})*x**2", f"({c[1]})*x", f"({c[2]})"]
    text = " + ".join(terms[i] for i in order)
    assert float64_as_typed(text)(x) == python_value(text, x)
