"""The four machine-learning clips through the command line: show, inspect JSON shapes, values as a
TOML inline table, and one-line errors for bad input (nothing rendered)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.test_cli import assert_nothing_rendered, assert_one_line_error, run  # noqa: F401

ML_CLIPS = ["backprop", "activations", "vanishing-gradients", "loss-functions"]


def test_list_and_show_every_new_clip(run) -> None:  # noqa: F811
    listing = run("list").output
    for name in ML_CLIPS:
        assert name in listing
        result = run("show", name)
        assert result.exit_code == 0, result.output
    shown = run("show", "backprop").output
    assert "values (table of name = number)" in shown and '"x1": 2.0' in shown
    losses = run("show", "loss-functions").output
    for definition in ["mse = (p - y)^2", "mae = |p - y|", "delta (|p - y| - delta / 2)",
                       "hinge = max(0, 1 - y p) with y in {-1, +1}",
                       "log_loss = -[y ln p + (1 - y) ln(1 - p)] with y in {0, 1} and p in (0, 1)"]:
        assert definition in losses.replace("\n    ", " ")


def test_backprop_inspect_has_the_issue_shape_and_the_lessons_numbers(run) -> None:  # noqa: F811
    data = json.loads(run("inspect", "backprop", "--format", "json").output)
    assert data["output"] == pytest.approx(0.7071067811865476, rel=1e-15)
    expected = {"x1": (2.0, -1.5), "w1": (-3.0, 1.0), "x2": (0.0, 0.5), "w2": (1.0, 0.0), "b": (6.8813735870195432, 0.5)}
    assert set(data["inputs"]) == set(expected)
    for name, (value, grad) in expected.items():
        assert set(data["inputs"][name]) == {"value", "grad"}
        assert data["inputs"][name]["value"] == value
        assert data["inputs"][name]["grad"] == pytest.approx(grad, abs=1e-12)
    for node in data["nodes"]:
        assert set(node) == {"id", "op", "label", "value", "grad", "parents"}
        assert all(parent < node["id"] for parent in node["parents"])
    assert data["nodes"][-1]["label"] == "tanh(x1*w1 + x2*w2 + b)" and data["nodes"][-1]["grad"] == 1.0


def test_backprop_values_as_a_toml_inline_table_in_set_and_in_a_file(run, tmp_path: Path) -> None:  # noqa: F811
    result = run("inspect", "backprop", "--set", "expression=x*y + x", "--set", "values={x = 3.0, y = -2}",
                 "--format", "json")
    data = json.loads(result.output)
    assert data["inputs"] == {"x": {"value": 3.0, "grad": -1.0}, "y": {"value": -2.0, "grad": 3.0}}
    config = tmp_path / "graph.toml"
    config.write_text('[backprop]\nexpression = "w*x + b"\nvalues = { w = 0.5, x = 4, b = -1 }\n')
    data = json.loads(run("inspect", "backprop", "--config", str(config), "--format", "json").output)
    assert data["output"] == 1.0 and data["inputs"]["w"]["grad"] == 4.0 and data["inputs"]["x"]["grad"] == 0.5


@pytest.mark.parametrize(("args", "fragments"), [
    (["backprop", "--set", "expression=x*y + z", "--set", "values={x = 1, y = 2}"],
     ["'expression'", "unknown name 'z'", "needs a number in 'values'"]),
    (["backprop", "--set", "expression=x*y"], ["'expression'", "unknown name 'x'", "--set 'values={x = 1.0"]),
    (["backprop", "--set", "expression=x", "--set", "values={x = 1, y = 2}"], ["'values'", "'y' does not appear"]),
    (["backprop", "--set", "values=3"], ["'values'", "table of name = number"]),
    (["backprop", "--set", "expression=log(x)", "--set", "values={x = -1}"], ["'values'", "log(x)"]),
    (["backprop", "--set", "values={e = 1}", "--set", "expression=e"], ["'expression'", "variable name"]),
    (["backprop", "--set", "expression=" + " + ".join(f"x*{k}" for k in range(1, 14)), "--set", "values={x = 1}"],
     ["'expression'", "at most 25"]),
    (["activations", "--set", "functions=[\"relu\", \"swish\"]"], ["'functions'", "swish"]),
    (["activations", "--set", "points=[9]"], ["'points'", "[-5, 5]"]),
    (["vanishing-gradients", "--set", "compare=sigmoid"], ["'compare'", "same as activation"]),
    (["vanishing-gradients", "--set", "weight=0"], ["'weight'", "must not be 0"]),
    (["loss-functions", "--set", "target=0.5"], ["'target'", "hinge needs a target of -1 or 1, got 0.5"]),
    (["loss-functions", "--set", "losses=[\"log_loss\"]", "--set", "target=-1"], ["'target'", "log_loss", "0 or 1"]),
])
def test_bad_input_gets_one_line_and_nothing_is_rendered(run, tmp_path: Path, args, fragments) -> None:  # noqa: F811
    assert_one_line_error(run("inspect", *args), *fragments)
    assert_one_line_error(run("render", *args, "-q", "low"), *fragments)
    assert_nothing_rendered(tmp_path)


def test_activations_inspect_shape_and_kinks(run) -> None:  # noqa: F811
    data = json.loads(run("inspect", "activations", "--set", 'functions=["sigmoid", "relu", "leaky_relu"]',
                          "--format", "json").output)
    sigmoid, relu, leaky = data["functions"]
    assert set(sigmoid) >= {"name", "samples", "max_derivative"} and sigmoid["max_derivative"] == 0.25
    assert all(set(s) == {"x", "value", "derivative"} for s in sigmoid["samples"])
    at_zero = [s for s in relu["samples"] if s["x"] == 0.0][0]
    assert at_zero == {"x": 0.0, "value": 0.0, "derivative": None}  # a kink: no slope
    assert [s["derivative"] for s in leaky["samples"] if s["x"] < 0] == [0.01, 0.01]


def test_vanishing_gradients_inspect_keeps_tiny_products(run) -> None:  # noqa: F811
    data = json.loads(run("inspect", "vanishing-gradients", "--set", "depth=700", "--set", "compare=none",
                          "--format", "json").output)
    assert len(data["layers"]) == 700 and "compare" not in data
    assert set(data["layers"][0]) >= {"layer", "pre_activation", "local_derivative", "gradient"}
    assert data["gradient_at_input"] == 0.0 and data["below_float64"] is True  # said, not silent
    assert data["log10_abs_gradient_at_input"] < -400
    assert data["gradient_at_input_scientific"]["exponent"] == math.floor(data["log10_abs_gradient_at_input"])
    product = 1.0
    for layer in data["layers"][:20]:  # the running product is the product of the factors
        product *= layer["local_derivative"]
        assert layer["gradient"] == pytest.approx(product, rel=1e-12)


def test_loss_functions_inspect_shape(run) -> None:  # noqa: F811
    data = json.loads(run("inspect", "loss-functions", "--format", "json").output)
    names = [loss["name"] for loss in data["losses"]]
    assert names == ["mse", "mae", "huber", "hinge", "log_loss"]
    for loss in data["losses"]:
        assert all(set(s) == {"prediction", "value", "gradient"} for s in loss["samples"])
    log_loss = data["losses"][-1]
    assert [s["prediction"] for s in log_loss["samples"]] == [0.25, 0.5, 0.75]
    assert log_loss["skipped_points"] == [-1.0, 2.0]
    mse = data["losses"][0]
    assert mse["samples"][0] == {"prediction": -1.0, "value": 4.0, "gradient": -4.0}  # (p - y)^2, 2(p - y)
