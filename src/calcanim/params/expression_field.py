"""Checking a params field that holds a user expression: the message names the field and what is wrong.

The parser (calcanim.expr, which loads sympy) is imported only when a params object is built,
so `calcanim list` and `show` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from calcanim.errors import ExpressionError, quoted

if TYPE_CHECKING:
    from calcanim.expr import Expression
    from calcanim.params.base import SceneParams


def check_function(params: SceneParams, name: str, text: str, variables: tuple[str, ...] = ("x",)) -> Expression:
    """Parse ``text``; an ExpressionError becomes the house-style ParamError for field ``name``."""
    from calcanim.expr import parse_expression

    try:
        expression = parse_expression(text, variables)
    except ExpressionError as error:
        params.fail(name, f"{error} (got {quoted(text)})")
    return expression
