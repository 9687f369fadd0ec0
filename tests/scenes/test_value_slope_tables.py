"""The tables, peak labels and peak sentences of activations and loss-functions against definitions written
out here (mpmath at 50 digits, mpmath.diff for slopes, exact fractions for the piecewise-polynomial losses).

Reported: a point typed 0.25 was shown as "0.2" (activations wrote points to 1 decimal, loss-functions to 2:
0.125 -> "0.12"), beside the value at 0.25; silu's peak 1.0998... was labelled "max f' = 1.1"; softplus' slope
"peaks at 1" though sigmoid < 1 everywhere."""

from __future__ import annotations

import re
from decimal import Decimal
from collections.abc import Iterator
from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calcanim.params.activations import ActivationsParams
from calcanim.params.loss_functions import LossFunctionsParams
from calcanim.plans.activations import plan as activations_plan
from calcanim.plans.loss_functions import plan as losses_plan



@pytest.fixture(autouse=True)
def fifty_digits() -> Iterator[None]:
    """Every reference here at 50 digits (150 where a definition cancels), mpmath's precision restored after."""
    with mpmath.workdps(50):
        yield


DEFINITIONS = {
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "tanh": lambda x: (mpmath.exp(x) - mpmath.exp(-x)) / (mpmath.exp(x) + mpmath.exp(-x)),
    "relu": lambda x: max(x, 0 * x),
    "leaky_relu": lambda x: x if x > 0 else x / 100,
    "gelu": lambda x: x * (1 + mpmath.erf(x / mpmath.sqrt(2))) / 2,
    "softplus": lambda x: mpmath.log(1 + mpmath.exp(x)),
    "silu": lambda x: x / (1 + mpmath.exp(-x)),
}
KINKED = {"relu", "leaky_relu"}


def shown(text: str) -> Decimal:
    """The number a TeX cell shows: "-0.25", "3.1 \\cdot 10^{-4}", "10^{-5}"."""
    match = re.fullmatch(r"(-?[\d.]+)(?: \\cdot 10\^\{(-?\d+)\})?|(-?)10\^\{(-?\d+)\}", text)
    assert match, text
    if match.group(4) is not None:
        return Decimal(f"{match.group(3)}1e{match.group(4)}")
    return Decimal(match.group(1)) * Decimal(10) ** int(match.group(2) or 0)


def assert_correctly_rounded(text: str, truth: mpmath.mpf, what: str) -> None:
    """|shown - truth| is at most half a unit of the last digit shown (exactly 0 when nothing is rounded off)."""
    value = shown(text)
    mantissa = text.split(r" \cdot ")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(re.search(r"10\^\{(-?\d+)\}", text).group(1)) if "10^" in text else 0
    half_unit = mpmath.mpf(10) ** (exponent - decimals) / 2
    error = abs(mpmath.mpf(str(value)) - truth)
    assert error <= half_unit * (1 + mpmath.mpf(10) ** -30), (what, text, truth)
    if text != "0" and value == 0:
        raise AssertionError((what, text))


points = st.lists(
    st.one_of(st.sampled_from([-2.5, -0.25, 0.0, -0.0, 0.25, 0.1, 2.5e-3, 1e-5, 0.125, 3.0, 19.5, -16.8, -20.0]),
              st.decimals(min_value=-20, max_value=20, places=3).map(float)),
    min_size=1, max_size=5, unique=True,
)


@settings(max_examples=20, deadline=None)
@given(xs=points)
def test_activation_tables_show_the_typed_point_and_values_rounded_once(xs: list[float]) -> None:
    if len({abs(x) for x in xs if x == 0}) < len([x for x in xs if x == 0]):
        return  # 0.0 and -0.0 are one point
    params = ActivationsParams(functions=tuple(DEFINITIONS), points=tuple(xs), x_limit=20)
    for panel in activations_plan(params).panels:
        for sample, row in zip(panel.samples, panel.rows):
            with mpmath.workdps(150):  # 1 + erf(x / sqrt 2) in gelu's definition cancels ~90 digits at x = -20
                _check_activation_row(panel.name, sample.point, row)


def _check_activation_row(name: str, point: float, row: tuple[str, str, str]) -> None:
    x_text, f_text, d_text = row
    f, x = DEFINITIONS[name], mpmath.mpf(repr(point))
    assert shown(x_text) == Decimal(repr(point)), (name, x_text, point)
    assert_correctly_rounded(f_text, f(x), f"{name}({point})")
    if name in KINKED and x == 0:
        assert d_text == r"\text{none (kink)}"
    elif name in KINKED:
        assert shown(d_text) == (1 if x > 0 else Decimal(0 if name == "relu" else "0.01"))
    else:
        assert_correctly_rounded(d_text, mpmath.diff(f, x), f"{name}'({point})")


def test_the_reported_table_cases() -> None:
    rows = {p.name: p.rows for p in activations_plan(ActivationsParams(
        functions=("relu", "leaky_relu"), points=(-0.25, 0.25))).panels}
    assert rows["relu"][1][0] == "0.25"  # was "0.2"
    assert rows["leaky_relu"][0][1] == "-0.002"  # -0.0025 rounded half to even, not by its binary noise
    far = {p.name: p for p in activations_plan(ActivationsParams(
        functions=("gelu", "tanh"), points=(-16.8, 20.0), x_limit=20)).panels}
    assert far["gelu"].rows[0][1].startswith("-2.0 \\cdot 10^{-62}")  # was "0": 1 + erf cancelled every digit
    assert far["tanh"].samples[1].slope > 1e-17  # sech(20)^2 = 1.7e-17; was 0.0 in the inspect JSON
    loss_rows = losses_plan(LossFunctionsParams(losses=("mse",), target=0.1, points=(0.125, 0.45))).panels[0].rows
    assert [r[0] for r in loss_rows] == ["0.125", "0.45"]  # was "0.12"
    assert loss_rows[1][1] == "0.122"  # (0.45 - 0.1)^2 = 0.1225 exactly: half to even; float64 gave 0.12250000000000003


def _slope_peak(name: str) -> tuple[mpmath.mpf, bool]:
    """sup f' by its own means: where f'' = 0 (numerical derivatives of the definition), or the limit 1."""
    f = DEFINITIONS[name]
    if name in ("gelu", "silu"):
        at = mpmath.findroot(lambda t: mpmath.diff(f, t, 2), 1.5 if name == "gelu" else 2.4)
        return mpmath.diff(f, at), True
    if name in ("sigmoid", "tanh"):
        return mpmath.diff(f, 0), True
    if name == "softplus":
        return mpmath.mpf(1), False  # f' = sigmoid < 1, tending to 1
    return mpmath.mpf(1), True  # relu, leaky_relu: f' = 1 for every x > 0


def test_peak_labels_and_sentences_are_true() -> None:
    for panel in activations_plan(ActivationsParams(functions=tuple(DEFINITIONS))).panels:
        truth, reached = _slope_peak(panel.name)
        label = panel.peak_label_tex
        relation, digits = re.fullmatch(r"\\max f' (=|\\approx) (\S+)", label).groups()
        if digits == "1/4":
            assert relation == "=" and abs(truth - mpmath.mpf(1) / 4) < mpmath.mpf(10) ** -40
        elif relation == "=":
            assert abs(mpmath.mpf(digits) - truth) < mpmath.mpf(10) ** -30, (panel.name, label, truth)
        else:
            assert_correctly_rounded(digits, truth, panel.name)
            assert abs(mpmath.mpf(digits) - truth) > mpmath.mpf(10) ** -30
        sentence = panel.peak_sentence
        assert ("never reaches" in sentence) == (not reached), sentence
        assert ("about" in sentence) == (relation != "="), sentence


def _loss(name: str, p: Fraction, y: Fraction, d: Fraction) -> tuple[object, object]:
    r = p - y
    if name == "mse":
        return r * r, 2 * r
    if name == "mae":
        return abs(r), None if r == 0 else (1 if r > 0 else -1)
    if name == "huber":
        return (r * r / 2, r) if abs(r) <= d else (d * (abs(r) - d / 2), d if r > 0 else -d)
    if name == "hinge":
        margin = y * p
        return max(Fraction(0), 1 - margin), None if margin == 1 else (-y if margin < 1 else 0)
    P, Y = mpmath.mpf(p.numerator) / p.denominator, mpmath.mpf(y.numerator) / y.denominator
    return -(Y * mpmath.log(P) + (1 - Y) * mpmath.log(1 - P)), -Y / P + (1 - Y) / (1 - P)


def _as_mpf(value: object) -> mpmath.mpf:
    return mpmath.mpf(value.numerator) / value.denominator if isinstance(value, Fraction) else mpmath.mpf(value)


@settings(max_examples=40, deadline=None)
@given(
    ps=st.lists(st.decimals(min_value=-100, max_value=100, places=3).map(float), min_size=1, max_size=7, unique=True),
    target=st.sampled_from([1.0, -1.0, 0.0, 0.1, 2.5]),
    delta=st.sampled_from([1.0, 0.1, 0.35, 2.5]),
)
def test_loss_tables_show_the_typed_point_and_values_rounded_once(ps: list[float], target: float, delta: float) -> None:
    names = [n for n in ("mse", "mae", "huber", "hinge", "log_loss")
             if n not in ("hinge", "log_loss") or target in ({-1.0, 1.0} if n == "hinge" else {0.0, 1.0})]
    start = 42.5 if target != 42.5 else 0
    params = LossFunctionsParams(losses=tuple(names), target=target, delta=delta, points=tuple(ps), start=start)
    y, d = Fraction(repr(target)), Fraction(repr(delta))
    for panel in losses_plan(params).panels:
        for sample, (p_text, v_text, g_text) in zip(panel.samples, panel.rows):
            assert shown(p_text) == Decimal(repr(sample.point))
            value, gradient = _loss(panel.name, Fraction(repr(sample.point)), y, d)
            assert_correctly_rounded(v_text, _as_mpf(value), f"{panel.name}({sample.point})")
            if gradient is None:
                assert g_text == r"\text{none (kink)}"
            else:
                assert_correctly_rounded(g_text, _as_mpf(gradient), f"{panel.name}'({sample.point})")
