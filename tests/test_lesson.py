"""Lesson files: the whole file is validated first and every problem is reported at once, each with
the file, its line and the clip's name."""

from __future__ import annotations

import dataclasses

import textwrap
from pathlib import Path

import pytest

from calcanim.errors import ConfigFileError
from calcanim.lesson import LessonError, load_lesson
from calcanim.registry import SCENES

REPO = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p.name for p in (Path(__file__).resolve().parents[1] / "scenes").glob("*.toml"))


def write(tmp_path: Path, text: str, name: str = "lesson.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path: Path, fragment: str, after: int = 0) -> int:
    """1-based line number of the first line (after line ``after``) containing ``fragment``: the
    test's own independent scan of the file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if number > after and fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in {path}")


def test_a_valid_lesson_merges_defaults_and_clip_options(tmp_path: Path) -> None:
    path = write(tmp_path, """
        [lesson]
        title = "Tiny"

        [defaults]
        quality = "low"
        theme = "light"

        [[clip]]
        name = "first"
        scene = "limit-climb"
        [clip.params]
        n_max = 1000
        marks = [1, 10, 1000]

        [[clip]]
        name = "second"
        scene = "limit-climb"
        aspect = "9:16"
        params = { duration = 2 }
    """)
    lesson = load_lesson(path)
    assert (lesson.name, lesson.title) == ("lesson", "Tiny")  # the name defaults to the file's stem
    first, second = lesson.clips
    assert first.params.n_max == 1000 and first.params.marks == (1, 10, 1000)
    assert first.params.decimals == 6  # the scene's default, filled in
    assert dataclasses.asdict(first.options) == {"quality": "low", "format": "mp4", "theme": "light", "aspect": "16:9",
                                   "captions": True, "transparent": False, "encoder": "fast"}
    assert second.options.aspect == "9:16" and second.options.theme == "light"
    assert second.params.duration == 2.0
    first_line = line_of(path, "[[clip]]")
    assert (first.source.line, second.source.line) == (first_line, line_of(path, "[[clip]]", after=first_line))


def test_every_problem_is_reported_at_once_with_line_and_clip(tmp_path: Path) -> None:
    path = write(tmp_path, """
        [lesson]
        title = "Broken on purpose"

        [[clip]]
        name = "climb"
        scene = "limit-climb"
        [clip.params]
        duration = 1

        [[clip]]
        name = "zoom-right"
        scene = "zoom-linearity"
        [clip.params]
        pint = 1

        [[clip]]
        name = "climb"
        scene = "limt-climb"

        [[clip]]
        name = "too-short"
        scene = "limit-climb"
        params = { duration = 0.1 }

        [[clip]]
        name = "typo"
        scene = "limit-climb"
        [clip.params]
        n_max = = 3
    """)
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    problems = caught.value.problems
    lines = str(caught.value).splitlines()
    assert len(problems) == 5 and len(lines) == 6, str(caught.value)
    assert "5 problems" in lines[0] and "nothing was rendered" in lines[0]

    def reported(clip: str, line: int, *fragments: str) -> None:
        prefix = f"{path} line {line}, clip '{clip}': "
        matching = [text for text in lines if text.strip().startswith(prefix)]
        assert matching, f"no problem reported at {prefix!r} in:\n{caught.value}"
        for fragment in fragments:
            assert fragment in matching[0], matching[0]

    reported("zoom-right", line_of(path, "pint = 1"), "unknown parameter 'pint' for zoom-linearity",
             "did you mean 'point'?")
    first_climb = line_of(path, 'name = "climb"')
    reported("climb", line_of(path, 'name = "climb"', after=first_climb), "duplicate clip name 'climb'",
             f"first used on line {first_climb}")
    reported("climb", line_of(path, "limt-climb"), "unknown scene 'limt-climb'", "did you mean 'limit-climb'?")
    reported("too-short", line_of(path, "duration = 0.1"), "invalid value for 'duration'", ">= 1", "0.1")
    reported("typo", line_of(path, "n_max = = 3"), "not valid TOML")


def test_invalid_toml_before_the_clips_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, """
        [lesson]
        title = "unterminated

        [[clip]]
        name = "fine"
        scene = "limit-climb"
    """)
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert str(caught.value).startswith(f"{path} line {line_of(path, 'title =')}: not valid TOML")


def test_options_names_and_keys_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, """
        [lesson]
        titel = "x"

        [defaults]
        quality = "ultra"

        [[clip]]
        name = "../escape"
        scene = "limit-climb"
        format = "avi"
        colour = "red"

        [[clip]]
        scene = "limit-climb"

        [[clip]]
        name = "Clip"
        scene = "limit-climb"

        [[clip]]
        name = "clip"
        scene = "limit-climb"
    """)
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    text = str(caught.value)
    assert f"line {line_of(path, 'titel')}: unknown key 'titel' in [lesson]; did you mean 'title'?" in text
    assert f"line {line_of(path, '[defaults]')}: [defaults]: unknown quality 'ultra'" in text
    assert f"line {line_of(path, 'escape')}, clip '../escape': name '../escape' is not file-safe" in text
    assert f"line {line_of(path, 'avi')}, clip '../escape': unknown format 'avi'" in text
    assert f"line {line_of(path, 'colour')}, clip '../escape': unknown key 'colour'" in text
    assert "clip '#2': missing name" in text
    # Clip names are compared without case: Clip.mp4 and clip.mp4 collide on macOS and Windows.
    second = line_of(path, 'name = "clip"')
    assert f"line {second}, clip 'clip': duplicate clip name 'clip'" in text


def test_missing_file_and_empty_lesson(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="no such file"):
        load_lesson(tmp_path / "nope.toml")
    with pytest.raises(LessonError, match="no clips"):
        load_lesson(write(tmp_path, '[lesson]\ntitle = "empty"\n'))


def test_only_rejects_unknown_names_with_the_list(tmp_path: Path) -> None:
    path = write(tmp_path, """
        [[clip]]
        name = "zoom-left"
        scene = "limit-climb"

        [[clip]]
        name = "zoom-right"
        scene = "limit-climb"
    """)
    lesson = load_lesson(path)
    assert [c.name for c in lesson.select(["zoom-right"])] == ["zoom-right"]
    assert len(lesson.select([])) == 2
    with pytest.raises(ConfigFileError) as caught:
        lesson.select(["zoom-rigth"])
    assert "did you mean 'zoom-right'?" in str(caught.value)
    assert "its clips are: zoom-left, zoom-right" in str(caught.value)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_lessons_validate(name: str) -> None:
    path = REPO / "scenes" / name
    scenes = {line.split('"')[1] for line in path.read_text(encoding="utf-8").splitlines()
              if line.startswith("scene = ")}
    missing = sorted(scenes - set(SCENES))
    if missing:
        pytest.skip(f"scene(s) {', '.join(missing)} not in the registry yet")
    lesson = load_lesson(path)
    assert lesson.name == path.stem
    assert {c.scene for c in lesson.clips} == scenes
    assert len({c.name for c in lesson.clips}) == len(lesson.clips)


def test_e_and_linearity_covers_the_seed_panels() -> None:
    lesson = load_lesson(REPO / "scenes" / "e-and-linearity.toml")
    scenes = [c.scene for c in lesson.clips]
    assert scenes.count("limit-climb") == 1 and scenes.count("tangent-bases") == 1
    zooms = [c for c in lesson.clips if c.scene == "zoom-linearity"]
    assert sorted(c.params.point for c in zooms) == [-1.0, 1.0]  # the seed zooms at x = 1 and x = -1
    assert all(c.params.function == "x**2" and c.params.equal_axes for c in zooms)
    climb = next(c for c in lesson.clips if c.scene == "limit-climb")
    assert climb.params.n_max == 10**6


def test_learning_rate_lesson_has_small_good_and_large_rates_on_both_views() -> None:
    lesson = load_lesson(REPO / "scenes" / "learning-rate.toml")
    rates = {rate for c in lesson.clips for rate in c.params.learning_rates}
    assert {c.params.surface for c in lesson.clips} == {"ravine"}  # the same loss throughout
    # ravine = (x^2 + 10 y^2)/2: largest curvature L = 10, stable for lr < 2/L = 0.2
    assert min(rates) < 0.2 / 4 and any(0.05 < r < 0.2 for r in rates) and max(rates) > 0.2
    views = {c.params.view for c in lesson.clips}
    assert views >= {"surface", "contour"} or "both" in views
