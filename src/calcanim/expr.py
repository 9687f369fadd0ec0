"""The safe expression language for functions users type on the command line.

Text is parsed with :mod:`ast` and translated node by node into sympy; nothing
the user types is ever evaluated as Python.

>>> f = parse_expression("3*x**2 - 4*x + 5")
>>> f(3)
20.0
>>> f.derivative()(3)
14.0
>>> parse_expression("x**2 + y**2", variables=("x", "y"))(3, 4)
25.0
>>> parse_expression("sigmoid(x)").value_at(x=0)
0.5
"""

from __future__ import annotations

import ast
import decimal
import functools
import keyword
import math
import operator
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt
import sympy

from calcanim.errors import ExpressionError, quoted
from calcanim.suggest import did_you_mean

MAX_TEXT_LENGTH = 500
MAX_DEPTH = 50
MAX_LITERAL = 1e12
MAX_LITERAL_DIGITS = 12
MAX_CONSTANT_EXPONENT = 100
MAX_CONSTANT_POWER_DIGITS = 300
MAX_CONSTANT_MAGNITUDE = 1e300
#: The largest total degree an expression may reach once its powers are multiplied out:
#: ((x**100)**100 is x**10000 although each exponent is within MAX_CONSTANT_EXPONENT). Symbolic
#: steps (expanding, limits, exact evaluation) grow with it; degree 100 keeps each under ~1 s.
MAX_DEGREE = 100
#: A number to a fractional power whose denominator is larger than this is worked out to 50 digits
#: rather than exactly: sympy looks for an exact q-th root first, which for a typed decimal such as
#: 4.08e-89 (q ~ 10^103) takes seconds in one uninterruptible call.
MAX_EXACT_ROOT = 10_000
REQUIRED_FINITE_FRACTION = 0.9

CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}
_UNDEFINED = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


def _sigmoid(a: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-a))


def _relu(a: sympy.Expr) -> sympy.Expr:
    return sympy.Max(0, a)


def _softplus(a: sympy.Expr) -> sympy.Expr:
    return sympy.log(1 + sympy.exp(a))


_ONE_ARGUMENT: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "exp": sympy.exp,
    "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt, "abs": sympy.Abs,
    "tanh": sympy.tanh, "sinh": sympy.sinh, "cosh": sympy.cosh, "arctan": sympy.atan,
    "atan": sympy.atan, "sigmoid": _sigmoid, "relu": _relu, "softplus": _softplus,
}
_FUNCTIONS: dict[str, tuple[int, Callable[..., sympy.Expr]]] = {
    **{name: (1, build) for name, build in _ONE_ARGUMENT.items()},
    "min": (2, sympy.Min),
    "max": (2, sympy.Max),
}
ALLOWED_FUNCTIONS: tuple[str, ...] = tuple(_FUNCTIONS)

_BINARY_OPERATORS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow,
}
_UNARY_OPERATORS: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos,
}
_FORBIDDEN_NODES: dict[type[ast.AST], str] = {
    **dict.fromkeys((ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp), "a comprehension"),
    ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Lambda: "a lambda",
    ast.Compare: "a comparison", ast.BoolOp: "a boolean operator",
    ast.IfExp: "a conditional expression", ast.JoinedStr: "an f-string",
    ast.NamedExpr: "an assignment", ast.Starred: "a starred argument",
    ast.Tuple: "a tuple (numbers take a decimal point, not a comma)",
    ast.List: "a list", ast.Set: "a set", ast.Dict: "a dict",
}
_LITERAL_KINDS: dict[type, str] = {
    str: "a string", bytes: "a bytes literal", complex: "a complex number", bool: "a boolean",
}
_NOT_A_FUNCTION = "not a function; use * to multiply, e.g. x*(x + 1)"
# DiracDelta appears in second derivatives of abs and relu; numpy has no equivalent.
_NUMPY_EXTRAS = {"DiracDelta": lambda a: np.where(np.asarray(a) == 0, np.inf, 0.0)}
# What _numpy_evaluator computes directly; every other node goes through sympy.lambdify.
_NUMPY_FUNCTIONS: dict[type, Callable[[Any], Any]] = {
    sympy.exp: np.exp, sympy.log: np.log, sympy.sin: np.sin, sympy.cos: np.cos,
    sympy.tan: np.tan, sympy.sinh: np.sinh, sympy.cosh: np.cosh, sympy.tanh: np.tanh,
    sympy.atan: np.arctan, sympy.Abs: np.abs, sympy.sign: np.sign,
}
_NUMPY_REDUCTIONS: dict[type, Callable[[Any, Any], Any]] = {
    sympy.Max: np.maximum, sympy.Min: np.minimum,
}
_Evaluator = Callable[[tuple[np.ndarray, ...]], Any]


@dataclass(frozen=True)
class Expression:
    """A parsed user expression: its text, its variables and its sympy form.

    >>> parse_expression("abs(x)")([-2.0, 0.5])
    array([2. , 0.5])
    >>> parse_expression("3")([1.0, 2.0])
    array([3., 3.])
    """

    text: str
    variables: tuple[str, ...]
    sympy_expr: sympy.Expr

    @functools.cached_property
    def _symbols(self) -> tuple[sympy.Symbol, ...]:
        return tuple(sympy.Symbol(name, real=True) for name in self.variables)

    @functools.cached_property
    def _numpy_function(self) -> Callable[..., Any]:
        try:
            evaluate = _numpy_evaluator(self.sympy_expr, self._symbols)
        except _NotCompiled:
            return sympy.lambdify(self._symbols, self.sympy_expr, modules=[_NUMPY_EXTRAS, "numpy"])
        return lambda *arrays: evaluate(arrays)

    def __call__(self, *args: npt.ArrayLike) -> float | np.ndarray:
        """Evaluate with numpy: a float for scalar input, an array shaped like the input otherwise.

        Points where the expression is undefined or not real give nan.

        >>> parse_expression("log(x)")(-1.0)
        nan
        """
        arrays = self._as_float_arrays(args)
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        with np.errstate(all="ignore"):
            raw = np.asarray(self._numpy_function(*arrays))
            values = np.broadcast_to(_real_or_nan(raw), shape).astype(float)
        return float(values) if shape == () else values

    def _as_float_arrays(self, args: tuple[npt.ArrayLike, ...]) -> list[np.ndarray]:
        if len(args) != len(self.variables):
            raise ExpressionError(
                f"'{self.text}' takes {len(self.variables)} value(s) "
                f"({', '.join(self.variables)}), got {len(args)}"
            )
        try:
            return [np.asarray(a, dtype=float) for a in args]
        except (TypeError, ValueError) as error:
            raise ExpressionError(f"cannot evaluate '{self.text}' at {args!r}: {error}") from None

    def derivative(self, variable: str = "x") -> Expression:
        """The exact derivative with respect to one of the variables.

        >>> parse_expression("3*x**2 - 4*x + 5").derivative()(-3)
        -22.0
        """
        if variable not in self.variables:
            raise ExpressionError(
                f"cannot differentiate '{self.text}' by '{variable}'; "
                f"its variables are: {', '.join(self.variables)}"
            )
        symbol = self._symbols[self.variables.index(variable)]
        derivative = sympy.diff(self.sympy_expr, symbol)
        return Expression(f"d/d{variable}({self.text})", self.variables, derivative)

    def value_at(self, **point: float) -> float:
        """Evaluate exactly with sympy, then round to float; nan where undefined or not real.

        >>> parse_expression("log(x)").value_at(x=math.e)
        1.0
        """
        _require_point_covers_variables(self, point)
        exact_point = {s: sympy.Rational(float(point[s.name])) for s in self._symbols}
        try:
            as_complex = complex(self.sympy_expr.xreplace(exact_point).evalf(30))
        except (TypeError, ValueError, ArithmeticError, RecursionError):
            return math.nan
        return as_complex.real if as_complex.imag == 0 else math.nan


def parse_expression(text: str, variables: tuple[str, ...] = ("x",)) -> Expression:
    """Parse user text into an :class:`Expression`, or raise ExpressionError saying what is wrong.

    >>> parse_expression("sin(pi/2) + e**0")(0)
    2.0
    >>> parse_expression("2^x")
    Traceback (most recent call last):
    ...
    calcanim.errors.ExpressionError: '^' is not a power in '2^x'; use ** for powers, e.g. 2**x
    """
    variables = _validated_variables(variables)
    source = _validated_text(text)
    tree = _parse_tree(source)
    sympy_expr = _Translator(source, variables).translate(tree.body, depth=0)
    return Expression(source, variables, sympy_expr)


def parse_syntax_tree(text: str, variables: tuple[str, ...]) -> tuple[Expression, ast.expr]:
    """Parse like :func:`parse_expression` and also return the checked syntax tree, as written.

    The tree keeps the user's order of operations (sympy reorders and flattens ``a*b + c*d + e``),
    which is what a computation graph of the expression shows. Only trees that passed every
    check of the expression language are returned.

    >>> expression, tree = parse_syntax_tree("tanh(x1*w1 + b)", ("x1", "w1", "b"))
    >>> type(tree).__name__, expression.variables
    ('Call', ('x1', 'w1', 'b'))
    """
    variables = _validated_variables(variables)
    source = _validated_text(text)
    tree = _parse_tree(source)
    sympy_expr = _Translator(source, variables).translate(tree.body, depth=0)
    return Expression(source, variables, sympy_expr), tree.body


def require_real_near(
    expr: Expression, point: Mapping[str, float], half_width: float, samples: int = 101
) -> None:
    """Raise ExpressionError unless expr is finite and real at point and on most of a grid near it.

    The grid spans point ± half_width in every variable; at least 90% of it must be finite,
    so isolated poles such as 1/x near (but not at) 0 are allowed.

    >>> require_real_near(parse_expression("1/x"), {"x": 1.0}, 2.0)
    >>> require_real_near(parse_expression("log(x)"), {"x": -1.0}, 0.5)
    Traceback (most recent call last):
    ...
    calcanim.errors.ExpressionError: 'log(x)' is not finite and real at x = -1.0
    """
    _require_point_covers_variables(expr, point)
    centre = [float(point[name]) for name in expr.variables]
    where = ", ".join(f"{name} = {value}" for name, value in zip(expr.variables, centre))
    if not math.isfinite(float(expr(*centre))):
        raise ExpressionError(f"'{expr.text}' is not finite and real at {where}")
    axes = [np.linspace(c - half_width, c + half_width, samples) for c in centre]
    finite_fraction = float(np.mean(np.isfinite(expr(*np.meshgrid(*axes, indexing="ij")))))
    if finite_fraction < REQUIRED_FINITE_FRACTION:
        raise ExpressionError(
            f"'{expr.text}' is undefined or not real on {100 * (1 - finite_fraction):.0f}% "
            f"of the region within {half_width} of {where}; choose another region or function"
        )


def _require_point_covers_variables(expr: Expression, point: Mapping[str, float]) -> None:
    if set(point) != set(expr.variables):
        raise ExpressionError(
            f"'{expr.text}' needs values for exactly "
            f"{', '.join(expr.variables) or 'no variables'}; "
            f"got {', '.join(point) or 'none'}"
        )


class _NotCompiled(Exception):
    """A node _numpy_evaluator has no rule for; the whole expression goes to sympy.lambdify."""


def _numpy_evaluator(node: sympy.Expr, symbols: tuple[sympy.Symbol, ...]) -> _Evaluator:
    """A numpy function of the argument tuple, composed node by node (no code is generated).

    It evaluates as sympy.lambdify's numpy printer writes the expression (term and factor
    order, numerator over denominator, sqrt), so the two agree to the last bit except where
    lambdify rounds a Float to the 15 digits it prints; lambdify itself costs ~0.2 s on first
    use. Raises _NotCompiled for any other kind of node.
    """
    if node.is_Symbol and node in symbols:
        return operator.itemgetter(symbols.index(node))
    if isinstance(node, (sympy.Rational, sympy.Float, sympy.NumberSymbol)):
        value = float(node)
        return lambda args: value
    if node.is_Add:
        terms = [_numpy_evaluator(term, symbols) for term in node.as_ordered_terms()]
        return _combined(operator.add, terms)
    if node.is_Mul:
        return _quotient_evaluator(node, symbols)
    if node.is_Pow:
        return _power_evaluator(node, symbols)
    if type(node) in _NUMPY_FUNCTIONS:
        function, inner = _NUMPY_FUNCTIONS[type(node)], _numpy_evaluator(node.args[0], symbols)
        return lambda args: function(inner(args))
    if type(node) in _NUMPY_REDUCTIONS:
        parts = [_numpy_evaluator(arg, symbols) for arg in node.args]
        return _combined(_NUMPY_REDUCTIONS[type(node)], parts)
    raise _NotCompiled(node)


def _combined(combine: Callable[[Any, Any], Any], parts: list[_Evaluator]) -> _Evaluator:
    """The parts' values folded left to right with combine, as a + b + c evaluates."""
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts
        return lambda args: combine(first(args), second(args))
    return lambda args: functools.reduce(combine, [part(args) for part in parts])


def _quotient_evaluator(node: sympy.Mul, symbols: tuple[sympy.Symbol, ...]) -> _Evaluator:
    """A product as the printer writes it: -a*b/(c*d), with negative rational powers below."""
    coefficient, rest = node.as_coeff_Mul()
    factors = ([] if abs(coefficient) == 1 else [abs(coefficient)]) + rest.as_ordered_factors()
    above: list[_Evaluator] = []
    below: list[_Evaluator] = []
    for factor in factors:
        if factor.is_Pow and factor.exp.is_Rational and factor.exp.is_negative:
            flipped = sympy.Pow(factor.base, -factor.exp, evaluate=False)
            below.append(_numpy_evaluator(factor.base if factor.exp == -1 else flipped, symbols))
        else:
            above.append(_numpy_evaluator(factor, symbols))
    numerator = _combined(operator.mul, above) if above else lambda args: 1.0
    if below:
        numerator = _combined(operator.truediv, [numerator, _combined(operator.mul, below)])
    return (lambda args: -numerator(args)) if coefficient < 0 else numerator


def _power_evaluator(node: sympy.Pow, symbols: tuple[sympy.Symbol, ...]) -> _Evaluator:
    base, exponent = node.args
    if base.is_number and exponent.is_number and not (exponent.is_integer or base.is_nonnegative):
        raise _NotCompiled(node)  # lambdify computes a complex Python number here, numpy a nan
    lower = _numpy_evaluator(base, symbols)
    if exponent is sympy.S.Half:
        return lambda args: np.sqrt(lower(args))
    if -exponent is sympy.S.Half:
        return lambda args: 1.0 / np.sqrt(lower(args))
    upper = _numpy_evaluator(exponent, symbols)
    return lambda args: np.power(lower(args), upper(args))


def _real_or_nan(values: np.ndarray) -> np.ndarray:
    if np.iscomplexobj(values):
        return np.where(values.imag == 0, values.real, np.nan)
    return values


def _validated_variables(variables: tuple[str, ...]) -> tuple[str, ...]:
    variables = tuple(variables)
    for name in variables:
        reserved = name in CONSTANTS or name in _FUNCTIONS or keyword.iskeyword(name)
        if not isinstance(name, str) or not name.isidentifier() or reserved:
            raise ExpressionError(f"{name!r} cannot be used as a variable name")
    if len(set(variables)) != len(variables):
        raise ExpressionError(f"variable names repeat: {', '.join(variables)}")
    return variables


def _validated_text(text: str) -> str:
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be text, got {type(text).__name__}")
    source = text.strip()
    if not source:
        raise ExpressionError("empty expression; write a function such as 'sin(x)'")
    if any(not char.isprintable() and not char.isspace() for char in source):
        raise ExpressionError(f"expression {quoted(source)} contains a control character")
    if len(source) > MAX_TEXT_LENGTH:
        raise ExpressionError(
            f"expression is too long ({len(source)} characters; at most {MAX_TEXT_LENGTH})"
        )
    return source


def _parse_tree(source: str) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source, mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"cannot parse {quoted(source)}: {error.msg}") from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise ExpressionError(f"cannot parse {quoted(source)}: {error}") from None


#: How many names a message lists before it only counts the rest.
LISTED_NAMES = 12


def _listed(names: tuple[str, ...]) -> str:
    """``names`` for a message, the first :data:`LISTED_NAMES` of a long list and a count of the rest.

    >>> _listed(("x", "y")), _listed(tuple(f"x{i}" for i in range(14)))
    ('x, y', 'x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11 and 2 more')
    """
    if len(names) <= LISTED_NAMES:
        return ", ".join(names)
    return f"{', '.join(names[:LISTED_NAMES])} and {len(names) - LISTED_NAMES} more"


class _Translator:
    """Builds a sympy expression from an ast tree, allowing only the expression language."""

    def __init__(self, source: str, variables: tuple[str, ...]) -> None:
        self.source = source
        self.variables = variables
        self.symbols = {name: sympy.Symbol(name, real=True) for name in variables}

    def translate(self, node: ast.AST, depth: int) -> sympy.Expr:
        if depth > MAX_DEPTH:
            self._reject(node, f"nesting deeper than {MAX_DEPTH} levels")
        try:
            result = self._translate_node(node, depth)
        except ExpressionError:
            raise  # already names the part (ExpressionError is a ValueError since CalcanimError is one)
        except (RecursionError, MemoryError, ArithmeticError, TypeError, ValueError) as error:
            self._reject(node, f"not computable ({type(error).__name__})")
        self._require_well_defined(node, result)
        return result

    def _require_well_defined(self, node: ast.AST, result: sympy.Expr) -> None:
        if result.has(*_UNDEFINED):
            self._reject(node, "undefined (division by zero or similar)")
        size = _magnitude(result)
        if size is not None and not size <= MAX_CONSTANT_MAGNITUDE:
            self._reject(node, f"a constant beyond {MAX_CONSTANT_MAGNITUDE:g}, too large")

    def _translate_node(self, node: ast.AST, depth: int) -> sympy.Expr:
        if isinstance(node, ast.Constant):
            return self._number(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.BinOp):
            return self._binary(node, depth)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        description = _FORBIDDEN_NODES.get(type(node), f"'{type(node).__name__}'")
        self._reject(node, f"{description}, which is not allowed")

    def _number(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        kind = _LITERAL_KINDS.get(type(value))
        if kind is not None or not isinstance(value, (int, float)):
            self._reject(node, f"{kind or 'a literal'}, which is not allowed; only numbers are")
        too_many_digits = isinstance(value, int) and len(str(abs(value))) > MAX_LITERAL_DIGITS
        if too_many_digits or not abs(value) <= MAX_LITERAL:
            self._reject(node, f"too large a number (the limit is {MAX_LITERAL:g})")
        if isinstance(value, int):
            return sympy.Integer(value)
        return self._exact_decimal(node)

    def _exact_decimal(self, node: ast.Constant) -> sympy.Rational:
        """A decimal literal as the exact rational its text names: 0.1 is 1/10, not a 53-bit Float.

        A binary Float would turn exact arithmetic (Float * Rational) into 15-digit floats.
        """
        text = ast.get_source_segment(self.source, node) or repr(node.value)
        try:
            exact = decimal.Decimal(text.replace("_", ""))
        except decimal.InvalidOperation:
            exact = decimal.Decimal(repr(node.value))
        numerator, denominator = exact.as_integer_ratio()
        return sympy.Rational(numerator, denominator)

    def _name(self, node: ast.Name) -> sympy.Expr:
        if node.id in self.symbols:
            return self.symbols[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in _FUNCTIONS:
            self._reject(node, f"a function used without brackets; write {node.id}(x)")
        allowed = [*self.variables, *CONSTANTS, *_FUNCTIONS]
        raise ExpressionError(
            f"unknown name '{node.id}' in '{self.source}'; allowed variables: "
            f"{_listed(self.variables) or 'none'}; constants: {', '.join(CONSTANTS)}"
            + _suggestion(node.id, allowed)
        )

    def _binary(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        if isinstance(node.op, ast.BitXor):
            raise ExpressionError(
                f"'^' is not a power in '{self._fragment(node)}'; use ** for powers, e.g. "
                f"{self._fragment(node.left)}**{self._fragment(node.right)}"
            )
        combine = _BINARY_OPERATORS.get(type(node.op))
        if combine is None:
            self._reject(node, "an operator that is not allowed; use + - * / **")
        # Chains such as a + b + c nest to the left; only the right side counts as nesting.
        left = self.translate(node.left, depth)
        right = self.translate(node.right, depth + 1)
        if isinstance(node.op, ast.Div) and right.is_zero:
            self._reject(node, "a division by zero")
        if isinstance(node.op, ast.Pow):
            self._require_modest_power(node, left, right)
        if isinstance(node.op, (ast.Pow, ast.Mult, ast.Div)):
            self._require_modest_degree(node, left, right)
        if isinstance(node.op, ast.Pow) and left.is_Rational and right.is_Rational and right.q > MAX_EXACT_ROOT:
            return sympy.Pow(left, right, evaluate=False).evalf(50)
        return combine(left, right)

    def _require_modest_degree(self, node: ast.BinOp, left: sympy.Expr, right: sympy.Expr) -> None:
        """Estimate the degree before sympy combines the two sides (a power of a power multiplies
        exponents), so nesting cannot get past the exponent cap."""
        low, high = degree_estimate(left), degree_estimate(right)
        if isinstance(node.op, ast.Pow):
            exponent = _magnitude(right)
            degree = low * max(1.0, exponent) if exponent is not None else low + high + 1
        else:
            degree = low + high
        if degree > MAX_DEGREE:
            self._reject(node, f"of degree about {degree:.0f} once multiplied out (at most {MAX_DEGREE}); "
                               "use smaller exponents or fewer factors")

    def _require_modest_power(
        self, node: ast.BinOp, base: sympy.Expr, exponent: sympy.Expr
    ) -> None:
        exponent_size = _magnitude(exponent)
        if exponent_size is None:
            return
        if exponent_size > MAX_CONSTANT_EXPONENT:
            self._reject(node, f"too large an exponent (at most {MAX_CONSTANT_EXPONENT})")
        base_size = _magnitude(base)
        if base_size and abs(math.log10(base_size)) * exponent_size > MAX_CONSTANT_POWER_DIGITS:
            self._reject(node, f"a number with more than {MAX_CONSTANT_POWER_DIGITS} digits")

    def _unary(self, node: ast.UnaryOp, depth: int) -> sympy.Expr:
        apply = _UNARY_OPERATORS.get(type(node.op))
        if apply is None:
            self._reject(node, "an operator that is not allowed; use + - * / **")
        return apply(self.translate(node.operand, depth + 1))

    def _call(self, node: ast.Call, depth: int) -> sympy.Expr:
        if not isinstance(node.func, ast.Name):
            self.translate(node.func, depth + 1)
            self._reject(node.func, _NOT_A_FUNCTION)
        name = node.func.id
        if name not in _FUNCTIONS:
            self._reject_unknown_function(node.func)
        if node.keywords:
            self._reject(node.keywords[0], "a keyword argument, which is not allowed")
        arity, build = _FUNCTIONS[name]
        if len(node.args) != arity:
            self._reject(node, f"a call with {len(node.args)} argument(s); {name} takes {arity}")
        return build(*(self.translate(arg, depth + 1) for arg in node.args))

    def _reject_unknown_function(self, func: ast.Name) -> NoReturn:
        if func.id in self.symbols or func.id in CONSTANTS:
            self._reject(func, _NOT_A_FUNCTION)
        raise ExpressionError(
            f"unknown function '{func.id}' in '{self.source}'; "
            f"allowed functions: {', '.join(ALLOWED_FUNCTIONS)}"
            + _suggestion(func.id, list(_FUNCTIONS))
        )

    def _fragment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or self.source

    def _reject(self, node: ast.AST, problem: str) -> NoReturn:
        fragment = self._fragment(node)
        where = "" if fragment == self.source else f" in '{self.source}'"
        raise ExpressionError(f"'{fragment}'{where} is {problem}")


@functools.lru_cache(maxsize=4096)
def degree_estimate(expr: sympy.Expr) -> float:
    """An upper estimate of the degree of expr in its variables, counting powers inside functions.

    >>> x = sympy.Symbol("x")
    >>> degree_estimate((x**3 + 1) * x**2), degree_estimate(sympy.sin(x**4) ** 2), degree_estimate(2 ** x)
    (5.0, 8.0, 2.0)
    """
    if not expr.free_symbols:
        return 0.0
    if expr.is_Symbol:
        return 1.0
    if expr.is_Add:  # over a common denominator, rational terms add their degrees
        degrees = [degree_estimate(term) for term in expr.args]
        rational = any(sympy.fraction(term)[1].free_symbols for term in expr.args)
        return float(sum(degrees)) if rational else max(degrees)
    if expr.is_Mul:
        return float(sum(degree_estimate(factor) for factor in expr.args))
    if expr.is_Pow:
        base, exponent = expr.args
        size = _magnitude(exponent)
        if size is not None:
            return degree_estimate(base) * max(1.0, size)
        return degree_estimate(base) + degree_estimate(exponent) + 1.0
    return max(1.0, max(degree_estimate(arg) for arg in expr.args))


def _magnitude(value: sympy.Expr) -> float | None:
    """The absolute value of a constant expression, or None if it depends on variables."""
    if value.free_symbols:
        return None
    try:
        return abs(complex(value.evalf(20)))
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return math.inf


def _suggestion(name: str, candidates: list[str]) -> str:
    return did_you_mean(name, candidates, "; did you mean '{}'?")
