"""The machinery every scene's parameters share: typed fields with help and ranges, built from
a mapping (a TOML table or ``--set`` pairs) with messages that say what is wrong and how to fix it.

Kept free of numpy, sympy and manim so that ``list``, ``show`` and ``--help`` answer at once.
"""

from __future__ import annotations

import dataclasses
import math
import reprlib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from calcanim.errors import ParamError
from calcanim.suggest import did_you_mean
from calcanim.work_limit import WorkLimitError, symbolic_work_limit

NAMED_CONSTANTS = {"e": math.e, "pi": math.pi}
#: Nonzero numbers smaller than this in size are refused: no clip means them, and dividing by a
#: subnormal such as 5e-324 overflows to inf.
SMALLEST_NONZERO = 1e-100
#: Longest list a parameter takes unless its field sets a smaller max_items: every item costs work (a
#: mark is a_n to 50 digits, a zoom or a step is a stage of the clip) and room on screen, and a list of
#: thousands (15,000 marks took 40 s to inspect) is refused before its items are read.
MAX_ITEMS = 16


class _ShortRepr(reprlib.Repr):
    """repr for messages: short, bounded in depth (lists nested thousands deep), and safe for
    integers too long for str() (Python refuses more than 4300 digits)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxlist, self.maxtuple, self.maxdict, self.maxstring, self.maxother = 3, 8, 8, 6, 80, 80

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() <= 100:
            return repr(x)
        return f"an integer of about {int((x.bit_length() - 1) * math.log10(2)) + 1} digits"


shown = _ShortRepr().repr


@dataclass(frozen=True)
class Bounds:
    """An allowed numeric range; each side optional, inclusive or strict."""

    low: float | None = None
    high: float | None = None
    low_strict: bool = False
    high_strict: bool = False

    def contains(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.low_strict else value < self.low):
            return False
        if self.high is not None and (value >= self.high if self.high_strict else value > self.high):
            return False
        return True

    def describe(self) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_strict else '>='} {_number_text(self.low)}")
        if self.high is not None:
            parts.append(f"{'<' if self.high_strict else '<='} {_number_text(self.high)}")
        return " and ".join(parts)


def _number_text(value: float) -> str:
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) >= 1e6):
        value = int(value)
        return f"10^{len(str(value)) - 1}" if value >= 10**6 and str(value).strip("0") == "1" else str(value)
    return repr(value)


def param(
    default: Any,
    help: str,
    *,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    choices: tuple[str, ...] | None = None,
    min_items: int = 0,
    max_items: int = MAX_ITEMS,
) -> Any:
    """A scene parameter: its default, a one-line help, and what values are allowed.

    For tuple fields the range applies to every item, and the list holds min_items to max_items items.
    """
    bounds = Bounds(
        low=gt if gt is not None else ge,
        high=lt if lt is not None else le,
        low_strict=gt is not None,
        high_strict=lt is not None,
    )
    metadata = {"help": help, "bounds": bounds, "choices": choices, "min_items": min_items, "max_items": max_items}
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class ParamInfo:
    """One row of ``calcanim show``."""

    name: str
    type_text: str
    default: Any
    allowed: str
    help: str


@dataclass(frozen=True, kw_only=True)
class SceneParams:
    """Base of every scene's parameters. Subclasses add fields with :func:`param`."""

    scene_name: ClassVar[str] = "scene"

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            coerced = _coerce(self, f, value)
            if coerced is not value:
                object.__setattr__(self, f.name, coerced)
        try:
            with symbolic_work_limit("checking it"):
                self.check()
        except WorkLimitError as error:
            self.fail(self._expression_field(), f"{error}; choose a simpler expression")

    def _expression_field(self) -> str:
        """The field a too-slow check most likely hangs on: the first free-text value (an expression)."""
        for f in dataclasses.fields(self):
            if not f.metadata.get("choices") and isinstance(value := getattr(self, f.name), str) and value:
                return f.name
        return dataclasses.fields(self)[0].name

    def check(self) -> None:
        """Checks that span several fields; subclasses override and raise :class:`ParamError`."""

    def fail(self, name: str, reason: str) -> typing.NoReturn:
        """Raise the house-style message for field ``name``."""
        raise ParamError(
            f"invalid value for '{name}' in {self.scene_name}: {reason} "
            f"(see `calcanim show {self.scene_name}`)",
            field=name,
        )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, source: str = "parameters") -> Self:
        """Build from a TOML table or ``--set`` pairs; unknown keys name the nearest valid key."""
        names = cls.field_names()
        for key in values:
            if key not in names:
                hint = did_you_mean(key, names, cutoff=0.5)
                raise ParamError(
                    f"unknown parameter '{key}' for {cls.scene_name} in {source}; {hint}"
                    f"valid parameters: {', '.join(names)}",
                    field=key,
                )
        return cls(**dict(values))

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (tuples become lists)."""
        return {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in dataclasses.fields(self)
        }

    @classmethod
    def describe(cls) -> list[ParamInfo]:
        """Name, type, default, allowed values and help of every field, for ``calcanim show``."""
        hints = _hints(cls)
        rows = []
        for f in dataclasses.fields(cls):
            meta = f.metadata
            allowed = []
            if meta.get("choices"):
                allowed.append("one of " + ", ".join(meta["choices"]))
            if meta.get("bounds") and meta["bounds"].describe():
                allowed.append(meta["bounds"].describe())
            if isinstance(f.default, tuple):
                allowed.append(items_allowed(meta.get("min_items", 0), meta.get("max_items", MAX_ITEMS)))
            rows.append(
                ParamInfo(
                    name=f.name,
                    type_text=_type_text(hints[f.name]),
                    default=list(f.default) if isinstance(f.default, tuple) else f.default,
                    allowed="; ".join(allowed) or "any",
                    help=meta.get("help", ""),
                )
            )
        return rows


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """The resolved type hints of a params class (computed once per class)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _type_text(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is tuple:
        return f"list of {_type_text(typing.get_args(tp)[0])}"
    if origin is dict:
        return f"table of name = {_type_text(typing.get_args(tp)[1])}"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_text(a) for a in typing.get_args(tp) if a is not type(None)) + " or none"
    return {int: "integer", float: "number", bool: "true/false", str: "text"}.get(tp, str(tp))


def _coerce(params: SceneParams, f: dataclasses.Field[Any], value: Any) -> Any:
    tp = _hints(type(params))[f.name]
    meta = f.metadata
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
        origin = typing.get_origin(tp)
    if origin is tuple:
        item_type = typing.get_args(tp)[0]
        items = value if isinstance(value, (list, tuple)) else [value]
        most = meta.get("max_items", MAX_ITEMS)
        if len(items) > most:  # before any item is read: a list of thousands costs seconds to check
            params.fail(f.name, f"takes at most {most} items, got {len(items)}")
        coerced = tuple(_coerce_scalar(params, f.name, item_type, meta, item, in_list=True) for item in items)
        if len(coerced) < meta.get("min_items", 0):
            params.fail(f.name, f"needs at least {meta['min_items']} item(s), got {len(coerced)}")
        return coerced
    return _coerce_scalar(params, f.name, tp, meta, value)


def _coerce_scalar(
    params: SceneParams, name: str, tp: type, meta: Mapping[str, Any], value: Any, in_list: bool = False
) -> Any:
    what = "every item must be" if in_list else "must be"
    if tp is bool:
        if not isinstance(value, bool):
            params.fail(name, f"{what} true or false, got {shown(value)}")
        return value
    if tp is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            params.fail(name, f"{what} an integer{_range_suffix(meta)}, got {shown(value)}")
    elif tp is float:
        if isinstance(value, str) and value.strip().lower() in NAMED_CONSTANTS:
            value = NAMED_CONSTANTS[value.strip().lower()]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            params.fail(name, f"{what} a number (or e, pi){_range_suffix(meta)}, got {shown(value)}")
        try:
            value = float(value)
        except OverflowError:
            params.fail(name, f"{what} a finite number{_range_suffix(meta)}, got {shown(value)}")
        if not math.isfinite(value):
            params.fail(name, f"{what} a finite number, got {value!r}")
        if value != 0.0 and abs(value) < SMALLEST_NONZERO:
            params.fail(name, f"{what} 0 or at least {SMALLEST_NONZERO:g} in size, got {value!r}")
    elif tp is str:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and _fits_text(value):
            value = repr(value)  # --set function=5: a constant is a function too
        if not isinstance(value, str):
            params.fail(name, f"{what} text, got {shown(value)}")
        choices = meta.get("choices")
        if choices and value not in choices:
            hint = did_you_mean(value, choices, " (did you mean '{}'?)", cutoff=0.5)
            params.fail(name, f"{what} one of {', '.join(choices)}, got {shown(value)}{hint}")
        return value
    bounds: Bounds | None = meta.get("bounds")
    if bounds is not None and not bounds.contains(value):
        params.fail(name, f"{what} {bounds.describe()}, got {shown(value)}")
    return value


def items_allowed(least: int, most: int) -> str:
    """How long a list may be, for ``calcanim show``.

    >>> items_allowed(0, 16), items_allowed(1, 8), items_allowed(2, 2)
    ('at most 16 items', '1 to 8 items', '2 items')
    """
    if least == most:
        return f"{most} items"
    return f"{least} to {most} items" if least else f"at most {most} items"


def _fits_text(value: float) -> bool:
    """A number whose repr is short: finite, and an int of at most 100 bits."""
    return math.isfinite(value) if isinstance(value, float) else value.bit_length() <= 100


def _range_suffix(meta: Mapping[str, Any]) -> str:
    bounds: Bounds | None = meta.get("bounds")
    text = bounds.describe() if bounds else ""
    return f" {text}" if text else ""
