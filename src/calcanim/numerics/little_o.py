"""Little-o and the error of the linear approximation.

r(eps) = f(x0 + eps) - f(x0) - f'(x0) eps is o(eps) for differentiable f: r / eps -> 0.
An approximation that is off by a constant or by a wrong slope has an error whose ratio
to eps does not go to 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import sympy
from sympy.core.evalf import PrecisionExhausted

from calcanim.errors import ParamError
from calcanim.numerics.exact_numbers import exact_binary
from calcanim.numerics.one_variable import single_variable

#: The small step symbol every remainder is written in.
EPS = sympy.Symbol("eps", real=True)

#: Significant digits wanted in each evaluated remainder (sympy raises working precision as needed).
_DIGITS = 30

#: Least extra working precision allowed to evalf: enough that an error it cannot tell from 0 underflows float64.
_MIN_EXTRA_DIGITS = 700


def is_little_o(f: sympy.Expr, g: sympy.Expr, var: sympy.Symbol, point: Any = 0) -> bool:
    """True when f = o(g) as var -> point, i.e. f / g -> 0, from both sides (one side at +-oo).

    Two-sided because the clip lets eps be negative too. Each side is a limit t -> 0+ of
    var = point + t and var = point - t with t positive, so Abs and Piecewise resolve first
    (sympy.limit(..., dir="-") mishandles Piecewise). A limit sympy cannot decide
    (oscillation, unevaluated Limit) counts as not o(g).

    >>> x = sympy.Symbol("x")
    >>> is_little_o(x**2, x, x), is_little_o(5 * x, x, x), is_little_o(sympy.exp(x) - 1 - x, x, x)
    (True, False, True)
    """
    f, g, target = sympy.sympify(f), sympy.sympify(g), sympy.sympify(point)
    if target == 0 and f.is_polynomial(var) and g.is_polynomial(var) and not g.is_zero:
        # Near 0 a polynomial is dominated by its lowest-degree term (sympy.limit takes seconds on
        # a degree-100 one): f/g -> 0 exactly when f is 0 or its lowest degree is above g's.
        return bool(f.is_zero) or _lowest_degree(f, var) > _lowest_degree(g, var)
    ratio = f / g
    if target == 0 and ratio.is_rational_function(var) and not ratio.has(sympy.Float):
        # Likewise a rational function, once cancelled, behaves like c var**(low(N) - low(D)).
        numerator, denominator = sympy.fraction(sympy.cancel(ratio))
        return bool(numerator.is_zero) or _lowest_degree(numerator, var) > _lowest_degree(denominator, var)
    t = sympy.Dummy("t", positive=True)
    if target.is_infinite:
        sides = [ratio]
    else:
        sides = [ratio.subs(var, target + t), ratio.subs(var, target - t)]
    for side in sides:
        try:
            value = sympy.limit(side, var, target) if target.is_infinite else sympy.limit(side, t, 0, dir="+")
        except Exception:  # sympy gave up (NotImplementedError, PoleError, ...): not shown to be o(g)
            return False
        if value != 0:
            return False
    return True


def _lowest_degree(polynomial: sympy.Expr, var: sympy.Symbol) -> int:
    """The smallest k with a nonzero var**k term; very large for the zero polynomial.

    >>> x = sympy.Symbol("x")
    >>> _lowest_degree(3 * x**5 + x**2, x), _lowest_degree(x - x, x)
    (2, 1000000)
    """
    exponents = [k for (k,), coefficient in sympy.Poly(polynomial, var).terms() if coefficient != 0]
    return min(exponents, default=1_000_000)


def remainder_is_little_o(expr: sympy.Expr, x0: Any) -> bool:
    """True when r(eps) = f(x0 + eps) - f(x0) - f'(x0) eps is o(eps).

    r(eps)/eps = (f(x0 + eps) - f(x0))/eps - f'(x0) -> 0 is the definition of f'(x0): so where f
    is built from smooth functions only (no |.|, max, min) and sympy's f'(x0) is a finite real
    number, the answer is True without a limit (sympy.limit takes seconds on sin(0.7x) + exp(0.3x)).
    Otherwise the two one-sided limits decide (is_little_o).

    >>> x = sympy.Symbol("x", real=True)
    >>> remainder_is_little_o(sympy.exp(x / 2), 0.7), remainder_is_little_o(sympy.Abs(x), 0.0)
    (True, False)
    """
    x = single_variable(expr)
    smooth = not any(expr.has(kind) for kind in (sympy.Abs, sympy.Max, sympy.Min, sympy.Heaviside, sympy.sign, sympy.Piecewise))
    if smooth:
        slope = sympy.diff(expr, x).subs(x, exact_binary(x0)).evalf(30)
        if slope.is_real and slope.is_finite:
            return True
    return is_little_o(linearization_remainder(expr, x0), EPS, EPS)




def linearization_remainder(expr: sympy.Expr, x0: Any) -> sympy.Expr:
    """r(eps) = f(x0 + eps) - f(x0) - f'(x0) eps as an expression in EPS (expanded when polynomial).

    >>> x = sympy.Symbol("x")
    >>> linearization_remainder(x**2, 1)
    eps**2
    """
    x = single_variable(expr)
    point = exact_binary(x0)
    if expr.is_polynomial(x):
        # f(x0 + eps) by a Taylor shift in the polynomial ring: the same exact terms of degree >= 2
        # as expanding the expression, ~10x faster for degree 100 at a point such as 0.3, whose
        # exact binary value has a 54-bit denominator.
        shifted = sympy.Poly(expr, x).to_field().shift(point)
        return sympy.Add(*[coefficient * EPS**k for (k,), coefficient in shifted.terms() if k >= 2])
    slope = sympy.diff(expr, x).subs(x, point)
    remainder = expr.subs(x, point + EPS) - expr.subs(x, point) - slope * EPS
    return sympy.expand(remainder) if remainder.is_polynomial(EPS) else remainder


def _evaluate(error: sympy.Expr, eps: float) -> tuple[float, float]:
    """(error, error / eps) at eps (its exact binary value), each to _DIGITS significant digits.

    sympy's evalf raises its working precision (up to _MIN_EXTRA_DIGITS plus 8 digits per
    decade of eps) until the digits survive the cancellation in f(x0 + eps) - f(x0) - f'(x0) eps,
    so tiny eps keeps full relative accuracy. If even that cannot tell the error from 0, it is
    far below float64's range (or exactly 0) and is reported as 0.0.
    """
    if eps == 0.0 or not math.isfinite(eps):
        raise ParamError(f"eps must be a nonzero finite number, got {eps!r}")
    exact_eps = exact_binary(eps)
    decades = max(0, math.ceil(-math.log10(abs(eps))))
    value = error.subs(EPS, exact_eps)
    try:
        value = value.evalf(_DIGITS, maxn=_MIN_EXTRA_DIGITS + 8 * decades, strict=True)
    except PrecisionExhausted:
        return 0.0, 0.0
    if not (value.is_number and value.is_real):
        raise ParamError(f"the approximation error is not a real number at eps = {eps}: {value}")
    return float(value), float(value / exact_eps)


def ratio_digits(error: sympy.Expr, eps: float) -> str:
    """error(eps) / eps as a decimal string of _DIGITS significant digits (for rounding once to what is shown).

    >>> ratio_digits(EPS**2 + 2 * EPS, 0.5)
    '2.50000000000000000000000000000'
    """
    exact_eps = exact_binary(eps)
    decades = max(0, math.ceil(-math.log10(abs(eps))))
    try:
        value = (error.subs(EPS, exact_eps) / exact_eps).evalf(_DIGITS, maxn=_MIN_EXTRA_DIGITS + 8 * decades, strict=True)
    except PrecisionExhausted:
        return "0"
    return str(value)


def _ratio_rows(error: sympy.Expr, eps_values: Iterable[float]) -> list[dict[str, float]]:
    """Rows {eps, remainder, ratio} for an error expression in EPS."""
    rows = []
    for eps in eps_values:
        remainder, ratio = _evaluate(error, float(eps))
        rows.append({"eps": float(eps), "remainder": remainder, "ratio": ratio})
    return rows


def remainder_ratios(expr: sympy.Expr, x0: Any, eps_values: Iterable[float]) -> list[dict[str, float]]:
    """For each eps: the linearization remainder r(eps) and r(eps) / eps, accurate even for tiny eps.

    >>> x = sympy.Symbol("x")
    >>> remainder_ratios(x**2, 1, [0.5])
    [{'eps': 0.5, 'remainder': 0.25, 'ratio': 0.5}]
    """
    return _ratio_rows(linearization_remainder(expr, x0), eps_values)


def offset_ratios(
    expr: sympy.Expr,
    x0: Any,
    eps_values: Iterable[float],
    *,
    value_offset: float = 0.0,
    slope_offset: float = 2.0,
) -> list[dict[str, float]]:
    """Rows like remainder_ratios for a bad approximation, off the tangent by value_offset + slope_offset*eps.

    The approximation is f(x0) + f'(x0) eps - (value_offset + slope_offset eps), so its error is
    r(eps) + value_offset + slope_offset eps: the ratio tends to slope_offset when value_offset = 0
    (error 2 eps by default) and blows up like value_offset / eps otherwise (error eps + 2).

    >>> x = sympy.Symbol("x")
    >>> offset_ratios(x**2, 1, [0.5])
    [{'eps': 0.5, 'remainder': 1.25, 'ratio': 2.5}]
    """
    offset = sympy.Rational(float(value_offset)) + sympy.Rational(float(slope_offset)) * EPS
    return _ratio_rows(linearization_remainder(expr, x0) + offset, eps_values)


def ratio_curve(error: sympy.Expr, eps_values: Iterable[float], digits: int = 20) -> list[float]:
    """error(eps) / eps at many eps quickly (mpmath), for drawing the ratio as a curve.

    Working precision grows with -log10|eps| so the cancellation in f(x0 + eps) - f(x0) - f'(x0) eps
    cannot eat the digits; the result is rounded to float64.

    >>> [round(v, 12) for v in ratio_curve(EPS**2 + 2 * EPS, [0.5, 1e-6])]
    [2.5, 2.000001]
    """
    import mpmath

    function = _polynomial_in_mpmath(error) or sympy.lambdify(EPS, error, modules="mpmath")
    values = []
    for eps in eps_values:
        eps = float(eps)
        if eps == 0.0 or not math.isfinite(eps):
            raise ParamError(f"eps must be a nonzero finite number, got {eps!r}")
        decades = max(0, math.ceil(-math.log10(abs(eps))))
        with mpmath.workdps(digits + 3 * decades + 10):
            e = mpmath.mpf(eps)
            value = function(e) / e
            if isinstance(value, mpmath.mpc):
                raise ParamError(f"the approximation error is not real at eps = {eps}")
            values.append(float(value))
    return values


def _polynomial_in_mpmath(error: sympy.Expr) -> Any:
    """For a polynomial error in EPS (the remainder of a polynomial f), an mpmath function that
    evaluates it by Horner's rule with its exact coefficients rounded once per working precision;
    None otherwise. lambdify converts every huge exact coefficient again at every call, which costs
    seconds for degree 100 at a point such as 0.3 (54-bit denominators to the 100th power).

    >>> import mpmath
    >>> with mpmath.workdps(30):
    ...     print(_polynomial_in_mpmath(EPS**3 / 3 + EPS**2)(mpmath.mpf("0.5")))
    0.291666666666666666666666666667
    """
    import mpmath

    if not error.is_polynomial(EPS) or error.free_symbols - {EPS}:
        return None
    coefficients = sympy.Poly(error, EPS).all_coeffs()  # highest degree first
    rounded: dict[int, list[Any]] = {}

    def evaluate(eps: Any) -> Any:
        precision = mpmath.mp.prec
        if precision not in rounded:
            rounded[precision] = [mpmath.mpmathify(c._to_mpmath(precision)) for c in coefficients]
        total = mpmath.mpf(0)
        for coefficient in rounded[precision]:
            total = total * eps + coefficient
        return total

    return evaluate
