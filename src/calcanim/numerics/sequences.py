"""A sequence a_n typed by the user: its exact limit (sympy, under a time limit) and its values as the
correctly rounded float64 of the true a_n, for n up to 10^15.

Values come from mpmath at a working precision that grows with n (2 bits per bit of n, plus what
any sum loses to absorption or cancellation), repeated at twice the precision until the rounded
result stops changing (Ziv's strategy). A naive float power such as (1 + 1/n)**n rounds 1 + 1/n
first and loses about log10(n) digits.

>>> s = analyse_sequence((1 + 1/N)**N)
>>> s.limit_tex, s.first_n, s.value(1), s.value(2)
('e', 1, 2.0, 2.25)
>>> analyse_sequence((1 - 1/N)**(-N)).first_n
2
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

import mpmath
import sympy

from calcanim.numerics.alarm import TimeUp, alarm_available, call_with_alarm

#: Largest n: the n readout and the mpmath precision are sized for it.
MAX_N = 10**15
#: Seconds sympy gets to find the limit before the clip gives up with one line.
LIMIT_SECONDS = 8.0
#: The first defined n is looked for among 1..FIRST_N_SEARCH.
FIRST_N_SEARCH = 1000
GUARD_BITS = 40
MAX_BITS = 8192
#: Values are rounded to this many places before a label cuts them short.
CUT_PLACES = 45
#: Powers of ten beyond this are scaled in mpmath rather than as exact fractions (see _scientific_text).
EXACT_POWER_LIMIT = 1000
#: Real n (log-spaced) at which the curve between integers must be finite and real.
CURVE_CHECK_POINTS = 241

_T = TypeVar("_T")
N = sympy.Symbol("n", positive=True)


class SequenceError(ValueError):
    """The sequence cannot be shown: no finite limit, undefined, or too slow to analyse."""


class NoFiniteLimitError(SequenceError):
    """sympy finds that a_n oscillates or tends to an infinity."""


class WrongLimitError(SequenceError):
    """A limit given by the user that is not the one sympy finds."""


class _MorePrecision(Exception):
    def __init__(self, bits: int) -> None:
        self.bits = bits


class _Undefined(Exception):
    """a_n is not a finite real number here."""


# --- mpmath evaluation of a sympy tree --------------------------------------------------------------

_Evaluator = Callable[[Any], Any]

_MP_FUNCTIONS: dict[type, Callable[[Any], Any]] = {
    sympy.exp: mpmath.exp, sympy.log: mpmath.log, sympy.sin: mpmath.sin, sympy.cos: mpmath.cos,
    sympy.tan: mpmath.tan, sympy.sinh: mpmath.sinh, sympy.cosh: mpmath.cosh, sympy.tanh: mpmath.tanh,
    sympy.atan: mpmath.atan, sympy.Abs: abs, sympy.sign: mpmath.sign,
}


def _real(value: Any) -> Any:
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            raise _Undefined
        return value.real
    return value


def _mp_evaluator(node: sympy.Expr) -> _Evaluator:
    """An mpmath function of n composed node by node; it works at mpmath's current precision."""
    if node == N:
        return lambda v: v
    if isinstance(node, sympy.Rational):
        p, q = int(node.p), int(node.q)
        return lambda v: mpmath.mpf(p) / q
    if isinstance(node, sympy.Float):
        exact = mpmath.mpf(node._mpf_)
        return lambda v: +exact
    if isinstance(node, sympy.NumberSymbol):
        return lambda v: mpmath.mpf(node._as_mpf_val(mpmath.mp.prec))
    if node.is_Add:
        return _sum_evaluator([_mp_evaluator(term) for term in node.args])
    if node.is_Mul:
        factors = [_mp_evaluator(factor) for factor in node.args]
        return lambda v: functools.reduce(lambda a, b: a * b, [f(v) for f in factors])
    if node.is_Pow:
        base, exponent = _mp_evaluator(node.base), _mp_evaluator(node.exp)
        if node.exp.is_Integer:
            k = int(node.exp)
            return lambda v: mpmath.power(base(v), k)
        return lambda v: mpmath.power(base(v), exponent(v))
    if type(node) in _MP_FUNCTIONS:
        function, inner = _MP_FUNCTIONS[type(node)], _mp_evaluator(node.args[0])
        return lambda v: function(inner(v))
    if isinstance(node, (sympy.Max, sympy.Min)):
        parts = [_mp_evaluator(arg) for arg in node.args]
        pick = max if isinstance(node, sympy.Max) else min
        return lambda v: pick(_real(p(v)) for p in parts)
    raise SequenceError(f"cannot evaluate {type(node).__name__} with mpmath")


def _sum_evaluator(terms: list[_Evaluator]) -> _Evaluator:
    """A sum that asks for more precision when a term is absorbed or the terms cancel."""

    def evaluate(v: Any) -> Any:
        values = [term(v) for term in terms]
        total = mpmath.fsum(values)
        if any(isinstance(x, mpmath.mpc) for x in values):
            return total
        # magnitudes straight from mpf's (sign, mantissa, exponent, bit count): |x| < 2^(exponent + bits)
        sizes = [x._mpf_[2] + x._mpf_[3] for x in values if x._mpf_[1]]
        if not sizes:
            return total
        biggest = max(sizes)
        absorbed = biggest - min(sizes)
        cancelled = biggest - (total._mpf_[2] + total._mpf_[3]) if total._mpf_[1] else MAX_BITS
        need = max(absorbed + 2 * GUARD_BITS, cancelled + 53 + 2 * GUARD_BITS)
        if mpmath.mp.prec < need <= MAX_BITS:
            raise _MorePrecision(int(need))
        return total

    return evaluate


def _working_bits(n: Any) -> int:
    """Starting precision: float64's 53 bits, 2 bits per bit of n, and a guard."""
    return 53 + 2 * max(1, int(abs(n)) + 1).bit_length() + GUARD_BITS


def _settled(evaluate: _Evaluator, n: Any, convert: Callable[[Any], _T]) -> _T:
    """convert(a_n) once two evaluations at increasing precision give the same result (Ziv's loop).

    Raises _Undefined where a_n is not a finite real number.
    """
    bits = _working_bits(n)
    previous: Any = _Undefined
    while True:
        try:
            with mpmath.workprec(bits):
                raw = _real(evaluate(mpmath.mpf(n)))
                if not mpmath.isfinite(raw):
                    raise _Undefined
        except _MorePrecision as more:
            bits = min(MAX_BITS, max(more.bits, 2 * bits))
            continue
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            raise _Undefined from None
        result = convert(raw)
        if result == previous or bits >= MAX_BITS:
            return result
        previous, bits = result, min(MAX_BITS, 2 * bits)


def _to_float(raw: Any) -> float:
    value = float(raw)  # mpmath rounds to nearest
    if not math.isfinite(value):
        raise _Undefined
    return value


def _exact_fraction(raw: Any) -> Fraction:
    """The exact binary value of an mpf (mpmath's man_exp drops the sign).

    >>> _exact_fraction(mpmath.mpf(-1.5))
    Fraction(-3, 2)
    """
    sign, mantissa, exponent, _ = raw._mpf_
    return (-1 if sign else 1) * Fraction(int(mantissa)) * Fraction(2) ** int(exponent)


def _decimal_text(raw: Any, decimals: int, truncate: bool) -> str:
    """raw written with `decimals` places: rounded to nearest, or cut toward zero."""
    exact = _exact_fraction(raw)
    return _fraction_text(exact, decimals, truncate)


def _scientific_text(raw: Any, decimals: int) -> tuple[str, int]:
    """raw as (mantissa cut toward zero to `decimals` places, exponent of ten), 1 <= |mantissa| < 10."""
    if not raw:
        return "0", 0
    power = int(mpmath.floor(mpmath.log10(abs(raw))))  # at most one off: settled exactly below
    if abs(power) > EXACT_POWER_LIMIT:
        # e^-(10^6) and the like: a Fraction of 10^434294 costs seconds; scale in mpmath with guard bits
        # instead (the caller's Ziv loop repeats at twice the precision until the digits settle).
        with mpmath.workprec(mpmath.mp.prec + 64):
            raw = raw / mpmath.power(10, power)
        text, shift = _scientific_text(raw, decimals)
        return text, power + shift
    exact = _exact_fraction(raw)
    while abs(exact) >= Fraction(10) ** (power + 1):
        power += 1
    while abs(exact) < Fraction(10) ** power:
        power -= 1
    text = _fraction_text(exact / Fraction(10) ** power, decimals, truncate=False)
    if abs(Fraction(text)) >= 10:  # 9.99...96 rounded up to 10.00...
        power += 1
        text = _fraction_text(exact / Fraction(10) ** power, decimals, truncate=False)
    return text, power


def _cut(text: str, decimals: int) -> str:
    """A decimal string cut (toward zero) to `decimals` places.

    >>> _cut("-2.71828182", 3), _cut("0.999", 0)
    ('-2.718', '0')
    """
    whole, _, fraction = text.partition(".")
    cut = whole if decimals == 0 else f"{whole}.{(fraction + '0' * decimals)[:decimals]}"
    return cut[1:] if cut.startswith("-") and set(cut[1:]) <= {"0", "."} else cut


def _fraction_text(exact: Fraction, decimals: int, truncate: bool) -> str:
    scaled = exact * 10**decimals
    whole = int(scaled) if truncate else round(scaled)
    sign = "-" if whole < 0 else ""
    digits = str(abs(whole)).rjust(decimals + 1, "0")
    text = digits if decimals == 0 else f"{digits[:-decimals]}.{digits[-decimals:]}"
    return sign + text


# --- the limit, under a time limit ------------------------------------------------------------------


def _within_seconds(func: Callable[[], _T], seconds: float) -> _T:
    """func() with a time limit: SIGALRM on the main thread, else a helper thread that is abandoned
    when time runs out. Raises TimeUp."""
    if alarm_available():
        return call_with_alarm(func, seconds)
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = func()
        except BaseException as error:  # handed to the caller below
            box["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeUp
    if "error" in box:
        raise box["error"]
    return box["result"]


def _limit_of(expr: sympy.Expr, text: str) -> sympy.Expr:
    """lim a_n as n -> oo from sympy, or SequenceError in one line."""
    try:
        found = _within_seconds(lambda: sympy.limit(expr, N, sympy.oo), LIMIT_SECONDS)
    except TimeUp:
        raise SequenceError(
            f"sympy found no limit of a_n = {text} within {LIMIT_SECONDS:g} s; give it with limit=..."
        ) from None
    except Exception as error:  # sympy's NotImplementedError, PoleError, ...: it cannot decide
        raise SequenceError(
            f"sympy cannot find the limit of a_n = {text} ({type(error).__name__}); give it with limit=..."
        ) from None
    if found.has(sympy.AccumBounds):
        raise NoFiniteLimitError(f"a_n = {text} has no limit as n -> oo: it oscillates ({found})")
    if found.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan):
        raise NoFiniteLimitError(f"a_n = {text} has no finite limit as n -> oo (it tends to {found})")
    if found.has(sympy.Limit) or found.free_symbols:
        raise SequenceError(f"sympy cannot find the limit of a_n = {text}; give it with limit=...")
    return found


#: Significant digits both limits are compared at, and the relative gap that makes them different.
LIMIT_CHECK_DIGITS = 50
LIMIT_CHECK_TOLERANCE = 1e-12


def _same_number(a: sympy.Expr, b: sympy.Expr) -> bool | None:
    """Whether two exact numbers agree to LIMIT_CHECK_TOLERANCE (relative) at 50 digits; None: unknown.

    >>> _same_number(sympy.E, sympy.exp(1)), _same_number(sympy.pi, sympy.E)
    (True, False)
    """
    try:
        with mpmath.workdps(LIMIT_CHECK_DIGITS + 10):
            x = mpmath.mpmathify(str(sympy.N(a, LIMIT_CHECK_DIGITS)))
            y = mpmath.mpmathify(str(sympy.N(b, LIMIT_CHECK_DIGITS)))
            if not (mpmath.isfinite(x) and mpmath.isfinite(y)):
                return None
            return bool(abs(x - y) <= LIMIT_CHECK_TOLERANCE * max(abs(x), abs(y)))
    except (TypeError, ValueError, ArithmeticError):
        return None


def _as_typed(number: sympy.Expr) -> str:
    """An exact number as calcanim's expression language writes it.

    >>> _as_typed(sympy.E), _as_typed(2 * sympy.E), _as_typed(sympy.E**2), _as_typed(sympy.pi**2 / 6)
    ('e', '2*e', 'exp(2)', 'pi**2/6')
    """
    return re.sub(r"\bE\b", "e", str(number))


def _checked_given_limit(expr: sympy.Expr, given: sympy.Expr, text: str, given_text: str) -> None:
    """Refuse a given limit that differs from the one sympy finds (WrongLimitError naming both); when
    sympy cannot decide (too slow, unevaluated), the given limit is trusted as it stands."""
    try:
        found = _limit_of(expr, text)
    except NoFiniteLimitError as error:
        raise WrongLimitError(f"{error}, so it cannot climb to limit = {given_text}; "
                              f"drop limit or change the sequence") from None
    except SequenceError:
        return
    if _same_number(found, given) is False:
        raise WrongLimitError(
            f"a_n = {text} tends to {_as_typed(found)} = {_limit_value(found, text):.12g}, not to "
            f"limit = {given_text} = {_limit_value(given, text):.12g}; drop limit (sympy finds it) "
            f"or give limit={_as_typed(found)}"
        )


def _limit_value(limit: sympy.Expr, text: str) -> float:
    try:
        z = complex(limit.evalf(30))
    except (TypeError, ValueError, ArithmeticError):
        raise SequenceError(f"the limit {limit} of a_n = {text} is not a number") from None
    if z.imag != 0 or not math.isfinite(z.real):
        raise SequenceError(f"the limit {limit} of a_n = {text} is not a finite real number")
    return z.real


# --- the analysed sequence --------------------------------------------------------------------------


@dataclass(frozen=True)
class LimitSequence:
    """a_n, its limit L (exact and as a float), and where it starts."""

    text: str
    expression: sympy.Expr  # in the positive symbol N
    limit: sympy.Expr
    limit_value: float
    first_n: int
    #: (log10 n, a_n) at CURVE_CHECK_POINTS real n, evenly in log n from first_n to n_max (pixel-accurate)
    samples: tuple[tuple[float, float], ...] = ()

    @functools.cached_property
    def _evaluate(self) -> _Evaluator:
        return _mp_evaluator(self.expression)

    @functools.cached_property
    def _limit_evaluate(self) -> _Evaluator:
        return _mp_evaluator(self.limit)

    @property
    def limit_tex(self) -> str:
        return sympy.latex(self.limit)

    @property
    def limit_is_short_decimal(self) -> bool:
        """Whether L is a rational whose decimal expansion ends within 6 places (1, 1/2, 0.125)."""
        if not isinstance(self.limit, sympy.Rational):
            return False
        q = int(self.limit.q)
        while q % 2 == 0:
            q //= 2
        while q % 5 == 0:
            q //= 5
        return q == 1 and len(f"{self.limit_value:.6f}".rstrip("0").split(".")[-1]) <= 6

    def value(self, n: float) -> float:
        """a_n as the correctly rounded float64 (n may be real: the curve between integers); nan if undefined.

        >>> s = analyse_sequence(N**(1/N))
        >>> s.value(1), s.value(4) == math.sqrt(2)
        (1.0, True)
        """
        try:
            return _settled(self._evaluate, n, _to_float)
        except _Undefined:
            return math.nan

    def text_of(self, n: float, decimals: int, *, truncate: bool = False) -> str | None:
        """a_n written with `decimals` places, correctly rounded (or cut toward zero); None if undefined.

        Cutting works on the value rounded to CUT_PLACES places, so an exact decimal such as 1/100 is
        never cut to 0.00999... from a binary approximation just below it.

        >>> analyse_sequence((1 + 1/N)**N).text_of(10, 5, truncate=True)
        '2.59374'
        >>> analyse_sequence(1/N**2).text_of(10, 5, truncate=True)
        '0.01000'
        """
        places = CUT_PLACES if truncate else decimals
        try:
            text = _settled(self._evaluate, n, lambda raw: _decimal_text(raw, places, False))
        except _Undefined:
            return None
        return _cut(text, decimals) if truncate else text

    def scientific_of(self, n: float, decimals: int) -> tuple[str, int, bool] | None:
        """a_n as (mantissa cut toward zero to `decimals` places, power of ten, whether that is exact).

        None if undefined.

        >>> analyse_sequence(1/N**2).scientific_of(3 * 10**7, 3), analyse_sequence(1/N**2).scientific_of(100, 3)
        (('1.111', -15, False), ('1.000', -4, True))
        """
        try:
            mantissa, power = _settled(self._evaluate, n, lambda raw: _scientific_text(raw, CUT_PLACES))
        except _Undefined:
            return None
        return _cut(mantissa, decimals), power, set(mantissa.partition(".")[2][decimals:]) <= {"0"}

    def scientific_rounded(self, n: float, decimals: int) -> tuple[str, int] | None:
        """a_n rounded once (from the settled mpmath value) to a mantissa with `decimals` places and a power
        of ten, 1 <= |mantissa| < 10 ("0", 0 when a_n is exactly 0); None if undefined. Values beyond
        float64 keep their digits.

        >>> s = analyse_sequence(sympy.exp(-N))
        >>> s.scientific_rounded(1000, 2), analyse_sequence(1/N**2).scientific_rounded(3, 3)
        (('5.08', -435), ('1.111', -1))
        """
        try:
            return _settled(self._evaluate, n, lambda raw: _scientific_text(raw, decimals))
        except _Undefined:
            return None

    def limit_text(self, decimals: int, *, truncate: bool = False) -> str:
        """L written with `decimals` places (rounded, or cut toward zero).

        >>> analyse_sequence((1 + 1/N)**N).limit_text(5, truncate=True)
        '2.71828'
        """
        text = _settled(self._limit_evaluate, 1, lambda raw: _decimal_text(raw, CUT_PLACES if truncate else decimals, False))
        return _cut(text, decimals) if truncate else text

    def is_exact_at(self, n: float, decimals: int) -> bool:
        """Whether a_n is a decimal with at most `decimals` places (checked to 40 places).

        >>> s = analyse_sequence((1 + 1/N)**N)
        >>> s.is_exact_at(2, 5), s.is_exact_at(10, 5)
        (True, False)
        """
        finer = self.text_of(n, CUT_PLACES)
        return finer is not None and set(finer.partition(".")[2][decimals:]) <= {"0"}

    def gap(self, n: float) -> float:
        """L - a_n as the correctly rounded float64 (not a difference of two rounded floats).

        >>> analyse_sequence(1 - 1/N).gap(4)
        0.25
        """
        limit = self._limit_evaluate
        try:
            return _settled(_sum_evaluator([limit, lambda v: -self._evaluate(v)]), n, _to_float)
        except _Undefined:
            return math.nan

    def approximately(self, n: float) -> float:
        """a_n from one evaluation at the working precision (no second pass): for drawing, not for digits."""
        bits = _working_bits(n)
        for _ in range(8):
            try:
                with mpmath.workprec(bits):
                    return _to_float(_real(self._evaluate(mpmath.mpf(n))))
            except _MorePrecision as more:
                bits = min(MAX_BITS, max(more.bits, 2 * bits))
            except (_Undefined, ZeroDivisionError, ValueError, OverflowError, TypeError):
                return math.nan
        return math.nan

    def defined_at(self, n: float) -> bool:
        return math.isfinite(self.value(n))

    def first_n_within(self, tolerance: float, n_from: int, n_to: int, samples: int = 90) -> int | None:
        """The first integer n in [n_from, n_to] from which |a_n - L| < tolerance at every sampled n after it.

        The check runs on a log-spaced grid of integers, then bisects between the last grid point outside
        and the first inside (exact for a monotone approach).

        >>> analyse_sequence(1 - 1/N).first_n_within(0.01, 1, 10**6)
        101
        """
        grid = _log_grid(n_from, n_to, samples)
        inside = [abs(self.gap(m)) < tolerance for m in grid]
        if not inside[-1]:
            return None
        last_out = next((i for i in range(len(grid) - 1, -1, -1) if not inside[i]), None)
        if last_out is None:
            return grid[0]
        lo, hi = grid[last_out], grid[last_out + 1]  # outside at lo, inside at hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if abs(self.gap(mid)) < tolerance:
                hi = mid
            else:
                lo = mid
        return hi


def _log_grid(n_from: int, n_to: int, samples: int) -> list[int]:
    """Distinct integers from n_from to n_to, about evenly spaced in log n, both ends included."""
    if n_to <= n_from:
        return [n_from]
    lo, hi = math.log(n_from), math.log(n_to)
    points = {n_from, n_to}
    for i in range(1, samples):
        points.add(min(n_to, max(n_from, round(math.exp(lo + (hi - lo) * i / samples)))))
    return sorted(points)


def _first_defined(sequence: LimitSequence) -> int:
    for n in range(1, FIRST_N_SEARCH + 1):
        if sequence.defined_at(n):
            return n
    raise SequenceError(f"a_n = {sequence.text} is not a finite real number for any n in 1..{FIRST_N_SEARCH}")


def _curve_samples(sequence: LimitSequence, n_to: int) -> tuple[tuple[float, float], ...]:
    """a_n at real n between the integers too (the clip draws it there): it must be finite and real."""
    lo, hi = math.log10(sequence.first_n), math.log10(max(n_to, sequence.first_n))
    samples = []
    for i in range(CURVE_CHECK_POINTS):
        t = lo + (hi - lo) * i / (CURVE_CHECK_POINTS - 1)
        value = sequence.approximately(10.0**t)
        if not math.isfinite(value):
            raise SequenceError(
                f"a_n = {sequence.text} is not a finite real number at the real n = {10.0**t:.6g} "
                f"(the clip draws a_n between the integers too; for (-1)**n write cos(pi*n))"
            )
        samples.append((t, value))
    return tuple(samples)


@functools.lru_cache(maxsize=64)
def analyse_sequence(
    expression: sympy.Expr, limit: sympy.Expr | None = None, n_max: int = MAX_N, text: str = "", limit_text: str = ""
) -> LimitSequence:
    """a_n (a sympy expression in n, any assumptions), its limit (sympy's, unless given), its first defined
    n, and its samples on [first n, n_max]. Raises SequenceError in one line.
    """
    text = text or str(expression)
    expression = expression.xreplace({s: N for s in expression.free_symbols if s.name == "n"})
    if expression.free_symbols - {N}:
        raise SequenceError(f"a_n = {text} may use only the variable n")
    found = _limit_of(expression, text) if limit is None else limit
    value = _limit_value(found, text)
    probe = LimitSequence(text, expression, found, value, 1)
    first = _first_defined(probe)
    if limit is not None:  # after _first_defined: a_n defined nowhere says so, whatever the limit
        _checked_given_limit(expression, limit, text, limit_text or _as_typed(limit))
    sequence = LimitSequence(text, expression, found, value, first)
    return dataclasses.replace(sequence, samples=_curve_samples(sequence, n_max))
