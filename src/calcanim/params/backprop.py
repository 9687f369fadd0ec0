"""Parameters of the backprop clip: the chain rule on the computation graph of an expression."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from calcanim.errors import ExpressionError
from calcanim.params.base import SceneParams, param, shown
from calcanim.params.value_table import ValueTable

#: micrograd's neuron and the lesson's numbers: output 0.7071, grads x1 = -1.5, w1 = 1, x2 = 0.5, w2 = 0, b = 0.5.
NEURON = "tanh(x1*w1 + x2*w2 + b)"
NEURON_VALUES = ValueTable({"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432})
#: Beyond these the graph no longer lays out legibly on one screen.
MAX_NODES = 25
MAX_DEPTH = 8
MAX_PER_COLUMN = 5


@dataclass(frozen=True, kw_only=True)
class BackpropParams(SceneParams):
    """Forward and backward pass on the computation graph of a scalar expression."""

    scene_name: ClassVar[str] = "backprop"

    expression: str = param(NEURON, "a scalar expression in named inputs, e.g. tanh(x1*w1 + x2*w2 + b)")
    values: dict[str, float] = param(
        NEURON_VALUES,
        "a value for every input of the expression, as a TOML table: --set 'values={x = 2.0, y = -1.0}'",
    )
    decimals: int = param(4, "decimal places of the values and grads in the nodes", ge=1, le=6)
    step_seconds: float = param(0.6, "seconds per node in the forward pass and per edge in the backward pass",
                                ge=0.2, le=5)

    def check(self) -> None:
        object.__setattr__(self, "values", self._checked_values(self.values))
        import ast

        from calcanim.expr import parse_syntax_tree

        try:
            _, tree = parse_syntax_tree(self.expression, tuple(self.values))
        except ExpressionError as error:
            self.fail("expression", f"{error}; every input needs a number in 'values', e.g. "
                                    f"--set 'values={{x = 1.0, y = 2.0}}'")
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        unused = [name for name in self.values if name not in used]
        if unused:
            self.fail("values", f"'{unused[0]}' does not appear in the expression {self.expression!r}; remove it")

    def _checked_values(self, raw: Any) -> ValueTable:
        if not isinstance(raw, dict):
            self.fail("values", f"must be a table of name = number, e.g. {{x = 2.0, y = -1.0}}, got {shown(raw)}")
        if not raw:
            self.fail("values", "needs at least one input, e.g. {x = 2.0}")
        checked: dict[str, float] = {}
        for name, value in raw.items():
            if not isinstance(name, str) or not name.isidentifier():
                self.fail("values", f"input names must be plain names such as x1 or w, got {shown(name)}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not _finite(value):
                self.fail("values", f"'{name}' must be a finite number, got {shown(value)}")
            checked[name] = float(value)
        return ValueTable(checked)


def _finite(value: int | float) -> bool:
    """A float64 can hold it: finite, and an integer not beyond float range (10**400 is not)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False
