"""Hostile input ends in one line and exit code 2 with nothing written (issue 14): special files,
numbers that do not fit, deep nesting, names with a trailing newline, constants as functions."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import calcanim
from calcanim.cli import main
from calcanim.errors import CalcanimError, ConfigFileError, ParamError
from calcanim.files import MAX_INPUT_BYTES, read_text_file
from calcanim.lesson import LessonError, load_lesson
from calcanim.params.base import MAX_ITEMS, SMALLEST_NONZERO
from calcanim.registry import SCENES, get_scene
from calcanim.settings import read_toml
from tests.test_cli import assert_nothing_rendered, assert_one_line_error

REPO = Path(__file__).resolve().parents[1]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def lesson_text(params: str, name: str = '"a"') -> str:
    return f'[lesson]\ntitle = "t"\n[[clip]]\nname = {name}\nscene = "limit-climb"\n[clip.params]\n{params}\n'


# --- special files -------------------------------------------------------------------------------


@pytest.fixture
def special_files(tmp_path: Path) -> list[Path]:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    big = tmp_path / "big.toml"
    with big.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)
    return [fifo, Path("/dev/zero"), Path("/dev/null"), big, tmp_path]


def test_only_regular_files_of_modest_size_are_read(special_files: list[Path]) -> None:
    for path in special_files:
        with pytest.raises(ConfigFileError, match="regular file|bytes|folder"):
            read_text_file(path)


@pytest.mark.parametrize("command", ["inspect-config", "render-watch", "batch"])
def test_a_fifo_or_device_never_blocks_the_cli(command: str, special_files: list[Path], tmp_path: Path) -> None:
    """In a subprocess with a timeout: before the fix, reading the FIFO blocked for ever."""
    for path in special_files[:4]:
        args = {
            "inspect-config": ["inspect", "limit-climb", "--config", str(path)],
            "render-watch": ["render", "limit-climb", "--watch", "--config", str(path)],
            "batch": ["batch", str(path), "-o", str(tmp_path / "out")],
        }[command]
        done = subprocess.run([sys.executable, "-m", "calcanim", *args], capture_output=True, text=True,
                              timeout=60, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("calcanim: error: cannot read"), done.stderr
        assert not (tmp_path / "out").exists() and not (tmp_path / "renders").exists()


# --- numbers that do not fit, deep nesting ---------------------------------------------------------


def hostile_value() -> st.SearchStrategy[str]:
    """TOML text of values no clip can take: huge integers, overflowing or subnormal floats, deep lists."""
    digits = st.integers(19, 6000).map(lambda n: "9" * n)
    deep = st.integers(200, 6000).map(lambda n: "[" * n + "1" + "]" * n)
    floats = st.sampled_from(["1e400", "-1e400", "inf", "nan", "5e-324", "-4.9e-324", "1e-310", "2.2e-308"])
    return st.one_of(digits, digits.map(lambda d: "-" + d), deep, floats)


def numeric_fields() -> list[tuple[str, str]]:
    return [(name, f.name) for name, entry in SCENES.items() for f in dataclasses.fields(entry.params_class)
            if _number_type(entry.params_class, f.name)]


def _number_type(cls: type, name: str) -> bool:
    hint = typing.get_type_hints(cls)[name]
    return any(t in (int, float) for t in (hint, *typing.get_args(hint)))


@settings(max_examples=60, deadline=None)
@given(value=hostile_value(), field=st.sampled_from(numeric_fields()))
def test_hostile_numbers_in_set_config_and_lessons_end_in_one_line(value: str, field: tuple[str, str],
                                                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    scene, name = field
    folder = tmp_path_factory.mktemp("hostile")
    result = invoke("inspect", scene, "--set", f"{name}={value}")
    assert_one_line_error(result, name)
    config = folder / "c.toml"
    config.write_text(f"{name} = {value}\n")
    assert_one_line_error(invoke("inspect", scene, "--config", str(config)))
    lesson = folder / "l.toml"
    lesson.write_text(lesson_text(f"{name} = {value}").replace("limit-climb", scene))
    with pytest.raises(LessonError) as caught:
        load_lesson(lesson)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 1000


def test_a_denormal_width_is_refused_before_it_divides(tmp_path: Path) -> None:
    result = invoke("inspect", "zoom-linearity", "--set", "half_width=5e-324")
    assert_one_line_error(result, "half_width", f"at least {SMALLEST_NONZERO:g}")


def test_huge_integers_are_described_not_printed() -> None:
    result = invoke("inspect", "limit-climb", "--set", "n_max=" + "9" * 3000)
    assert_one_line_error(result, "n_max", "an integer of about 3000 digits")
    assert len(result.stderr) < 300


def test_deep_toml_files_are_one_line(tmp_path: Path) -> None:
    config = tmp_path / "deep.toml"
    config.write_text("marks = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigFileError, match="nested too deeply"):
        read_toml(config)
    inline = tmp_path / "inline.toml"
    inline.write_text("a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n")
    with pytest.raises(ConfigFileError, match="nested too deeply"):
        read_toml(inline)


def test_infinite_numbers_reach_json_as_null_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    entry = get_scene("limit-climb")
    plan_class = type(entry.plan(entry.params_class()))
    original = plan_class.to_json
    monkeypatch.setattr(plan_class, "to_json", lambda self: {**original(self), "overflowed": float("inf")})
    result = invoke("inspect", "limit-climb", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["overflowed"] is None


# --- names and constants ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ['"clip\\n"', '"clip\\r\\n"', '"clip\\u0000"', '".hidden"', '"a/b"'])
def test_clip_and_lesson_names_must_be_file_safe_to_the_last_character(name: str, tmp_path: Path) -> None:
    path = tmp_path / "l.toml"
    path.write_text(lesson_text("n_max = 10\nmarks = [1, 10]", name=name))
    with pytest.raises(LessonError, match="not file-safe"):
        load_lesson(path)
    path.write_text(lesson_text("n_max = 10\nmarks = [1, 10]").replace('title = "t"', f'title = "t"\nname = {name}'))
    with pytest.raises(LessonError, match="lesson name .* not file-safe"):
        load_lesson(path)


@pytest.mark.parametrize("scene", [n for n, e in SCENES.items()
                                   if "function" in {f.name for f in dataclasses.fields(e.params_class)}])
@pytest.mark.parametrize("constant", ["5", "0", "-2.5"])
def test_a_constant_is_a_function(scene: str, constant: str) -> None:
    result = invoke("inspect", scene, "--set", f"function={constant}", "--format", "json")
    assert result.exit_code == 0, result.output


def test_a_window_float64_cannot_resolve_names_the_parameter() -> None:
    result = invoke("inspect", "zoom-linearity", "--set", "point=1000", "--set", "half_width=1e-90")
    assert_one_line_error(result, "'half_width'", "too narrow")


def test_bad_values_write_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for pair in ["n_max=" + "9" * 5000, "marks=" + "[" * 3000 + "]" * 3000, "duration=1e400"]:
        assert_one_line_error(invoke("render", "limit-climb", "-q", "low", "--set", pair))
    assert_nothing_rendered(tmp_path)


def test_every_rejection_is_a_calcanim_error() -> None:
    """The classes above reach the CLI as CalcanimError (one line), never as ValueError/RecursionError."""
    entry = get_scene("limit-climb")
    for value in [10**5000, [[[[1]]]] * 3, float("inf"), 5e-324, "x" * 10_000]:
        with pytest.raises(CalcanimError):
            entry.params_class.from_mapping({"n_max": value})
    with pytest.raises(ParamError):
        entry.params_class.from_mapping({"marks": _nested(5000)})


def _nested(depth: int) -> list:
    value: list = [1]
    for _ in range(depth):
        value = [value]
    return value


# --- line breaks, long text and byte-order marks (found by the hostile review) ------------------


@pytest.mark.parametrize("args", [
    ["inspect", "limit-climb\n"],
    ["show", "limit-climb\r\n"],
    ["inspect", "zoom-linearity", "--set", "function=x\n+1"],
    ["inspect", "limit-climb", "--set", "sequence=(1+1/n)\n**n"],
], ids=["scene", "scene-crlf", "function", "sequence"])
def test_a_line_break_in_what_the_user_typed_stays_inside_the_one_error_line(args: list[str]) -> None:
    """Before the fix the name or expression was quoted raw: the message came out on two lines."""
    result = invoke(*args)
    assert_one_line_error(result)
    assert "\\n" in result.stderr


def test_a_multiline_expression_in_a_config_file_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('sequence = """(1+1/n)\n**n"""\n')
    assert_one_line_error(invoke("inspect", "limit-climb", "--config", str(config)), "'sequence'", "\\n")


def test_a_long_expression_is_quoted_in_part_not_echoed_whole() -> None:
    result = invoke("inspect", "zoom-linearity", "--set", "function=" + "(" * 5000 + "x" + ")" * 5000)
    assert_one_line_error(result, "at most 500", "(10001 characters)")
    assert len(result.stderr) < 600


def test_an_unknown_scene_name_of_any_length_is_quoted_in_part() -> None:
    assert len(invoke("inspect", "y" * 10_000).stderr) < 800


@pytest.mark.parametrize("kind", ["config", "lesson", "theme"])
def test_a_utf8_file_with_a_byte_order_mark_is_read(kind: str, tmp_path: Path) -> None:
    """Windows Notepad starts UTF-8 files with U+FEFF; TOML does not allow it, so before the fix every such
    file was 'not valid TOML ... at line 1, column 1'."""
    bom = "\ufeff"
    if kind == "config":
        path = tmp_path / "c.toml"
        path.write_text(bom + "n_max = 10\nmarks = [1, 10]\n", encoding="utf-8")
        result = invoke("inspect", "limit-climb", "--config", str(path), "--format", "json")
        assert result.exit_code == 0, result.output
        assert '"n_max": 10' in result.stdout
    elif kind == "lesson":
        path = tmp_path / "l.toml"
        path.write_text(bom + lesson_text("n_max = 10\nmarks = [1, 10]"), encoding="utf-8")
        assert load_lesson(path).clips[0].params.n_max == 10  # type: ignore[attr-defined]
    else:
        from calcanim.style.themes import load_theme_file

        path = tmp_path / "uni.toml"
        path.write_text(bom + (REPO / "assets" / "themes" / "light.toml").read_text(encoding="utf-8"), encoding="utf-8")
        assert load_theme_file(path).background == load_theme_file(REPO / "assets" / "themes" / "light.toml").background


def test_a_symlink_loop_says_what_it_is_and_how_to_fix_it(tmp_path: Path) -> None:
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    assert_one_line_error(invoke("inspect", "limit-climb", "--config", str(tmp_path / "a.toml")),
                          "a loop of symbolic links; point the path at a file")


def test_an_unknown_name_among_thousands_of_inputs_is_a_short_line() -> None:
    """Found by the hostile review: backprop with 3000 values listed all 3000 names in one 20 kB line."""
    values = "{" + ", ".join(f"x{i} = 1" for i in range(3000)) + "}"
    result = invoke("inspect", "backprop", "--set", "expression=tanh(zz)", "--set", f"values={values}")
    assert_one_line_error(result, "unknown name 'zz'", "and 2988 more")
    assert len(result.stderr) < 800


# --- list lengths --------------------------------------------------------------------------------


def test_a_list_of_thousands_is_refused_before_its_items_are_read() -> None:
    """Found by the hostile review: 15,000 marks took 40 s to inspect."""
    marks = "[" + ",".join(str(n) for n in range(1, 15_001)) + "]"
    result = invoke("inspect", "limit-climb", "--set", f"marks={marks}")
    assert_one_line_error(result, "'marks'", f"at most {MAX_ITEMS} items, got 15000")
    assert len(result.stderr) < 300


def test_a_list_at_the_cap_is_taken() -> None:
    """16 marks, one per power of ten up to 10^15: the cap leaves room for a mark per decade."""
    data = calcanim.inspect("limit-climb", marks=[10**k for k in range(MAX_ITEMS)], n_max=10**15)
    assert [c["n"] for c in data["checkpoints"]] == [10**k for k in range(16)]


LIST_FIELDS = [(name, f) for name, entry in SCENES.items() for f in dataclasses.fields(entry.params_class)
               if isinstance(f.default, tuple)]


@pytest.mark.parametrize(("scene", "field"), LIST_FIELDS, ids=[f"{s}-{f.name}" for s, f in LIST_FIELDS])
def test_every_list_parameter_has_a_shown_maximum_and_refuses_one_more(scene: str, field: dataclasses.Field) -> None:
    most = field.metadata["max_items"]
    assert 1 <= most <= MAX_ITEMS
    row = next(r for r in SCENES[scene].params_class.describe() if r.name == field.name)
    assert f"{most} items" in row.allowed
    item = field.default[0] if field.default else 1.0
    with pytest.raises(ParamError, match=rf"'{field.name}'.*takes at most {most} items, got {most + 1}"):
        SCENES[scene].params_class.from_mapping({field.name: [item] * (most + 1)})
