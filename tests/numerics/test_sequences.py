"""Any sequence a_n: values against 50-digit mpmath written independently here, limits against their
known closed forms, and the lesson's numbers for (1 + 1/n)^n."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal

import mpmath
import pytest
import sympy

import calcanim.numerics.sequences as sequences
from calcanim.expr import parse_expression
from calcanim.numerics.sequences import LimitSequence, SequenceError


def analyse_sequence(text: str, limit: str = "") -> LimitSequence:
    """The numerics' analysis of a sequence typed in calcanim's expression language."""
    expression = parse_expression(text, ("n",)).sympy_expr
    given = parse_expression(limit, ()).sympy_expr if limit else None
    return sequences.analyse_sequence(expression, given, sequences.MAX_N, text, limit)

MARKS = [1, 2, 3, 7, 10, 64, 100, 999, 1000, 12345, 10**5, 10**6, 10**7, 123456789, 10**9, 10**12,
         3 * 10**13, 999999999999999, 10**15]


def reference(formula: Callable[[mpmath.mpf], mpmath.mpf], n: int) -> mpmath.mpf:
    """The true a_n to 50 significant digits, straight from the formula in mpmath."""
    with mpmath.workdps(50 + 2 * len(str(n))):
        value = formula(mpmath.mpf(n))
    with mpmath.workdps(50):
        return +value


# (typed sequence, the same formula for mpmath, its limit in closed form, first defined n)
CASES = [
    ("(1 + 1/n)**n", lambda n: (1 + 1 / n) ** n, sympy.E, 1),
    ("(1 + 2/n)**n", lambda n: (1 + 2 / n) ** n, sympy.exp(2), 1),
    ("n**(1/n)", lambda n: n ** (1 / n), sympy.Integer(1), 1),
    ("(1 - 1/n)**(-n)", lambda n: (1 - 1 / n) ** (-n), sympy.E, 2),
    # partial sums in closed form: sum 1/(k(k+1)) = n/(n+1); sum_{k<n} 2^-k = 2 - 2^(1-n);
    # (sum_{k<=n} k) / n^2 = (n + 1)/(2n)
    ("n/(n + 1)", lambda n: n / (n + 1), sympy.Integer(1), 1),
    ("2 - 2*(1/2)**n", lambda n: 2 - 2 * mpmath.mpf(0.5) ** n, sympy.Integer(2), 1),
    ("(n*(n + 1)/2)/n**2", lambda n: (n * (n + 1) / 2) / n**2, sympy.Rational(1, 2), 1),
    ("cos(pi*n)/n", lambda n: mpmath.cos(mpmath.pi * n) / n, sympy.Integer(0), 1),
    ("(1 + 1/n**2)**(n**2)", lambda n: (1 + 1 / n**2) ** (n**2), sympy.E, 1),
]


@pytest.mark.parametrize(("text", "formula", "limit", "first"), CASES, ids=[c[0] for c in CASES])
def test_limit_is_found_exactly(text: str, formula: Callable, limit: sympy.Expr, first: int) -> None:
    sequence = analyse_sequence(text)
    assert sympy.simplify(sequence.limit - limit) == 0
    assert sequence.first_n == first
    assert sequence.limit_value == float(limit)


@pytest.mark.parametrize(("text", "formula", "limit", "first"), CASES, ids=[c[0] for c in CASES])
def test_values_are_the_correctly_rounded_float_at_every_mark(
    text: str, formula: Callable, limit: sympy.Expr, first: int
) -> None:
    sequence = analyse_sequence(text)
    for n in [m for m in MARKS if m >= first]:
        exact = reference(formula, n)
        assert abs(sequence.value(n) - float(exact)) <= math.ulp(float(exact)), n
        # the gap to the limit is computed directly, not as a difference of rounded floats
        with mpmath.workdps(50):
            gap = sympy.N(limit, 60)._to_mpmath(200) - exact
        if gap != 0:
            assert abs(sequence.gap(n) - float(gap)) <= 2 * math.ulp(float(gap)), n


@pytest.mark.parametrize("n", [10**6, 10**9, 10**12, 10**15])
def test_a_naive_float_power_is_wrong_where_the_values_are_right(n: int) -> None:
    sequence = analyse_sequence("(1 + 2/n)**n")
    exact = float(reference(lambda v: (1 + 2 / v) ** v, n))
    assert sequence.value(n) == pytest.approx(exact, rel=0, abs=math.ulp(exact))
    assert abs((1 + 2 / n) ** n - exact) > 100 * math.ulp(exact)


@pytest.mark.parametrize("n", [1, 2, 3, 10, 64, 1000, 10**6, 10**15])
@pytest.mark.parametrize("decimals", [0, 3, 6, 12])
def test_readout_text_is_the_correctly_rounded_decimal(n: int, decimals: int) -> None:
    for text, formula in [("(1 + 1/n)**n", lambda v: (1 + 1 / v) ** v), ("cos(pi*n)/n", lambda v: mpmath.cos(mpmath.pi * v) / v)]:
        exact = Decimal(mpmath.nstr(reference(formula, n), 50, strip_zeros=False))
        expected = format(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN), "f")
        if set(expected.lstrip("-")) <= {"0", "."}:
            expected = expected.lstrip("-")  # no minus sign on a zero
        assert analyse_sequence(text).text_of(n, decimals) == expected, (text, n)


def test_cut_labels_never_cut_an_exact_decimal_short() -> None:
    s = analyse_sequence("1/n**2")
    assert s.text_of(10, 5, truncate=True) == "0.01000"  # not 0.00999 from a binary value just below
    assert s.is_exact_at(10, 5) and not s.is_exact_at(3, 5)
    assert s.scientific_of(100, 5) == ("1.00000", -4, True)
    assert analyse_sequence("cos(pi*n)/n").text_of(3, 5, truncate=True) == "-0.33333"


def test_the_lessons_values_for_one_plus_one_over_n() -> None:
    s = analyse_sequence("(1 + 1/n)**n")
    assert s.value(1) == 2.0 and s.value(2) == 2.25
    assert s.text_of(10, 4) == "2.5937" and s.text_of(100, 4) == "2.7048" and s.text_of(1000, 4) == "2.7169"
    assert s.text_of(10**6, 5) == "2.71828"
    for n in MARKS:
        with mpmath.workdps(50):
            gap = mpmath.e - reference(lambda v: (1 + 1 / v) ** v, n)
            assert mpmath.e / (2 * n + 2) < gap < mpmath.e / (2 * n + 1)
        assert s.value(n) < math.e
        assert s.gap(n) == pytest.approx(float(gap), rel=1e-15)


def test_lock_is_the_first_n_within_the_tolerance() -> None:
    # 1 - 1/(n+1) is within 1/100 of 1 from n + 1 > 100, i.e. n = 100 (1/101 < 0.01)
    assert analyse_sequence("1 - 1/(n + 1)").first_n_within(0.01, 1, 10**6) == 100
    # e - a_n < 0.5e-5 exactly from the n found: checked against mpmath on both sides
    n = analyse_sequence("(1 + 1/n)**n").first_n_within(0.5e-5, 1, 10**6)
    with mpmath.workdps(50):
        gap = lambda m: mpmath.e - (1 + mpmath.mpf(1) / m) ** m  # noqa: E731
        assert gap(n) < mpmath.mpf("0.5e-5") <= gap(n - 1)
    assert analyse_sequence("(1 + 1/n)**n").first_n_within(0.5e-5, 1, 1000) is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("n", "no finite limit"),
        ("n**2 - n", "no finite limit"),
        ("-exp(n)", "no finite limit"),
        ("sin(n)", "oscillates"),
        ("(-1)**n/n", "give it with limit="),
        ("log(-n)", "no finite limit"),
    ],
)
def test_no_finite_limit_is_one_line(text: str, fragment: str) -> None:
    with pytest.raises(SequenceError) as caught:
        analyse_sequence(text)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_a_sequence_defined_nowhere_is_refused_even_with_a_limit() -> None:
    with pytest.raises(SequenceError, match="not a finite real number for any n in 1..1000"):
        analyse_sequence("log(-n)", "0")


def test_a_given_limit_is_kept_as_written_when_it_is_the_true_one() -> None:
    s = analyse_sequence("(1 + 1/n)**n", "exp(1)")
    assert s.limit == sympy.E and s.limit_tex == "e"
    assert analyse_sequence("pi**2/6 - 1/n", "pi**2/6").limit_tex == r"\frac{\pi^{2}}{6}"
    # e to 16 digits (float64's e): within 1e-12 of e, so the same number written differently
    assert analyse_sequence("(1 + 1/n)**n", "2.718281828459045").limit == sympy.Rational("2.718281828459045")


def test_a_given_limit_is_trusted_where_sympy_cannot_find_one() -> None:
    # sympy cannot decide lim max(sin n, 0)/n; it is 0 (0 <= max(sin n, 0) <= 1), so a_n -> 1
    with pytest.raises(SequenceError, match="sympy cannot find the limit"):
        analyse_sequence("1 + max(sin(n), 0)/n")
    s = analyse_sequence("1 + max(sin(n), 0)/n", "1")
    assert s.limit == 1 and s.limit_value == 1.0


@pytest.mark.parametrize(
    ("text", "limit", "true"),
    [("1/n", "pi**2/6", "0"), ("(1 + 1/n)**n", "pi", "e"), ("(1 + 2/n)**n", "e", "exp(2)"),
     ("(1 + 1/n)**n", "2.71828182845", "e")],
)
def test_a_wrong_limit_is_refused_naming_both(text: str, limit: str, true: str) -> None:
    with pytest.raises(sequences.WrongLimitError) as caught:
        analyse_sequence(text, limit)
    message = str(caught.value)
    assert "\n" not in message and f"tends to {true} = " in message and f"give limit={true}" in message
    assert f"not to limit = {limit} = " in message and "drop limit" in message


def test_a_limit_given_for_a_sequence_without_one_is_refused() -> None:
    with pytest.raises(sequences.WrongLimitError, match=r"no finite limit .* cannot climb to limit = 1;"):
        analyse_sequence("n**2", "1")


def test_the_limit_search_is_cut_off_after_its_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sequences, "LIMIT_SECONDS", 0.3)
    monkeypatch.setattr(sympy, "limit", lambda *args: time.sleep(30))
    started = time.perf_counter()
    with pytest.raises(SequenceError) as caught:
        analyse_sequence("(1 + 3/n)**n + 1/n**3")  # not cached by an earlier test
    assert time.perf_counter() - started < 5
    assert "within 0.3 s" in str(caught.value)


def test_undefined_at_small_n_starts_later() -> None:
    assert analyse_sequence("log(n - 5)/n").first_n == 6
    assert math.isnan(analyse_sequence("(1 - 1/n)**(-n)").value(1))
