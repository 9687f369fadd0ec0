"""Themes: built-ins by name only, a user theme as an explicit .toml path checked against the
schema with one-line errors, and its contents (not its name or path) in the cache key."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from calcanim.cli import main
from calcanim.errors import CalcanimError, ConfigFileError, ParamError
from calcanim.lesson import LessonError, load_lesson
from calcanim.registry import get_scene
from calcanim.clip import RenderOptions
from calcanim.clip_key import clip_key as plain_clip_key
from calcanim.style.assets import assets_dir
from calcanim.style.themes import Theme, load_theme, theme_fingerprint, theme_names
from tests.test_cli import assert_one_line_error

DARK = (assets_dir() / "themes" / "dark.toml").read_text(encoding="utf-8")


def write_theme(folder: Path, text: str = DARK, name: str = "uni.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_themes_load_by_name_and_match_their_files() -> None:
    for name in theme_names():
        data = tomllib.loads((assets_dir() / "themes" / f"{name}.toml").read_text(encoding="utf-8"))
        theme = load_theme(name)
        assert theme.background == data["background"] and list(theme.runs) == data["runs"]


@settings(max_examples=50, deadline=None)
@given(st.one_of(
    st.sampled_from(["../../etc/passwd", "/etc/passwd", "../themes/dark", "dark/../light", "./dark", "~", ""]),
    st.text(min_size=1, max_size=40).filter(lambda t: t not in ("dark", "light", "high-contrast")
                                             and not t.lower().endswith(".toml")),
))
def test_anything_but_a_builtin_name_or_a_toml_path_is_refused_in_one_line(name: str) -> None:
    with pytest.raises(ParamError) as caught:
        load_theme(name)
    assert "\n" not in str(caught.value) and "available themes" in str(caught.value)


def test_a_user_theme_is_read_from_its_path(tmp_path: Path) -> None:
    path = write_theme(tmp_path, DARK.replace("#58C4DD", "#AA0000").replace('name = "dark"\n', ""))
    theme = load_theme(str(path))
    assert theme.curve == "#AA0000" and theme.name == "uni"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.replace('accent = "#C792EA"\n', ""), "missing key accent"),
        (lambda t: t.replace('accent = "#C792EA"', 'accent = "purple"'), 'accent must be a colour like "#1A2B3C"'),
        (lambda t: t.replace('accent = "#C792EA"', "accent = 7"), "accent must be a colour"),
        (lambda t: t + 'acent = "#000000"\n', "unknown key 'acent'; did you mean 'accent'?"),
        (lambda t: t.replace("text_scale = 1.0", "text_scale = 1e400"), "text_scale must be a number from 0.25 to 4"),
        (lambda t: t.replace("stroke_scale = 1.0", 'stroke_scale = "big"'), "stroke_scale must be a number"),
        (lambda t: t.replace('runs = ["#58C4DD"', 'runs = ["blue"'), "every colour in runs"),
        (lambda t: t.replace("runs = [", "runs = [[[["), "not valid TOML"),
        (lambda t: "background = " + "[" * 4000 + "]" * 4000, "nested too deeply"),
    ],
)
def test_a_user_theme_is_checked_against_the_schema_in_one_line(tmp_path: Path, change, message: str) -> None:
    path = write_theme(tmp_path, change(DARK))
    with pytest.raises(ConfigFileError) as caught:
        load_theme(str(path))
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert_one_line_error(CliRunner().invoke(main, ["render", "limit-climb", "--theme", str(path)],
                                             catch_exceptions=False), message)


def test_a_missing_or_special_theme_file_is_one_line(tmp_path: Path) -> None:
    for path in [tmp_path / "none.toml", Path("/dev/zero.toml"), tmp_path]:
        with pytest.raises(CalcanimError):
            load_theme(str(path) if path.suffix else str(path) + "/x.toml")


def clip_key(entry, params, options: RenderOptions) -> str:
    """The key exactly as Clip.key() makes it: scene, plain params, plain options."""
    return plain_clip_key(entry.name, params.to_dict(), dataclasses.asdict(options))


def test_the_cache_key_follows_a_user_theme_contents_not_its_name(tmp_path: Path) -> None:
    entry = get_scene("limit-climb")
    params = entry.params_class()
    first = write_theme(tmp_path, DARK, "a.toml")
    same = write_theme(tmp_path, DARK.replace("# The default theme", "# a comment"), "b.toml")
    key = clip_key(entry, params, RenderOptions(theme=str(first)))
    assert clip_key(entry, params, RenderOptions(theme=str(same))) == key
    assert theme_fingerprint(str(first)) == theme_fingerprint("dark")
    first.write_text(DARK.replace("#58C4DD", "#58C4DE"), encoding="utf-8")
    assert clip_key(entry, params, RenderOptions(theme=str(first))) != key
    assert clip_key(entry, params, RenderOptions(theme="dark")) == clip_key(entry, params, RenderOptions())


def test_a_fingerprint_covers_every_field_but_the_name(tmp_path: Path) -> None:
    base = theme_fingerprint("dark")
    for field in dataclasses.fields(Theme):
        if field.name == "name":
            continue
        value = getattr(load_theme("dark"), field.name)
        replacement = {str: '"#010203"', tuple: '["#010203"]', float: "2.0"}[type(value)]
        text = "\n".join(line if not line.startswith(f"{field.name} =") else f"{field.name} = {replacement}"
                         for line in DARK.splitlines())
        assert theme_fingerprint(str(write_theme(tmp_path, text, f"{field.name}.toml"))) != base, field.name


def test_a_lesson_finds_its_theme_beside_it_and_reports_a_bad_one_on_its_line(tmp_path: Path) -> None:
    write_theme(tmp_path, DARK.replace("#58C4DD", "#AA0000"), "uni.toml")
    write_theme(tmp_path, DARK.replace('accent = "#C792EA"', 'accent = "nope"'), "bad.toml")
    lesson = tmp_path / "l.toml"
    lesson.write_text('[lesson]\ntitle = "t"\n[defaults]\ntheme = "uni.toml"\n'
                      '[[clip]]\nname = "a"\nscene = "limit-climb"\n', encoding="utf-8")
    (clip,) = load_lesson(lesson).clips
    assert load_theme(clip.options.theme).curve == "#AA0000"
    lesson.write_text(lesson.read_text() + '[[clip]]\nname = "b"\nscene = "limit-climb"\ntheme = "bad.toml"\n')
    with pytest.raises(LessonError, match=r"line 11, clip 'b': theme .*bad.toml.*accent must be a colour"):
        load_lesson(lesson)
