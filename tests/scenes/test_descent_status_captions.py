"""The descent clips' closing captions against closed forms of gd on x^2 and x^2 + y^2 (exact fractions):
every loss after "=" is the loss, one after "≈" is it rounded once to 3 significant digits, never e-notation.

Reported: "η = 1e-05: still moving, f = 4" for f_20 = 4 (1 - 2e-5)^40 = 3.9968... (read as no progress at all),
and "converged, loss 2.19e-63"."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from calcanim.params.descent_1d import Descent1DParams
from calcanim.params.gradient_descent import GradientDescentParams
from calcanim.plans.descent_1d import plan as descent_1d_plan
from calcanim.plans.gradient_descent import plan as gradient_descent_plan

SUPERSCRIPT_DIGITS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def shown_number(text: str) -> tuple[str, Decimal, int]:
    """(relation, value, significant digits shown) of "= 4", "≈ 4.00", "≈ 2.19·10⁻⁶³"."""
    match = re.fullmatch(r"([=≈]) (-?[\d.]+)(?:·10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?", text)
    assert match, text
    digits = match.group(2)
    power = int(match.group(3).translate(SUPERSCRIPT_DIGITS)) if match.group(3) else 0
    significant = len(digits.replace("-", "").replace(".", "").lstrip("0"))
    return match.group(1), Decimal(digits).scaleb(power), significant


def assert_claim(text: str, truth: Fraction) -> None:
    relation, value, significant = shown_number(text)
    exact = Decimal(truth.numerator) / Decimal(truth.denominator)
    if relation == "=":
        assert abs(Fraction(value) - truth) <= abs(truth) * Fraction(1, 10**9), (text, truth)
    else:
        rounded = exact.quantize(Decimal(1).scaleb(exact.adjusted() - 2), rounding=ROUND_HALF_EVEN)
        assert significant == 3 and value == rounded, (text, rounded)


def test_descent_1d_losses_in_the_closing_caption_are_claimed_truly() -> None:
    p = descent_1d_plan(Descent1DParams(function="x**2", start=2.0, learning_rates=(1e-5, 0.1, 0.45), steps=20))
    verdicts = p.captions[-1][0]
    assert not re.search(r"\de[-+]?\d", verdicts), verdicts
    for run, rate in zip(p.runs, (Fraction(1, 10**5), Fraction(1, 10), Fraction(45, 100))):
        truth = (2 * (1 - 2 * rate) ** 20) ** 2  # x_k = (1 - 2 eta)^k x_0
        text = re.search(r"f ([=≈] \S+)", run.status_text).group(1)
        assert_claim(text, truth)
    assert "f ≈ 4.00" in p.runs[0].status_text  # 3.9968..., once "f = 4"


def test_gradient_descent_losses_in_the_closing_caption_are_claimed_truly() -> None:
    p = gradient_descent_plan(GradientDescentParams(surface="bowl", learning_rates=(0.02, 0.3)))
    assert not re.search(r"\de[-+]?\d", p.captions[-1][0]), p.captions[-1][0]
    start = Fraction(-5, 2) ** 2 + Fraction(2) ** 2  # the bowl's start (-2.5, 2)
    for run, rate in zip(p.runs, (Fraction(2, 100), Fraction(3, 10))):
        truth = start * (1 - 2 * rate) ** (2 * 80)  # each coordinate times (1 - 2 eta) per step
        assert_claim(re.search(r"loss ([=≈] \S+)", run.status_text).group(1), truth)
