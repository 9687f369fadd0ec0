"""Activations against independent references: mpmath at 40 digits with its own definitions
(ncdf for Phi, numerical differentiation for every derivative) and closed forms."""

from __future__ import annotations

import math

import mpmath
import pytest

from calcanim.numerics.activation_functions import ACTIVATION_NAMES, ACTIVATIONS, saturation_intervals
from calcanim.params.activations import ACTIVATION_CHOICES


REFERENCE = {
    "sigmoid": lambda x: 1 / (1 + mpmath.e ** (-x)),
    "tanh": lambda x: (mpmath.e**x - mpmath.e ** (-x)) / (mpmath.e**x + mpmath.e ** (-x)),
    "relu": lambda x: max(x, 0),
    "leaky_relu": lambda x: x if x > 0 else x / 100,
    "gelu": lambda x: x * mpmath.ncdf(x),
    "softplus": lambda x: mpmath.ln(1 + mpmath.e**x),
    "silu": lambda x: x / (1 + mpmath.e ** (-x)),
}
POINTS = ["-4.5", "-1.25", "-0.3", "0.7", "2", "3.9"]


def test_the_params_list_every_activation_the_numerics_define() -> None:
    assert ACTIVATION_CHOICES == ACTIVATION_NAMES


@pytest.mark.parametrize("name", list(REFERENCE))
def test_values_and_derivatives_match_mpmath_at_40_digits(name: str) -> None:
    with mpmath.workdps(40):
        for text in POINTS:
            x = mpmath.mpf(text)
            f = REFERENCE[name]
            assert float(ACTIVATIONS[name].value(x)) == pytest.approx(float(f(x)), rel=1e-14, abs=1e-300)
            expected = mpmath.diff(f, x)
            assert float(ACTIVATIONS[name].derivative(x)) == pytest.approx(float(expected), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", ["relu", "leaky_relu"])
def test_relu_kinks_have_no_derivative_at_zero_but_one_sided_slopes(name: str) -> None:
    activation = ACTIVATIONS[name]
    assert activation.kink == 0.0
    assert activation.derivative(mpmath.mpf(0)) is None
    assert float(activation.derivative(mpmath.mpf("1e-30"))) == 1.0
    assert float(activation.derivative(mpmath.mpf("-1e-30"))) == (0.0 if name == "relu" else 0.01)


def test_sigmoid_derivative_peaks_at_a_quarter() -> None:
    value, at = ACTIVATIONS["sigmoid"].derivative_peak()
    assert value == mpmath.mpf(1) / 4 and at == 0


@pytest.mark.parametrize("name", ["gelu", "silu"])
def test_derivative_peaks_where_the_second_derivative_vanishes(name: str) -> None:
    with mpmath.workdps(40):
        f = REFERENCE[name]
        at = mpmath.findroot(lambda x: mpmath.diff(f, x, 2), (mpmath.mpf(1), mpmath.mpf(3)), solver="anderson",
                            verify=False)
        value, where = ACTIVATIONS[name].derivative_peak()
        assert float(where) == pytest.approx(float(at), rel=1e-12)
        assert float(value) == pytest.approx(float(mpmath.diff(f, at)), rel=1e-12)
    if name == "gelu":  # gelu''(x) = phi(x)(2 - x^2): the peak is at sqrt 2
        assert float(where) == pytest.approx(math.sqrt(2), rel=1e-15)


def test_saturation_bands_of_sigmoid_and_tanh_match_closed_forms() -> None:
    s = (1 - math.sqrt(0.8)) / 2  # s (1 - s) = 0.05
    edge = math.log((1 - s) / s)
    (a, b), (c, d) = saturation_intervals(ACTIVATIONS["sigmoid"], -6, 6)
    assert (a, d) == (-6.0, 6.0)
    assert b == pytest.approx(-edge, rel=1e-12) and c == pytest.approx(edge, rel=1e-12)
    (_, b), (c, _) = saturation_intervals(ACTIVATIONS["tanh"], -6, 6)
    assert c == pytest.approx(math.atanh(math.sqrt(0.95)), rel=1e-12) and b == pytest.approx(-c, rel=1e-12)


def test_relu_saturates_left_of_its_kink_and_softplus_where_sigmoid_is_small() -> None:
    assert saturation_intervals(ACTIVATIONS["relu"], -5, 5) == [(-5.0, 0.0)]
    assert saturation_intervals(ACTIVATIONS["leaky_relu"], -5, 5) == [(-5.0, 0.0)]  # slope 0.01 < 0.05
    ((a, b),) = saturation_intervals(ACTIVATIONS["softplus"], -5, 5)
    assert a == -5.0 and b == pytest.approx(math.log(0.05 / 0.95), rel=1e-12)  # softplus' = sigmoid = 0.05


def test_gelu_is_the_exact_erf_form_not_the_tanh_approximation() -> None:
    x = mpmath.mpf(1)
    exact = x * (1 + mpmath.erf(x / mpmath.sqrt(2))) / 2
    approximation = 0.5 * x * (1 + mpmath.tanh(mpmath.sqrt(2 / mpmath.pi) * (x + 0.044715 * x**3)))
    assert float(ACTIVATIONS["gelu"].value(x)) == pytest.approx(float(exact), rel=1e-15)
    assert abs(float(ACTIVATIONS["gelu"].value(x)) - float(approximation)) > 1e-5
