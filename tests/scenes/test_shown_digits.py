"""Every digit tangent-bases and exp-log show is the correctly rounded value of what it names
(issue 13 item 4), checked against mpmath at 50 digits, never against the clips' own arithmetic."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Decimal

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from manim import tempconfig

from calcanim.params.exp_log import ExpLogParams
from calcanim.params.tangent_bases import TangentBasesParams
from calcanim.plans.exp_log import plan as exp_log_plan
from calcanim.plans.tangent_bases import Checkpoint, TangentBasesPlan
from calcanim.plans.tangent_bases import plan as tangent_bases_plan


def _rounded(value: mpmath.mpf, decimals: int) -> str:
    """value correctly rounded to `decimals` places, from its 45-digit decimal expansion."""
    text = mpmath.nstr(value, 45, min_fixed=-100, max_fixed=100)
    return str(Decimal(text).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN))


def _exact(x: float) -> mpmath.mpf:
    """A float's exact binary value at 50 digits (Decimal(x) is exact)."""
    return mpmath.mpf(str(Decimal(x)))


# --- tangent-bases ------------------------------------------------------------------------------

BASES = st.floats(min_value=0.05, max_value=20, allow_nan=False).filter(lambda b: b != 1.0)


@settings(max_examples=200, deadline=None)
@given(base=BASES)
def test_ln_b_at_a_stop_is_told_apart_from_1_and_compared_truly(base: float) -> None:
    with mpmath.workdps(50):
        truth = mpmath.log(_exact(base))
        text, word = TangentBasesPlan.slope_comparison(math.log(base))
        decimals = len(text.split(".")[1])
        assert text == _rounded(truth, decimals)
        assert Decimal(text) != 1
        assert word == ("less than 1" if truth < 1 else "more than 1")


@settings(max_examples=100, deadline=None)
@given(base=BASES)
def test_the_table_rows_are_the_rounded_quotients_and_limit_of_the_base_it_names(base: float) -> None:
    """'ln 2.72 = 0.99997' came from printing b to 3 digits beside numbers of the full base."""
    stop = tangent_bases_plan(TangentBasesParams(base_min=0.05, base_max=20, stops=(base,))).checkpoints[0]
    rows = TangentBasesPlan.quotient_rows(stop)
    named = TangentBasesPlan.base_text(base)
    assert float(named) == base  # the base as written is exactly the base used
    with mpmath.workdps(50):
        b = _exact(base)
        for row, h in zip(rows, (1.0, 0.1, 0.01, 0.001)):
            h_text, value = re.fullmatch(r"h = ([\d.]+):\\ \\ (-?[\d.]+)", row).groups()
            assert Decimal(h_text) == Decimal(str(h))
            assert value == _rounded((b ** mpmath.mpf(h_text) - 1) / mpmath.mpf(h_text), 5)
        ln_text = re.fullmatch(r"\\to \\ln (\S+) \\approx (-?[\d.]+)", rows[-1]).groups()
        assert ln_text[0] == named
        digits = len(ln_text[1].split(".")[1])
        assert ln_text[1] == _rounded(mpmath.log(b), digits) and digits >= 5


def test_the_reported_cases() -> None:
    stop = Checkpoint(2.718, math.log(2.718), True, ())
    assert TangentBasesPlan.quotient_rows(stop)[-1] == r"\to \ln 2.718 \approx 0.99990"  # ln 2.718 = 0.9998963...
    assert TangentBasesPlan.slope_comparison(math.log(2.7182)) == ("0.99997", "less than 1")
    assert TangentBasesPlan.quotient_rows(Checkpoint(math.e, 1.0, True, ()))[-1] == r"\to \ln e = 1"


def test_live_b_and_ln_b_readouts_are_correctly_rounded_at_every_frame() -> None:
    """Run the scene (no video) and read both live readouts back at every frame of the sweep."""
    from calcanim.scenes.tangent_bases import TangentBasesScene

    seen: list[tuple[float, str, str]] = []

    class Recording(TangentBasesScene):
        def update_mobjects(self, dt: float) -> None:
            super().update_mobjects(dt)
            if hasattr(self, "live_readouts"):
                log_base, b_value, slope_value = self.live_readouts
                seen.append((b_value.number, b_value._shown, slope_value._shown))

    params = TangentBasesParams(quotients=False, sweep_seconds=1.5, pause_seconds=0.2, decimals=4)
    with tempconfig({"dry_run": True, "frame_rate": 10, "pixel_height": 240, "pixel_width": 426}):
        Recording(params).render()
    assert len(seen) > 20 and len({b for b, _, _ in seen}) > 10
    with mpmath.workdps(50):
        for base, b_text, slope_text in seen:
            assert b_text == _rounded(_exact(base), 4)
            assert slope_text == _rounded(mpmath.log(_exact(base)), 4)


# --- exp-log ------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    k=st.decimals(min_value=-2.5, max_value=2, places=3, allow_nan=False, allow_infinity=False),
    decimals=st.integers(min_value=1, max_value=8),
)
def test_exp_log_readouts_are_true(k: Decimal, decimals: int) -> None:
    """e^k is correctly rounded and marked approximate unless exact; ln(e^k) = k names k exactly.

    The old panel said "e^{0.7} = 2.0" and "ln(2.0) = 0.7" (ln 2.0 = 0.693...)."""
    p = exp_log_plan(ExpLogParams(k=float(k), decimals=decimals))
    ln_one, exp_line, ln_line, rule = p.panel_tex
    assert ln_one == r"\ln 1 = 0" and rule == r"\ln(e^k) = k"
    k_text, relation, value = re.fullmatch(r"e\^\{(-?[\d.]+)\} (=|\\approx) (-?[\d.]+)", exp_line).groups()
    assert Decimal(k_text) == k
    with mpmath.workdps(50):
        truth = mpmath.exp(mpmath.mpf(str(k)))
        assert value == _rounded(truth, decimals)
        assert (relation == "=") == (Decimal(value) == Decimal(mpmath.nstr(truth, 45)))
    assert ln_line == rf"\ln(e^{{{k_text}}}) = {k_text}"
    for shown_ln in re.findall(r"\\ln\((-?[\d.]+)\) = (-?[\d.]+)", " ".join(p.panel_tex)):
        with mpmath.workdps(50):  # any ln of a shown number must be that number's ln
            assert shown_ln[1] == _rounded(mpmath.log(mpmath.mpf(shown_ln[0])), len(shown_ln[1].split(".")[-1]))


def test_the_reported_exp_log_case() -> None:
    p = exp_log_plan(ExpLogParams(k=0.7, decimals=1))
    assert p.panel_tex[1:3] == [r"e^{0.7} \approx 2.0", r"\ln(e^{0.7}) = 0.7"]
    assert "ln(2.0)" not in p.power_caption and "≈ 2.0" in p.power_caption
