"""The numbers the limit-climb clip shows: a_n at each mark, the limit, the axis, the live readouts and
the moment the a_n readout locks onto the limit."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from calcanim.numerics.limits import gap_bounds
from calcanim.params.limit_climb import DEFAULT_SEQUENCE, LimitClimbParams, default_marks
from calcanim.plans.timeline import IntroMainEnding

if TYPE_CHECKING:
    from calcanim.numerics.sequences import LimitSequence

# sympy, mpmath and the parser are imported where they are used: resolving the default clip (a cached
# batch re-run) computes its plan's duration only, and must not wait for them.

LABEL_DECIMALS = 5
#: The lesson's stop: (1 + 1/n)^n reads 2.71828 at n = 10^6, e to 5 decimals.
AUTO_LOCK_DECIMALS = 5
#: Seconds before the climb (axes, title) and after it (the verdict).
INTRO_SECONDS = 2.0
ENDING_SECONDS = 3.0
#: A tracker value this close (in log10 n) to a stop's log10 is that stop: float log10 and 10** round.
STOP_SNAP = 1e-9
#: Headroom above and below the values on the a_n axis, as a fraction of their spread.
Y_PADDING = 0.08
#: Limits whose TeX is longer than this are written by their digits only.
MAX_LIMIT_TEX = 40
#: The live a_n readout keeps fixed decimals for powers of ten up to this; from 10^6 on it is m \cdot 10^k.
LARGEST_FIXED_POWER = 5
#: ... and down to 10^-3 at most (as the marks' labels), higher when its decimals would keep under 2 digits.
SMALLEST_FIXED_POWER = -3
#: Decimals of the mantissa m in m \cdot 10^k (fewer when the readout's own decimals are fewer).
SCIENTIFIC_DECIMALS = 3


def scientific_tex(mantissa: str, exponent: int) -> str:
    """
    >>> scientific_tex("1.00000", -15)
    '1.00000 \\\\cdot 10^{-15}'
    """
    return f"{mantissa} \\cdot 10^{{{exponent}}}"


@dataclass(frozen=True)
class Checkpoint:
    n: int
    value: float
    label: str  # exact when short, else cut (not rounded) with an ellipsis: 2.25, 2.59374..., 1.11111e-15...
    gap_to_limit: float
    gap_bounds: tuple[float, float] | None  # the lesson's e/(2n+2) < e - a_n < e/(2n+1), (1 + 1/n)^n only

    @property
    def label_tex(self) -> str:
        r"""
        >>> Checkpoint(1, 1e-15, "1.11111e-15...", 0.0, None).label_tex
        '1.11111 \\cdot 10^{-15}\\ldots'
        """
        text, dots = (self.label[:-3], r"\ldots") if self.label.endswith("...") else (self.label, "")
        mantissa, _, exponent = text.partition("e")
        if exponent and mantissa == "1":
            return f"10^{{{int(exponent)}}}" + dots
        return (scientific_tex(mantissa, int(exponent)) if exponent else mantissa) + dots

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"n": self.n, "value": self.value, "label": self.label, "gap_to_limit": self.gap_to_limit}
        if self.gap_bounds is not None:
            data["gap_to_e"] = self.gap_to_limit
            data["gap_bounds"] = list(self.gap_bounds)
        return data


def mark_label(sequence: LimitSequence, n: int) -> str:
    """a_n as a mark's label: exact when it has at most 5 decimals, else cut (not rounded) to 5 with an ellipsis.

    Values below 10^-3 or from 10^6 on are written as a mantissa times a power of ten.

    >>> from calcanim.numerics.sequences import N, analyse_sequence
    >>> s = analyse_sequence((1 + 1/N)**N)
    >>> [mark_label(s, n) for n in (1, 2, 10)]
    ['2', '2.25', '2.59374...']
    """
    value = sequence.value(n)
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e6:
        cut = sequence.text_of(n, LABEL_DECIMALS, truncate=True)
        assert cut is not None
        if sequence.is_exact_at(n, LABEL_DECIMALS):
            return cut.rstrip("0").rstrip(".")
        return cut + "..."
    scientific = sequence.scientific_of(n, LABEL_DECIMALS)
    assert scientific is not None
    mantissa, exponent, exact = scientific
    if exact:
        return f"{mantissa.rstrip('0').rstrip('.')}e{exponent}"
    return f"{mantissa}e{exponent}..."


@dataclass(frozen=True)
class YAxis:
    low: float
    high: float
    step: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"range": [self.low, self.high], "ticks": list(self.ticks), "labels": list(self.labels)}


def y_axis(values: list[float], limit: float) -> YAxis:
    """The a_n axis: the values and the limit with some headroom, ticks at a 1-2-5 step, the foot on a tick.

    >>> y_axis([2.0, 2.25, 2.7182], 2.718281828459045).labels
    ('2.0', '2.2', '2.4', '2.6', '2.8')
    """
    lo, hi = min(*values, limit), max(*values, limit)
    spread = hi - lo if hi > lo else max(abs(hi), 1.0) * 0.1
    lo, hi = lo - Y_PADDING * spread, hi + Y_PADDING * spread
    from calcanim.numerics.ticks import tick_values

    ticks = tick_values(lo, hi, 5)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else spread
    foot = round(math.floor(lo / step + 1e-9) * step, 12) + 0.0
    top = round(math.ceil(hi / step - 1e-9) * step, 12) + 0.0
    ticks = [round(foot + k * step, 12) + 0.0 for k in range(round((top - foot) / step) + 1)]
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    ticks = [t for t in ticks if t > foot + 1e-9 * step]
    return YAxis(foot, top, step, tuple(ticks), tuple(f"{t:.{decimals}f}" for t in ticks))


@dataclass(frozen=True)
class ClimbNumbers:
    """What the plan works out with sympy and mpmath (on first use)."""

    sequence: LimitSequence
    limit: float
    checkpoints: tuple[Checkpoint, ...]
    final_value: float
    lock_decimals: int
    lock_n: int | None
    y: YAxis
    approach: str  # "below", "above" or "both": where a_n sits against the limit along the climb
    curve: tuple[tuple[float, float], ...]  # (log10 n, a_n) at real n evenly in log n (the numerics' samples)


@dataclass(frozen=True)
class LimitClimbPlan(IntroMainEnding, intro=INTRO_SECONDS, ending=ENDING_SECONDS):
    params: LimitClimbParams

    @functools.cached_property
    def numbers(self) -> ClimbNumbers:
        return _numbers(self.params)

    @property
    def main_seconds(self) -> float:
        """The climb; the poster is the dot parked on the limit with every mark on screen."""
        return self.params.duration

    @property
    def first_n(self) -> int:
        return self.numbers.sequence.first_n

    @property
    def log10_start(self) -> float:
        return math.log10(self.numbers.sequence.first_n)

    @property
    def log10_n_max(self) -> float:
        return math.log10(self.params.n_max)

    @property
    def lock_tolerance_tex(self) -> str:
        """0.5 * 10^-k written as TeX: 5 * 10^{-(k+1)}."""
        k = self.numbers.lock_decimals
        return "0.5" if k == 0 else f"5\\cdot 10^{{{-(k + 1)}}}"

    @property
    def lock_tolerance(self) -> float:
        return 0.5 * 10.0**-self.numbers.lock_decimals

    @property
    def gap_tex(self) -> str:
        """|a_n - L| in TeX; |a_n| when L = 0."""
        return "|a_n|" if self.numbers.limit == 0 else f"|a_n - {self.limit_tex}|"

    @property
    def title_tex(self) -> str:
        """a_n as the user typed it (terms in their order, their literals), not as sympy rewrites it."""
        from calcanim.expression_as_typed import tex_as_typed

        return "a_n = " + tex_as_typed(self.params.sequence, ("n",))

    @property
    def limit_tex(self) -> str:
        """The limit's exact form (e, e^{2}, \\frac{\\pi^{2}}{6}), or its digits when that form is long."""
        tex = self.numbers.sequence.limit_tex
        return tex if len(tex) <= MAX_LIMIT_TEX else self.limit_digits_tex

    @property
    def limit_digits_tex(self) -> str:
        """The limit's digits: exact when short (1, 0.5), else cut to 5 decimals with an ellipsis."""
        if self.numbers.sequence.limit_is_short_decimal:
            return f"{self.numbers.limit:.6f}".rstrip("0").rstrip(".")
        return self.numbers.sequence.limit_text(LABEL_DECIMALS, truncate=True) + r"\ldots"

    @property
    def limit_words(self) -> str:
        """The limit for captions: e, exp(2), pi^2/6."""
        import sympy

        named = self.numbers.sequence.limit.subs(sympy.E, sympy.Symbol("e"))
        return str(named).replace("**", "^")

    @property
    def limit_label_tex(self) -> str:
        """What the limit line says: a_n -> e = 2.71828..., or a_n -> 1 when the exact form is its value."""
        exact, digits = self.limit_tex, self.limit_digits_tex
        if exact == digits or self.numbers.sequence.limit_is_short_decimal:
            return f"a_n \\to {digits}"
        return f"a_n \\to {exact} = {digits}"

    def curve_at_log10(self, log10_n: float) -> float:
        """a_n at the real n = 10**log10_n: the smooth curve the dot rides on (nan where undefined)."""
        return self.numbers.sequence.value(10.0**log10_n)

    def n_at_log10(self, log10_n: float) -> int:
        """The integer n the live readout shows at log10_n: exactly the stop's n at each stop (marks, the
        lock, n_max), the nearest integer to 10**log10_n between stops, never outside [first n, n_max]."""
        for n in self.stops:
            if abs(log10_n - math.log10(n)) <= STOP_SNAP:
                return n
        real = 10.0**log10_n  # within a few ulp of 10^log10_n: safe to round far from a tie
        if real < 1e12 and abs(real - math.floor(real) - 0.5) > 1e-3:
            n = round(real)
        else:
            import mpmath

            with mpmath.workprec(96):
                n = int(mpmath.nint(mpmath.power(10, mpmath.mpf(log10_n))))
        return min(self.params.n_max, max(self.numbers.sequence.first_n, n))

    def readout_value(self, n: int) -> float:
        """a_n rounded correctly to the readout's decimals, as the float whose {:.<decimals>f} is that text.

        One evaluation at the working precision (error far below 1 ulp; the numerics flag absorption and
        cancellation) gives the right digits unless it lies within a few ulp of a rounding tie; only
        then are the digits worked out exactly (mpmath, to a settled result). Called every frame.
        """
        d = self.params.decimals
        value = self.numbers.sequence.approximately(n)
        if not math.isfinite(value):
            return math.nan
        scaled = value * 10.0**d
        if abs(scaled) < 2.0**52 and abs(abs(scaled - math.floor(scaled)) - 0.5) > 8 * math.ulp(value) * 10.0**d + 1e-9:
            return float(f"{value:.{d}f}")
        text = self.numbers.sequence.text_of(n, d)
        return float(text) if text is not None else math.nan

    @property
    def smallest_fixed_power(self) -> int:
        """The least power of ten the fixed readout shows with at least 2 significant digits (10^-3 at most).

        >>> [LimitClimbPlan(LimitClimbParams(decimals=d)).smallest_fixed_power for d in (0, 1, 2, 6)]
        [0, 0, -1, -3]
        """
        d = self.params.decimals
        return max(SMALLEST_FIXED_POWER, 1 - d) if d > 0 else 0

    @property
    def scientific_decimals(self) -> int:
        """Decimals of the mantissa when the readout writes m·10^k."""
        return max(1, min(SCIENTIFIC_DECIMALS, self.params.decimals))

    def fixed_shows(self, power: int) -> bool:
        """Whether fixed decimals show a value whose power of ten is ``power`` without losing it."""
        return self.smallest_fixed_power <= power <= LARGEST_FIXED_POWER

    @functools.cached_property
    def scientific_readout(self) -> bool:
        """Whether the live a_n readout ever needs m·10^k along the climb (tiny or huge a_n).

        Decided on the float values of the curve and the marks; a float 0 may be an underflow, so it
        counts (the readout itself decides from the exact value, frame by frame).
        """
        values = [v for _, v in self.numbers.curve] + [c.value for c in self.numbers.checkpoints] + [self.numbers.final_value]
        return any(
            v == 0 or not self.fixed_shows(math.floor(math.log10(abs(v)))) for v in values if math.isfinite(v)
        )

    def readout_shown(self, n: int) -> tuple[float, int | None]:
        """What the live a_n readout shows at n: (a_n with the readout's decimals, None), or, where fixed
        decimals would lose a tiny or huge a_n, (mantissa, power of ten) rounded once from the settled
        mpmath value: 2.916·10^-7, never 0.000000.

        >>> p = LimitClimbPlan(LimitClimbParams(sequence="1/n**2", marks=(1, 10), n_max=10**6))
        >>> p.readout_shown(10), p.readout_shown(1000), p.readout_shown(3)
        ((0.01, None), (1.0, -6), (0.111111, None))
        """
        if not self.scientific_readout:
            return self.readout_value(n), None
        parts = self.numbers.sequence.scientific_rounded(n, self.scientific_decimals)
        if parts is None:
            return math.nan, None
        mantissa, power = parts
        if float(mantissa) == 0 or self.fixed_shows(power):
            return self.readout_value(n), None
        return float(mantissa), power

    def readout_tex(self, n: int) -> str:
        """The live readout at n as TeX (captions, tests): 0.111111, or 2.916 \\cdot 10^{-7}."""
        value, power = self.readout_shown(n)
        if power is None:
            return f"{value:.{self.params.decimals}f}"
        return scientific_tex(f"{value:.{self.scientific_decimals}f}", power)

    def value_at_log10(self, log10_n: float) -> float:
        """What the live a_n readout shows at log10_n."""
        return self.readout_value(self.n_at_log10(log10_n))

    @property
    def stops(self) -> tuple[int, ...]:
        """Every n the climb stops at exactly: the marks, the lock (if inside the climb) and n_max."""
        found = {c.n for c in self.numbers.checkpoints} | {self.params.n_max, self.numbers.sequence.first_n}
        if self.numbers.lock_n is not None:
            found.add(self.numbers.lock_n)
        return tuple(sorted(found))

    def to_json(self) -> dict[str, Any]:
        return {
            "scene": self.params.scene_name,
            "params": self.params.to_dict(),
            "sequence": self.params.sequence,
            "first_n": self.numbers.sequence.first_n,
            "limit": self.numbers.limit,
            "limit_exact": str(self.numbers.sequence.limit),
            "limit_tex": self.limit_tex,
            "approach": self.numbers.approach,
            "checkpoints": [c.to_json() for c in self.numbers.checkpoints],
            "final": {"n": self.params.n_max, "value": self.numbers.final_value},
            "lock": {"decimals": self.numbers.lock_decimals, "tolerance": self.lock_tolerance, "n": self.numbers.lock_n},
            "y_axis": self.numbers.y.to_json(),
            "duration": self.duration,
        }


def _lock(sequence: LimitSequence, params: LimitClimbParams) -> tuple[int, int | None]:
    """The lock's decimals k and the first n from which |a_n - L| < 0.5 * 10^-k (None: not by n_max).

    Without lock_decimals, k is the most decimals up to the lesson's 5 (2.71828 at n = 10^6) that a_n
    reaches by n_max / 2, so the lock shows inside the climb; with none, 5.
    """
    start, end = sequence.first_n, params.n_max
    if params.lock_decimals is not None:
        k = params.lock_decimals
        return k, sequence.first_n_within(0.5 * 10.0**-k, start, end)
    for k in range(AUTO_LOCK_DECIMALS, -1, -1):
        n = sequence.first_n_within(0.5 * 10.0**-k, start, end)
        if n is not None and n <= max(start, end // 2):
            return k, n
    return AUTO_LOCK_DECIMALS, sequence.first_n_within(0.5 * 10.0**-AUTO_LOCK_DECIMALS, start, end)


def _is_compound_interest(sequence: LimitSequence) -> bool:
    from calcanim.numerics.sequences import N

    return bool(sequence.expression == (1 + 1 / N) ** N)


def _approach(values: list[float], gaps: list[float]) -> str:
    if all(g >= 0 for g in gaps):
        return "below"
    if all(g <= 0 for g in gaps):
        return "above"
    return "both"


def sequence_of(params: LimitClimbParams) -> LimitSequence:
    """The analysed a_n of params, or the house one-line ParamError (no finite limit, defined nowhere, ...)."""
    from calcanim.errors import ExpressionError
    from calcanim.expr import parse_expression
    from calcanim.numerics.sequences import SequenceError, WrongLimitError, analyse_sequence

    try:
        expression = parse_expression(params.sequence, ("n",)).sympy_expr
        limit = parse_expression(params.limit, ()).sympy_expr if params.limit.strip() else None
        return analyse_sequence(expression, limit, params.n_max, params.sequence, params.limit.strip())
    except WrongLimitError as error:
        params.fail("limit", str(error))
    except (SequenceError, ExpressionError) as error:
        params.fail("sequence", str(error))


def checked_marks(params: LimitClimbParams, sequence: LimitSequence) -> tuple[int, ...]:
    """The marks, starting where a_n does: default ones below the first defined n are dropped."""
    first = sequence.first_n
    if params.n_max < first:
        params.fail("n_max", f"must be at least the first defined n = {first} of a_n = {params.sequence}, "
                             f"got {params.n_max}")
    marks = params.marks
    if first > 1 and marks == default_marks(params.n_max):
        marks = default_marks(params.n_max, first)
    early = [m for m in marks if m < first]
    if early:
        params.fail("marks", f"a_n = {params.sequence} is undefined at n = {early[0]}; it starts at n = {first}")
    undefined = [m for m in marks if not sequence.defined_at(m)]
    if undefined:
        params.fail("marks", f"a_n = {params.sequence} is not a finite real number at n = {undefined[0]}")
    return marks


def plan(params: LimitClimbParams) -> LimitClimbPlan:
    """Every number the clip shows. A sequence other than the default is analysed (and checked) at
    once; the default's numbers, known to exist, are worked out on first use."""
    climb = LimitClimbPlan(params)
    if params.sequence != DEFAULT_SEQUENCE or params.limit.strip():
        climb.numbers  # noqa: B018 - raises the one-line ParamError now, while the clip is resolved
    return climb


def _numbers(params: LimitClimbParams) -> ClimbNumbers:
    sequence = sequence_of(params)
    marks = checked_marks(params, sequence)
    lesson_bounds = _is_compound_interest(sequence)
    checkpoints = tuple(
        Checkpoint(
            n=n,
            value=sequence.value(n),
            label=mark_label(sequence, n),
            gap_to_limit=sequence.gap(n),
            gap_bounds=gap_bounds(n) if lesson_bounds else None,
        )
        for n in marks
    )
    curve = sequence.samples
    values = [v for _, v in curve] + [c.value for c in checkpoints]
    gaps = [sequence.limit_value - v for _, v in curve] + [c.gap_to_limit for c in checkpoints]
    lock_decimals, lock_n = _lock(sequence, params)
    return ClimbNumbers(
        sequence=sequence,
        limit=sequence.limit_value,
        checkpoints=checkpoints,
        final_value=sequence.value(params.n_max),
        lock_decimals=lock_decimals,
        lock_n=lock_n,
        y=y_axis([v for v in values if math.isfinite(v)], sequence.limit_value),
        approach=_approach(values, gaps),
        curve=curve,
    )
