"""A user's function exactly as typed: its TeX in the typed term order, and its float64 value
computed operation by operation in that order.

sympy reorders terms (sin(4*x) + 0.1*x**2 becomes x**2/10 + sin(4*x)) and rewrites literals;
on screen and in a float64 demonstration the user's own formula is what must appear, since
float64 addition is not associative. Both walk the Python syntax tree of text that
:func:`calcanim.expr.parse_expression` has already accepted, so nothing here is evaluated as Python.

>>> tex_as_typed("sin(4*x) + 0.1*x**2")
'\\\\sin\\\\left(4x\\\\right) + 0.1x^{2}'
>>> float64_as_typed("0.1 + 0.2 - 0.3")(0.0) == (0.1 + 0.2) - 0.3
True
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from calcanim.expr import parse_expression

_Float64 = Callable[[tuple[Any, ...]], Any]

_NUMPY: dict[str, Callable[..., Any]] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log, "ln": np.log,
    "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh,
    "atan": np.arctan, "arctan": np.arctan,
    "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)),
    "relu": lambda a: np.maximum(0.0, a),
    "softplus": lambda a: np.log(1.0 + np.exp(a)),
    "min": np.minimum, "max": np.maximum,
}
_OPERATORS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: np.power,
}
_CONSTANTS = {"pi": math.pi, "e": math.e}

_TEX_FUNCTIONS = {
    "sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "log": r"\ln", "ln": r"\ln", "tanh": r"\tanh",
    "sinh": r"\sinh", "cosh": r"\cosh", "atan": r"\arctan", "arctan": r"\arctan", "sigmoid": r"\sigma",
    "relu": r"\operatorname{relu}", "softplus": r"\operatorname{softplus}", "min": r"\min", "max": r"\max",
}
# Binding strength of each kind of node, for parentheses: sums < products < signs < powers < atoms.
_SUM, _PRODUCT, _SIGN, _POWER, _ATOM = 1, 2, 3, 4, 5


def _tree(text: str, variables: tuple[str, ...]) -> tuple[str, ast.AST]:
    """The accepted source and its expression node (parse_expression raises on anything else)."""
    source = parse_expression(text, variables).text
    return source, ast.parse(source, mode="eval").body


def float64_as_typed(text: str, variables: tuple[str, ...] = ("x",)) -> Callable[..., float | np.ndarray]:
    """f evaluated in float64 one typed operation at a time, left to right as written.

    Literals are the floats Python reads from their text (0.1 is the double nearest 1/10).

    >>> f = float64_as_typed("3*x**2 - 4*x + 5")
    >>> f(3.0), f(1.0 + 1e-16)
    (20.0, 4.0)
    """
    source, node = _tree(text, variables)
    evaluate = _float64(node, variables)

    def function(*args: Any) -> float | np.ndarray:
        arrays = tuple(np.asarray(a, dtype=np.float64) for a in args)
        with np.errstate(all="ignore"):
            value = np.asarray(evaluate(arrays), dtype=np.float64)
        shape = np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else ()
        value = np.broadcast_to(value, shape)
        return float(value) if shape == () else value.copy()

    return function


def _float64(node: ast.AST, variables: tuple[str, ...]) -> _Float64:
    if isinstance(node, ast.Constant):
        value = np.float64(float(node.value))  # type: ignore[arg-type]  # parse_expression allows only int and float
        return lambda args: value
    if isinstance(node, ast.Name):
        if node.id in variables:
            return operator.itemgetter(variables.index(node.id))
        constant = np.float64(_CONSTANTS[node.id])
        return lambda args: constant
    if isinstance(node, ast.BinOp):
        combine = _OPERATORS[type(node.op)]
        left, right = _float64(node.left, variables), _float64(node.right, variables)
        return lambda args: combine(left(args), right(args))
    if isinstance(node, ast.UnaryOp):
        inner = _float64(node.operand, variables)
        if isinstance(node.op, ast.USub):
            return lambda args: -inner(args)
        return inner
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        function = _NUMPY[node.func.id]
        parts = [_float64(arg, variables) for arg in node.args]
        return lambda args: function(*(part(args) for part in parts))
    raise ValueError(f"not an accepted expression node: {ast.dump(node)}")  # parse_expression forbids it


def tex_as_typed(text: str, variables: tuple[str, ...] = ("x",)) -> str:
    """TeX for f with its terms, factors and literals in the order and form the user typed.

    Products of a number and a letter are juxtaposed (4x), others use a centred dot; a/b is a
    fraction; exp(u) is e^{u}; abs(u) is |u|.

    >>> tex_as_typed("0.5*x**2 + 0.3*x"), tex_as_typed("exp(0.5*x)"), tex_as_typed("abs(x - 1)/2")
    ('0.5x^{2} + 0.3x', 'e^{0.5x}', '\\\\frac{\\\\left|x - 1\\\\right|}{2}')
    >>> tex_as_typed("pi*x"), tex_as_typed("2*3**-x"), tex_as_typed("-(x + 1)**2"), tex_as_typed("1e-3*x")
    ('\\\\pi x', '2 \\\\cdot 3^{-x}', '-\\\\left(x + 1\\\\right)^{2}', '10^{-3}x')
    """
    source, node = _tree(text, variables)
    return _Tex(source).tex(node)[0]


class _Tex:
    def __init__(self, source: str) -> None:
        self.source = source

    def tex(self, node: ast.AST) -> tuple[str, int]:
        """(TeX, binding strength) of one node."""
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return (r"\pi" if node.id == "pi" else node.id), _ATOM
        if isinstance(node, ast.UnaryOp):
            inner = self.wrapped(node.operand, _SIGN)
            return ("-" if isinstance(node.op, ast.USub) else "+") + inner, _SIGN
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node.func.id, node.args)
        raise ValueError(f"not an accepted expression node: {ast.dump(node)}")

    def wrapped(self, node: ast.AST, strength: int) -> str:
        """TeX of node, in parentheses when it binds less tightly than `strength`."""
        tex, own = self.tex(node)
        return tex if own >= strength else rf"\left({tex}\right)"

    def number(self, node: ast.Constant) -> tuple[str, int]:
        text = (ast.get_source_segment(self.source, node) or repr(node.value)).replace("_", "")
        mantissa, _, exponent = text.lower().partition("e")
        if not exponent:
            return mantissa, _ATOM
        power = f"10^{{{int(exponent)}}}"
        return (power, _POWER) if float(mantissa) == 1.0 else (rf"{mantissa} \cdot {power}", _PRODUCT)

    def binary(self, node: ast.BinOp) -> tuple[str, int]:
        if isinstance(node.op, (ast.Add, ast.Sub)):
            left = self.wrapped(node.left, _SUM)
            right = self.wrapped(node.right, _PRODUCT if isinstance(node.op, ast.Sub) else _SUM)
            sign = " + " if isinstance(node.op, ast.Add) else " - "
            if right.startswith("-"):
                right = rf"\left({right}\right)"
            return left + sign + right, _SUM
        if isinstance(node.op, ast.Div):
            return rf"\frac{{{self.tex(node.left)[0]}}}{{{self.tex(node.right)[0]}}}", _ATOM
        if isinstance(node.op, ast.Pow):
            base = self.wrapped(node.left, _ATOM)
            return f"{base}^{{{self.tex(node.right)[0]}}}", _POWER
        left = self.wrapped(node.left, _PRODUCT)
        right = self.wrapped(node.right, _SIGN + 1)
        juxtaposed = not (right[0].isdigit() or right[0] in "-+.") and not right.startswith(r"\frac")
        if not juxtaposed:
            return rf"{left} \cdot {right}", _PRODUCT
        return left + (" " if re.search(r"\\[a-zA-Z]+$", left) else "") + right, _PRODUCT

    def call(self, name: str, args: list[ast.expr]) -> tuple[str, int]:
        inner = ", ".join(self.tex(arg)[0] for arg in args)
        if name == "exp":
            return f"e^{{{inner}}}", _POWER
        if name == "sqrt":
            return rf"\sqrt{{{inner}}}", _ATOM
        if name == "abs":
            return rf"\left|{inner}\right|", _ATOM
        return rf"{_TEX_FUNCTIONS[name]}\left({inner}\right)", _ATOM
