"""The Python API: calcanim.inspect is the CLI's JSON, calcanim.render returns the finished files,
bad values raise CalcanimError (a ValueError) with the CLI's one line, scene classes by name."""

from __future__ import annotations

import json
import os
from pathlib import Path

import av
import pytest
from click.testing import CliRunner

import calcanim
from calcanim.cli import main
from calcanim.registry import SCENES

REPO = Path(__file__).resolve().parents[1]

CASES = [
    ("limit-climb", {"n_max": 1000, "marks": [1, 10, 100, 1000]}),
    ("zoom-linearity", {"function": "sin(x) + 0.5*x**2", "point": 0.5}),
    ("gradient-descent", {"learning_rates": [0.02, 0.1, 0.21], "view": "contour"}),
    ("tangent-bases", {}),
]


def cli_args(values: dict[str, object]) -> list[str]:
    args: list[str] = []
    for key, value in values.items():
        text = value if isinstance(value, str) else json.dumps(value)
        args += ["--set", f"{key}={text}"]
    return args


@pytest.mark.parametrize(("scene", "values"), CASES)
def test_inspect_is_exactly_what_the_cli_prints(scene: str, values: dict[str, object]) -> None:
    printed = CliRunner().invoke(main, ["inspect", scene, *cli_args(values), "--format", "json"])
    assert printed.exit_code == 0, printed.output
    assert calcanim.inspect(scene, **values) == json.loads(printed.stdout)


@pytest.mark.parametrize(
    ("scene", "values"),
    [
        ("limit-climb", {"decimals": 13}),
        ("limit-climb", {"n_maxx": 10}),
        ("zoom-linearity", {"function": "sni(x)"}),
        ("limt-climb", {}),
        ("gradient-descent", {"start": [100.0, 100.0]}),
    ],
)
def test_bad_values_raise_a_value_error_with_the_cli_line(scene: str, values: dict[str, object]) -> None:
    printed = CliRunner().invoke(main, ["inspect", scene, *cli_args(values)])
    assert printed.exit_code == 2
    line = printed.stderr.strip()
    with pytest.raises(calcanim.CalcanimError) as caught:
        calcanim.inspect(scene, **values)
    assert isinstance(caught.value, ValueError)
    # the same line, but for where the value was written: the Python call instead of --set
    assert line == f"calcanim: error: {caught.value}".replace("calcanim.inspect()", "--set")


def test_scene_classes_by_name() -> None:
    import calcanim.scenes as scenes

    for entry in SCENES.values():
        name = entry.scene_path.rsplit(":", 1)[1]
        assert getattr(scenes, name) is entry.scene_class()
        assert name in dir(scenes)
    with pytest.raises(AttributeError):
        scenes.NoSuchScene  # noqa: B018


def test_output_extension_picks_the_format_and_a_conflict_is_one_line(tmp_path: Path) -> None:
    assert calcanim.resolve("limit-climb", output=tmp_path / "a.webm").options.format == "webm"
    assert calcanim.resolve("limit-climb").options.format == "mp4"
    with pytest.raises(calcanim.CalcanimError, match="is a .webm file but --format is gif"):
        calcanim.resolve("limit-climb", output=tmp_path / "a.webm", format="gif")
    with pytest.raises(calcanim.CalcanimError, match="no video extension"):
        calcanim.resolve("limit-climb", output=tmp_path / "a.txt")


@pytest.mark.render
def test_render_returns_the_files_and_the_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    values = {"n_max": 100, "marks": [1, 10, 100], "duration": 1}
    clip = calcanim.render("limit-climb", quality="low", theme="light", output="climb.mp4", **values)
    assert os.fspath(clip) == str(Path("climb.mp4")) and clip.path.is_file()
    assert clip.poster == Path("climb.png") and clip.poster.is_file()
    assert {p.suffix for p in clip.captions} == {".srt", ".vtt"} and all(p.is_file() for p in clip.captions)
    assert clip.numbers == calcanim.inspect("limit-climb", **values)
    with av.open(str(clip.path)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (854, 480)
    page = clip._repr_html_()
    assert page.startswith("<video") and 'src="climb.mp4"' in page and 'poster="climb.png"' in page
    again = calcanim.render("limit-climb", quality="low", theme="light", output="climb.mp4", **values)
    assert again.cached and again.key == clip.key
    # a video outside the notebook's folder is embedded
    from calcanim.api import _relative_or_data

    absolute = clip.path.resolve()
    elsewhere = tmp_path / "sub"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert _relative_or_data(absolute).startswith("data:video/mp4;base64,")


# --- wrong types from Python end in CalcanimError, not a TypeError from deep inside (hostile review) ---


@pytest.mark.parametrize("call", [
    lambda: calcanim.inspect(123),
    lambda: calcanim.inspect(None),
    lambda: calcanim.inspect(["limit-climb"]),
    lambda: calcanim.render("limit-climb", quality="low", output=123),
    lambda: calcanim.render_lesson(5),
    lambda: calcanim.render_lesson(REPO / "scenes" / "e-and-linearity.toml", output_dir=3.5),
    lambda: calcanim.render_lesson(REPO / "scenes" / "e-and-linearity.toml", jobs=0),
    lambda: calcanim.render_lesson(REPO / "scenes" / "e-and-linearity.toml", jobs=-1),
    lambda: calcanim.render_lesson(REPO / "scenes" / "e-and-linearity.toml", jobs="2"),
], ids=["scene int", "scene None", "scene list", "output int", "lesson int", "output_dir float", "jobs 0",
        "jobs -1", "jobs str"])
def test_a_wrong_type_from_python_is_a_calcanim_error(call) -> None:
    with pytest.raises(calcanim.CalcanimError) as caught:
        call()
    assert "\n" not in str(caught.value)
