"""Every number vanishing-gradients shows is its value rounded once (issue 15): each layer's factor and
running product are recomputed here in mpmath at 50 digits from the activations' textbook formulas and
rounded with Decimal to 3 significant digits, never taken from the clip's code."""

from __future__ import annotations

import re
from decimal import Decimal

import mpmath
import pytest

from calcanim.params.vanishing_gradients import VanishingGradientsParams
from calcanim.plans.vanishing_gradients import plan
from tests.rounding_reference import scientific


def _sigmoid(z: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
    s = 1 / (1 + mpmath.exp(-z))
    return s, s * (1 - s)


def _tanh(z: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
    return mpmath.tanh(z), 1 / mpmath.cosh(z) ** 2


def _relu(z: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
    """relu'(0) taken as 0 (PyTorch's convention): once dead, every later z is the bias, 0 here."""
    return (z, mpmath.mpf(1)) if z > 0 else (mpmath.mpf(0), mpmath.mpf(0))


ACTS = {"sigmoid": _sigmoid, "tanh": _tanh, "relu": _relu}


def reference(name: str, depth: int, weight: float, bias: float, start: float) -> list[tuple[Decimal, Decimal]]:
    """(factor, product) of layers 1..depth at 50 digits, the inputs read as the decimals typed (README: 0.1 is a
    tenth in every exact computation; -1.5 * 0.2 + 0.3 is 0, so tanh's first factor is exactly -1.5)."""
    rows = []
    with mpmath.workdps(50):
        weight, bias = mpmath.mpf(repr(weight)), mpmath.mpf(repr(bias))
        h, product = mpmath.mpf(repr(start)), mpmath.mpf(1)
        for _ in range(depth):
            h, slope = ACTS[name](weight * h + bias)
            factor = weight * slope
            product *= factor
            rows.append((Decimal(mpmath.nstr(factor, 50)), Decimal(mpmath.nstr(product, 50))))
    return rows


def expected(value: Decimal) -> str:
    """3 significant digits, half to even, after "=" when that is the whole value, else after \\approx;
    plain from 0.001 to below 1000, else m \\cdot 10^{k} (1 \\cdot 10^{k} written 10^{k})."""
    if value == 0:
        return "= 0"
    mantissa, power = scientific(value, 2)
    exact = abs(mantissa.scaleb(power) - value) <= abs(value) * Decimal("1e-35")
    sign = "= " if exact else r"\approx "
    if -3 <= power <= 2:
        shown = mantissa.scaleb(power)
        return sign + f"{shown.normalize() if exact else shown:f}"
    text = f"{mantissa.normalize() if exact else mantissa:f}"
    if text in ("1", "-1"):
        return sign + f"{text[:-1]}10^{{{power}}}"
    return sign + rf"{text} \cdot 10^{{{power}}}"


CASES = [
    {},  # the defaults: sigmoid (vanishes to ~4e-20) beside relu (exactly 1 throughout)
    {"activation": "tanh", "compare": "none", "depth": 40, "weight": -1.5, "bias": 0.3, "input": 0.2},  # signs
    {"activation": "sigmoid", "compare": "relu", "depth": 700, "input": -1.0},  # below float64; a dead relu
]


@pytest.mark.parametrize("values", CASES)
def test_every_readout_is_the_value_rounded_once(values: dict[str, object]) -> None:
    params = VanishingGradientsParams.from_mapping(values)
    pl = plan(params)
    for view in pl.chains:
        truth = reference(view.chain.activation, params.depth, params.weight, params.bias, params.input)
        assert view.gradient_readout(0) == "= 1"
        for k, (factor, product) in enumerate(truth, start=1):
            assert view.factor_readout(k) == expected(factor), (view.chain.activation, k)
            assert view.gradient_readout(k) == expected(product), (view.chain.activation, k)


def test_the_default_clip_shows_what_the_lesson_expects() -> None:
    """sigma'(0.5) = 0.2350037..., and 30 sigmoid layers from h0 = 0.5 end near 3.75 * 10^-20."""
    view = plan(VanishingGradientsParams()).chains[0]
    assert view.factor_readout(1) == r"\approx 0.235"
    assert view.gradient_readout(30) == r"\approx 3.75 \cdot 10^{-20}"


@pytest.mark.parametrize("values", CASES)
def test_no_shown_number_is_e_notation_or_a_fractional_power(values: dict[str, object]) -> None:
    pl = plan(VanishingGradientsParams.from_mapping(values))
    shown = [pl.story()] + [t for v in pl.chains for k in range(1, len(v.layers) + 1)
                            for t in (v.factor_readout(k), v.gradient_readout(k))]
    for text in shown:
        assert not re.search(r"\d[eE][-+]?\d", text), text
        assert not re.search(r"10\^\{?-?\d+\.\d", text), text
        assert not re.search(r"10\^-?\d", text), text  # a caption writes powers as superscripts


def test_caption_says_where_each_product_ends() -> None:
    story = plan(VanishingGradientsParams()).story()
    assert "With sigmoid it ends near 3.75·10⁻²⁰." in story
    assert "With relu it ends at 1." in story
    dead = plan(VanishingGradientsParams.from_mapping({"input": -1.0, "depth": 5})).story()
    assert "With relu the product is exactly 0: a dead unit." in dead


def test_the_remedy_sets_every_formula_in_math_and_says_what_the_caption_says() -> None:
    """Issue 15 item 2: on screen, w, act'(z), z > 0 and w = 1 are TeX math, never words in \\text{}; with the
    TeX markup taken off, the screen's lines read as the caption's plain remedy."""
    from calcanim.plans.vanishing_gradients import REMEDY, REMEDY_TEX_PARTS

    texts = [t for part in REMEDY_TEX_PARTS for t in re.findall(r"\\text\{([^}]*)\}", part)]
    maths = [re.sub(r"\\text\{[^}]*\}", " ", part) for part in REMEDY_TEX_PARTS]
    assert not any(re.search(r"\bact|'|=|>|\bw\b|\bz\b", t) for t in texts), texts
    for formula in (r"w\,\mathrm{act}'(z)", r"\mathrm{act}' = 1", "z > 0", "w = 1", r"\mathrm{act}'"):
        assert any(formula in m for m in maths), formula
    plain = " ".join(REMEDY_TEX_PARTS)
    for markup, words in ((r"\text{", ""), ("}", ""), (r"\mathrm{", ""), (r"\,", " ")):
        plain = plain.replace(markup, words)
    assert re.sub(r"\s+", " ", plain) == REMEDY
