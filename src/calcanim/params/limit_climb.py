"""Parameters of the limit-climb clip: a sequence a_n (default (1 + 1/n)^n) climbing to its limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from calcanim.params.base import SceneParams, param

MAX_N = 10**15
DEFAULT_MARKS = (1, 2, 10, 100, 1000, 1_000_000)
DEFAULT_SEQUENCE = "(1 + 1/n)**n"


@dataclass(frozen=True, kw_only=True)
class LimitClimbParams(SceneParams):
    """a_n as n runs from its first defined n to n_max on a log-scaled axis, settling on its limit."""

    scene_name: ClassVar[str] = "limit-climb"

    sequence: str = param(
        DEFAULT_SEQUENCE,
        "a_n in calcanim's expression language with the variable n, e.g. (1 + 2/n)**n, n**(1/n), 1 - 1/(n + 1); "
        "it starts at its first defined n",
    )
    limit: str = param(
        "",
        "the limit as an exact expression (e, exp(2), pi**2/6, 1); empty: found by sympy as n -> oo; "
        "refused if sympy finds a different one, trusted where sympy cannot find it",
    )
    n_max: int = param(1_000_000, "largest n the dot climbs to", ge=1, le=MAX_N)
    marks: tuple[int, ...] = param(
        DEFAULT_MARKS,
        "values of n marked on the curve with their a_n; each within [first defined n, n_max]",
        ge=1,
        le=MAX_N,
    )
    decimals: int = param(6, "decimal places of the live a_n readout", ge=0, le=12)
    lock_decimals: int | None = param(
        None,
        "the a_n readout locks (turns green) once |a_n - limit| < 0.5 * 10^-lock_decimals from there on; "
        "unset: the most decimals up to 5 that a_n reaches by n_max/2",
        ge=0,
        le=12,
    )
    duration: float = param(8.0, "seconds the climb takes (the clip adds a short intro and ending)", ge=1, le=120)

    def __post_init__(self) -> None:
        # A number is an expression too: --set limit=2 or sequence=3 arrive from TOML as numbers.
        for name in ("sequence", "limit"):
            value: Any = getattr(self, name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                object.__setattr__(self, name, repr(value))
        super().__post_init__()

    def check(self) -> None:
        if self.marks == DEFAULT_MARKS:
            object.__setattr__(self, "marks", default_marks(self.n_max))
        outside = [m for m in self.marks if m > self.n_max]
        if outside:
            self.fail("marks", f"every mark must be within [1, n_max={self.n_max}], got {outside[0]}")
        if list(self.marks) != sorted(set(self.marks)):
            object.__setattr__(self, "marks", tuple(sorted(set(self.marks))))
        if self.sequence == DEFAULT_SEQUENCE and not self.limit.strip():
            return  # known good: validating the default clip (a cached batch re-run) loads no sympy
        # Imported here: sympy loads slowly, and `calcanim list` / `show` should not wait for it. Whether
        # a_n has a finite limit, and where it starts, the plan works out (calcanim.numerics.sequences).
        from calcanim.errors import ExpressionError, quoted
        from calcanim.expr import parse_expression

        for name, text, variables in (("sequence", self.sequence, ("n",)), ("limit", self.limit, ())):
            if name == "limit" and not text.strip():
                continue
            try:
                parse_expression(text, variables)
            except ExpressionError as error:
                self.fail(name, f"{error} (got {quoted(text)})")


def default_marks(n_max: int, first: int = 1) -> tuple[int, ...]:
    """The default marks that fit between the first defined n and n_max, with both ends when n_max is small.

    >>> default_marks(500), default_marks(10**6, first=2)
    ((1, 2, 10, 100, 500), (2, 10, 100, 1000, 1000000))
    """
    ends = {first, n_max} if n_max < max(DEFAULT_MARKS) else {first}
    return tuple(sorted({m for m in DEFAULT_MARKS if first <= m <= n_max} | ends))
