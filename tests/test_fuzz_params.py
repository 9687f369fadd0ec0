"""Fuzzing every parameter of every clip (issue 14): random values drawn from each field's own
metadata (type, range, choices, list length), mostly valid so the plans run, with edges and
hostile values mixed in. `inspect` (in-process through Click), the library (params, plan, JSON)
and lesson validation must end in a result or one line with exit code 2; never a traceback."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calcanim.cli import main
from calcanim.errors import CalcanimError
from calcanim.json_data import plain_json
from calcanim.lesson import LessonError, load_lesson
from calcanim.params.base import Bounds, SceneParams
from calcanim.registry import SCENES

#: Per example: the CPU-time limit of symbolic work (10 s) plus the rest of inspect.
MAX_CPU_SECONDS = 15.0
VARIABLES = {"tangent-plane": ("w0", "w1"), "gradient-descent": ("x", "y")}

#: Examples per clip in CI; CALCANIM_FUZZ_EXAMPLES=500 runs a deeper search.
EXAMPLES = int(os.environ.get("CALCANIM_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


def expressions(variables: tuple[str, ...], clean: bool = False) -> st.SearchStrategy[str]:
    leaves = st.one_of(st.sampled_from([*variables, "x", "pi", "e"]), st.integers(-5, 100).map(str),
                       st.floats(-1e3, 1e3, allow_nan=False).map(repr))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        call = st.tuples(st.sampled_from(["sin", "cos", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu",
                                          "softplus", "arctan"]), inner).map(lambda p: f"{p[0]}({p[1]})")
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner).map(
            lambda p: f"({p[0]}) {p[1]} ({p[2]})")
        return st.one_of(call, binary)

    grammar = st.recursive(leaves, extend, max_leaves=5)
    return grammar if clean else st.one_of(grammar, st.text(max_size=30))


def numbers(kind: type, bounds: Bounds | None, clean: bool = False) -> st.SearchStrategy[Any]:
    low = bounds.low if bounds and bounds.low is not None else -1e6
    high = bounds.high if bounds and bounds.high is not None else 1e6
    edges = [v for v in (low, high, math.nextafter(low, -math.inf), math.nextafter(high, math.inf), 0.0, -1.0, 1.0)]
    hostile = st.sampled_from([10**30, -(10**30), 1e308, -1e308, 5e-324, 1e-200, 2**63])
    if kind is int:
        valid = st.integers(int(math.ceil(low)), int(math.floor(high))) if math.ceil(low) <= math.floor(high) \
            else st.integers(0, 10)
        if clean:
            return valid
        return st.one_of(valid, valid, valid, st.sampled_from([int(e) for e in edges if math.isfinite(e)]), hostile)
    valid = st.floats(low, high, allow_nan=False, allow_infinity=False,
                      exclude_min=bool(bounds and bounds.low_strict), exclude_max=bool(bounds and bounds.high_strict))
    return valid if clean else st.one_of(valid, valid, valid, st.sampled_from(edges), hostile)


def field_values(cls: type[SceneParams], scene: str) -> st.SearchStrategy[dict[str, Any]]:
    """Half the examples draw only in-range values (so the plans run), half mix in edges and junk."""
    return st.one_of(_field_values(cls, scene, clean=True), _field_values(cls, scene, clean=False))


def _field_values(cls: type[SceneParams], scene: str, clean: bool) -> st.SearchStrategy[dict[str, Any]]:
    hints = typing.get_type_hints(cls)
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        if typing.get_origin(tp) in (typing.Union, types.UnionType):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
        meta = f.metadata
        if typing.get_origin(tp) is tuple:
            item = _scalar(typing.get_args(tp)[0], meta, scene, clean)
            size = max(1, meta.get("min_items", 0))
            value = st.one_of(st.lists(item, min_size=size, max_size=size + 5).map(lambda v: sorted(v) if v and
                              all(isinstance(i, (int, float)) for i in v) else v),
                              st.lists(item, min_size=size, max_size=size + 5),
                              st.lists(item, max_size=2))
        else:
            value = _scalar(tp, meta, scene, clean)
        junk = st.sampled_from([None, "", [], {"a": 1}, True, "nan"])
        optional[f.name] = value if clean else st.one_of(value, value, value, junk)
    return st.fixed_dictionaries({}, optional=optional)


def _scalar(tp: type, meta: Any, scene: str, clean: bool) -> st.SearchStrategy[Any]:
    if tp is bool:
        return st.booleans()
    if tp in (int, float):
        return numbers(tp, meta.get("bounds"), clean)
    if meta.get("choices"):
        choices = st.sampled_from(meta["choices"])
        return choices if clean else st.one_of(choices, st.text(max_size=12))
    return expressions(VARIABLES.get(scene, ("x",)), clean)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    return "[]" if value is None else json.dumps(str(value))


def set_pairs(values: dict[str, Any]) -> list[str]:
    args = []
    for key, value in values.items():
        if value is None:
            continue
        args += ["--set", f"{key}={toml_value(value)}"]
    return args


def without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


OUTCOMES: list[bool] = []


def check_library(scene: str, values: dict[str, Any]) -> None:
    entry = SCENES[scene]
    try:
        params = entry.params_class.from_mapping(values)
        data = entry.plan(params).to_json()
        json.dumps(plain_json(data), allow_nan=False)
        OUTCOMES.append(True)
    except CalcanimError as error:
        OUTCOMES.append(False)
        assert "\n" not in str(error), str(error)


def check_cli(scene: str, values: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["inspect", scene, "--format", "json", *set_pairs(values)],
                                catch_exceptions=False)
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("calcanim: error: "), result.stderr
    else:
        json.loads(result.stdout)


def check_lesson(scene: str, values: dict[str, Any], folder: Path) -> None:
    params = "\n".join(f"{key} = {toml_value(value)}" for key, value in values.items() if value is not None)
    path = folder / "fuzz.toml"
    path.write_text(f'[lesson]\ntitle = "fuzz"\n[[clip]]\nname = "c"\nscene = "{scene}"\n[clip.params]\n{params}\n',
                    encoding="utf-8")
    try:
        load_lesson(path)
    except LessonError as error:
        assert str(error).count("\n") == 0 or "problems" in str(error).splitlines()[0]


@pytest.mark.parametrize("scene", list(SCENES))
def test_random_values_for_every_parameter_end_in_a_result_or_one_line(scene: str, tmp_path: Path) -> None:
    @FUZZ
    @given(values=field_values(SCENES[scene].params_class, scene))
    def fuzz(values: dict[str, Any]) -> None:
        started = time.process_time()
        check_cli(scene, values)
        check_library(scene, without_none(values))
        check_lesson(scene, values, tmp_path)
        assert time.process_time() - started < MAX_CPU_SECONDS, values

    fuzz()


def test_the_fuzz_reaches_the_plans() -> None:
    """At least some of the random values are valid, so the plans themselves are fuzzed too."""
    if OUTCOMES:
        assert sum(OUTCOMES) >= len(OUTCOMES) // 10, f"{sum(OUTCOMES)} of {len(OUTCOMES)} valid"
