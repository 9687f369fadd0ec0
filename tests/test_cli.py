"""The command line: listing, showing, inspecting, precedence of settings, and one-line errors."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from calcanim.cli import main
from calcanim.registry import SCENES


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Invoke the CLI inside an empty working folder (so renders/ is the test's own)."""
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("calcanim: error: "), lines[0]
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def assert_nothing_rendered(root: Path) -> None:
    renders = root / "renders"
    assert not renders.exists() or not any(p.is_file() for p in renders.rglob("*"))


def test_list_names_every_scene(run) -> None:
    result = run("list")
    assert result.exit_code == 0
    for name, entry in SCENES.items():
        assert name in result.output and entry.summary in result.output


def test_show_lists_parameters_with_ranges_and_help(run) -> None:
    result = run("show", "limit-climb")
    assert result.exit_code == 0
    for text in ["n_max", "marks", "decimals", "duration", ">= 0 and <= 12", "1000000", "largest n"]:
        assert text in result.output


def test_inspect_json_has_the_issue_shape(run) -> None:
    result = run("inspect", "limit-climb", "--format", "json")
    data = json.loads(result.output)
    assert data["scene"] == "limit-climb"
    assert data["limit"] == 2.718281828459045
    assert [c["n"] for c in data["checkpoints"]] == [1, 2, 10, 100, 1000, 1000000]
    assert [c["value"] for c in data["checkpoints"]][:2] == [2.0, 2.25]
    assert data["params"]["n_max"] == 1_000_000


def test_inspect_accepts_marks_up_to_ten_to_the_fifteen(run) -> None:
    result = run("inspect", "limit-climb", "--format", "json", "--set", "n_max=1000000000000000",
                 "--set", "marks=[1, 1000000000000, 1000000000000000]")
    data = json.loads(result.output)
    assert [c["n"] for c in data["checkpoints"]] == [1, 10**12, 10**15]
    assert all(c["value"] < data["limit"] for c in data["checkpoints"])


def test_inspect_table_is_readable(run) -> None:
    result = run("inspect", "limit-climb")
    assert result.exit_code == 0
    assert "checkpoints:" in result.output and "2.25" in result.output


def test_precedence_defaults_then_config_then_set(run, tmp_path: Path) -> None:
    config = tmp_path / "clip.toml"
    config.write_text("[limit-climb]\nn_max = 1000\nmarks = [1, 10, 100, 1000]\ndecimals = 3\n")
    data = json.loads(run("inspect", "limit-climb", "--format", "json", "--config", str(config),
                          "--set", "decimals=9").output)
    assert data["params"]["n_max"] == 1000          # from the file
    assert data["params"]["marks"] == [1, 10, 100, 1000]
    assert data["params"]["decimals"] == 9          # --set wins over the file
    assert data["params"]["duration"] == 8.0        # default


def test_config_file_may_be_a_bare_table(run, tmp_path: Path) -> None:
    config = tmp_path / "clip.toml"
    config.write_text("n_max = 100\nmarks = [1, 100]\n")
    data = json.loads(run("inspect", "limit-climb", "--format", "json", "--config", str(config)).output)
    assert data["params"]["n_max"] == 100


def test_setting_only_n_max_keeps_the_default_marks_that_fit(run) -> None:
    data = json.loads(run("inspect", "limit-climb", "--format", "json", "--set", "n_max=500").output)
    assert [c["n"] for c in data["checkpoints"]] == [1, 2, 10, 100, 500]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["inspect", "limt-climb"], ["unknown scene 'limt-climb'", "did you mean 'limit-climb'", "available scenes"]),
        (["render", "limt-climb"], ["unknown scene", "limit-climb"]),
        (["show", "nope"], ["unknown scene 'nope'"]),
        (["inspect", "limit-climb", "--set", "n_mx=3"], ["unknown parameter 'n_mx'", "did you mean 'n_max'"]),
        (["inspect", "limit-climb", "--set", "n_max=abc"], ["'n_max'", "integer", "'abc'"]),
        (["inspect", "limit-climb", "--set", "n_max=2.5"], ["'n_max'", "integer", "2.5"]),
        (["inspect", "limit-climb", "--set", "n_max=0"], ["'n_max'", ">= 1", "got 0"]),
        (["inspect", "limit-climb", "--set", "n_max=100", "--set", "marks=[1, 1000]"],
         ["'marks'", "[1, n_max=100]", "1000"]),
        (["inspect", "limit-climb", "--set", "marks=[0, 10]"], ["'marks'", "0"]),
        (["inspect", "limit-climb", "--set", "decimals=13"], ["'decimals'", "<= 12", "13"]),
        (["inspect", "limit-climb", "--set", "decimals=-1"], ["'decimals'", ">= 0"]),
        (["inspect", "limit-climb", "--set", "nmax"], ["--set needs KEY=VALUE"]),
        (["render", "limit-climb", "--theme", "dak"], ["unknown theme 'dak'", "did you mean 'dark'"]),
        (["render", "limit-climb", "-o", "clip.webm", "--format", "mp4"], ["is a .webm file but --format is mp4"]),
        (["render", "limit-climb", "-o", "clip.txt"], ["no video extension", ".mp4"]),
        (["render", "limit-climb", "--encoder", "tiny"], ["'tiny' is not one of 'fast', 'small'"]),
        (["render", "limit-climb", "--format", "mp4", "--transparent"], ["--transparent", "webm"]),
    ],
)
def test_bad_input_gets_one_line_and_exit_2(run, tmp_path: Path, args: list[str], fragments: list[str]) -> None:
    result = run(*args)
    assert_one_line_error(result, *fragments)
    assert_nothing_rendered(tmp_path)


def test_invalid_toml_names_its_line(run, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("n_max = 10\nmarks = [1,\n  oops\n")
    result = run("inspect", "limit-climb", "--config", str(config))
    assert_one_line_error(result, "bad.toml", "not valid TOML", "line 3")


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d: d / "missing.toml", "no such file"),
        (lambda d: d, "it is a folder"),
        (lambda d: (d / "latin1.toml").write_bytes(b"n_max = 1 # \xe9\n") and d / "latin1.toml", "UTF-8"),
    ],
)
def test_unreadable_config_files(run, tmp_path: Path, make, fragment: str) -> None:
    result = run("inspect", "limit-climb", "--config", str(make(tmp_path)))
    assert_one_line_error(result, fragment)


def test_unknown_key_in_config_file_is_named(run, tmp_path: Path) -> None:
    config = tmp_path / "clip.toml"
    config.write_text("[limit-climb]\ndecimal = 3\n")
    assert_one_line_error(run("inspect", "limit-climb", "--config", str(config)), "'decimal'", "'decimals'")


def test_unwritable_output_folder(run, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "file").write_text("not a folder")
    result = run("render", "limit-climb", "-q", "low", "-o", str(locked / "file" / "clip.mp4"))
    assert_one_line_error(result, "cannot write to output folder")
    assert_nothing_rendered(tmp_path)


def test_version_and_help(run) -> None:
    assert run("--version").output.startswith("calcanim, version")
    help_text = run("render", "--help").output
    for option in ["--set", "--config", "-q", "--format", "-o", "--preview", "--theme", "--aspect"]:
        assert option in help_text
