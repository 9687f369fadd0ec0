"""The one free variable of a user's f(x), for the modules that differentiate or substitute into it."""

from __future__ import annotations

import sympy

from calcanim.errors import ParamError


def single_variable(expr: sympy.Expr) -> sympy.Symbol:
    """The single free symbol of expr (x; a constant f counts as a function of x); ParamError for several symbols."""
    symbols = list(expr.free_symbols)
    if not symbols:
        return sympy.Symbol("x", real=True)
    if len(symbols) != 1:
        raise ParamError(f"expected an expression in one variable x, got {expr}")
    return symbols[0]
