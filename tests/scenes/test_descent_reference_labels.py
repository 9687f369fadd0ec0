"""What the descent clips' loss insets and captions claim about f*: checked against minima found here
(mpmath.findroot on the gradient of a sympy expression written in this file, sympy's real roots at 50 digits).

Reported: the saddle (unbounded below) had its inset read "f - f*, f* = -13.3" (the lowest value seen is no
minimum); six-hump-camel's "f* = -1.03" and descent-1d's "f* = -3.51" wrote a rounded value after "=";
"2/L = 0.333" likewise for a quadratic custom loss with L = 6."""

from __future__ import annotations

import re

import mpmath
import sympy

from calcanim.params.descent_1d import Descent1DParams
from calcanim.params.gradient_descent import GradientDescentParams
from calcanim.plans.descent_1d import plan as descent_1d_plan
from calcanim.plans.gradient_descent import plan as gradient_descent_plan

X, Y = sympy.symbols("x y")


def relation_and_value(text: str, name: str) -> tuple[str, mpmath.mpf]:
    match = re.search(name + r" (=|\\approx) (-?\d+(?:\.\d+)?)", text)
    assert match, text
    return match.group(1), mpmath.mpf(match.group(2))


def assert_true_claim(text: str, name: str, truth: mpmath.mpf) -> None:
    """'= v' only when v is the truth; '\\approx v' with v the truth correctly rounded to its digits."""
    relation, shown = relation_and_value(text, name)
    digits = re.search(name + r" (?:=|\\approx) -?(?:0\.0*)?(\d+(?:\.\d+)?)", text).group(1).replace(".", "")
    half_unit = mpmath.mpf(10) ** (mpmath.floor(mpmath.log10(abs(shown))) - len(digits) + 1) / 2
    if relation == "=":
        assert abs(shown - truth) < mpmath.mpf(10) ** -12 * max(1, abs(truth)), (text, truth)
    else:
        assert abs(shown - truth) <= half_unit, (text, truth)
        assert abs(shown - truth) > mpmath.mpf(10) ** -12, (text, truth)


def test_six_hump_camels_f_star_is_written_as_rounded() -> None:
    f = X**2 * (4 - sympy.Rational(21, 10) * X**2 + X**4 / 3) + X * Y + Y**2 * (-4 + 4 * Y**2)
    gradient = [sympy.lambdify((X, Y), sympy.diff(f, v), "mpmath") for v in (X, Y)]
    with mpmath.workdps(50):
        point = mpmath.findroot(lambda a, b: [g(a, b) for g in gradient], (mpmath.mpf("0.09"), mpmath.mpf("-0.71")))
        truth = sympy.lambdify((X, Y), f, "mpmath")(point[0], point[1])
    label = gradient_descent_plan(GradientDescentParams(surface="six-hump-camel")).inset_label_tex
    assert_true_claim(label, r"f\^\{\*\}", truth)


def test_a_surface_without_a_minimum_never_names_an_f_star() -> None:
    saddle = gradient_descent_plan(GradientDescentParams(surface="saddle"))
    assert "f^{*}" not in saddle.inset_label_tex  # x^2 - y^2 has no minimum: the lowest value seen is no f*
    lowest = min(float(r.run.losses.min()) for r in saddle.runs)
    relation, shown = relation_and_value(saddle.inset_label_tex, r"f_\{\\text\{low\}\}")
    assert shown <= lowest + 0.05 * abs(lowest)


def test_the_stable_rate_of_a_custom_quadratic_is_written_truly() -> None:
    p = gradient_descent_plan(GradientDescentParams(surface="custom", loss="x**2/2 + 3*y**2"))
    middle = p.captions[1][0].replace("≈", r"\approx")  # plain text writes the TeX \approx as ≈
    assert_true_claim(middle, "2/L", mpmath.mpf(1) / 3)  # L = 6, the largest eigenvalue of the Hessian
    bowl = gradient_descent_plan(GradientDescentParams(surface="ravine")).captions[1][0]
    assert "2/L = 0.2" in bowl  # L = 10 exactly


def test_descent_1d_f_star_is_exact_only_when_it_is() -> None:
    exact = descent_1d_plan(Descent1DParams(function="x**2 - 3", start=1.5, x_range=(-1.0, 2.0)))
    assert exact.reference_kind == "minimum"
    assert_true_claim(" ".join(exact.inset_context_lines), r"f\^\{\*\}", mpmath.mpf(-3))
    f = X**4 - 3 * X**2 + X
    p = descent_1d_plan(Descent1DParams(function="x**4 - 3*x**2 + x", start=-0.5, learning_rates=(0.01, 0.05)))
    assert p.reference_kind == "minimum"
    critical = [r for r in sympy.Poly(sympy.diff(f, X), X).nroots(n=50) if r.is_real]
    truth = min(f.subs(X, r) for r in critical if p.x_range[0] < r < p.x_range[1])
    assert_true_claim(" ".join(p.inset_context_lines), r"f\^\{\*\}", mpmath.mpf(str(sympy.N(truth, 50))))


def test_the_saddle_caption_never_promises_shrinking_steps() -> None:
    """gd on x^2 - y^2: y_(k+1) = y_k - eta * (-2 y_k) = (1 + 2 eta) y_k grows for every eta > 0, so "steps shrink
    only if eta < 2/L" (L = 2 along x) must not stand alone."""
    eta = sympy.symbols("eta", positive=True)
    f = X**2 - Y**2
    factor = sympy.simplify((Y - eta * sympy.diff(f, Y)) / Y)
    assert sympy.simplify(factor - (1 + 2 * eta)) == 0 and sympy.solve(sympy.Abs(factor) < 1, eta) in ([], sympy.false)
    middle = gradient_descent_plan(GradientDescentParams(surface="saddle")).captions[1][0]
    assert "grow for every η" in middle, middle
    assert_true_claim(middle.replace("≈", r"\approx"), "2/L", mpmath.mpf(1))
