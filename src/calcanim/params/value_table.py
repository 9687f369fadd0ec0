"""A table of named numbers (``{x1 = 2.0, w1 = -3.0}``) that a frozen params object can hold.

TOML gives a plain dict; params must stay hashable, picklable and JSON-ready, so the table is a
read-only dict with a hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn


class ValueTable(dict[str, float]):
    """A read-only ``{name: number}`` mapping, in the order written.

    >>> table = ValueTable({"x1": 2.0, "b": 0.5})
    >>> hash(table) == hash(ValueTable({"x1": 2.0, "b": 0.5})), dict(table)
    (True, {'x1': 2.0, 'b': 0.5})
    >>> table["x1"] = 3.0
    Traceback (most recent call last):
    ...
    TypeError: a ValueTable cannot be changed; build a new one
    """

    def __init__(self, items: Mapping[str, float] | Iterable[tuple[str, float]] = ()) -> None:
        super().__init__(items)

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (ValueTable, (dict(self),))

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a ValueTable cannot be changed; build a new one")

    __setitem__ = __delitem__ = _read_only
    clear = pop = popitem = setdefault = update = __ior__ = _read_only
