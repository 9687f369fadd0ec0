"""One resolved clip from input to pixels: the command line, a watched file and a lesson build the
same :class:`Clip` (same key, same file names), it pickles for a worker, and every check (params,
options and the plan's own) runs when the clip is resolved, naming the key and where it was set."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from calcanim.cli import build_clip
from calcanim.clip import Clip, RenderOptions, Source, resolve_clip
from calcanim.errors import ParamError
from calcanim.lesson import LessonError, load_lesson
from calcanim.rendering.outputs import read_stamp

LESSON = """
[lesson]
title = "Same clip"

[defaults]
quality = "low"

[[clip]]
name = "climb"
scene = "limit-climb"
[clip.params]
duration = 1
n_max = 100
marks = [1, 10, 100]
"""


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_command_line_config_file_and_lesson_give_the_same_clip_and_key(tmp_path: Path) -> None:
    lesson = tmp_path / "same.toml"
    lesson.write_text(LESSON, encoding="utf-8")
    config = tmp_path / "p.toml"
    config.write_text("duration = 1\nn_max = 100\nmarks = [1, 10, 100]\n", encoding="utf-8")
    low = RenderOptions(quality="low")
    from_lesson = load_lesson(lesson).clips[0]
    from_set = build_clip("limit-climb", None, ["duration=1", "n_max=100", "marks=[1, 10, 100]"], low)
    from_config = build_clip("limit-climb", config, [], low)  # what `render --watch` builds on every save
    assert from_lesson.params == from_set.params == from_config.params
    assert from_lesson.options == from_set.options == from_config.options
    assert from_lesson.key() == from_set.key() == from_config.key()
    # file names: a lesson clip is named by the lesson, a command-line clip by scene and hash
    assert from_lesson.output_in(tmp_path) == tmp_path / "climb.mp4"
    assert from_lesson.poster_in(tmp_path) == tmp_path / "climb.png"
    assert from_set.default_output() == Path("renders/limit-climb") / f"limit-climb-{from_set.key()[:10]}.mp4"
    assert from_set.with_options(format="png").poster_in(tmp_path) is None  # a png is its own poster
    # another option or param is another key
    assert from_set.with_options(theme="light").key() != from_set.key()
    assert build_clip("limit-climb", None, ["duration=2"], low).key() != build_clip("limit-climb", None, [], low).key()


def test_a_clip_pickles_for_a_worker_without_its_plan_and_keeps_its_key() -> None:
    clip = resolve_clip("gradient-descent", {"surface": "custom", "loss": "x**2 + y**2"}, {"quality": "low"})
    assert clip._plan is not None  # planned once, when resolved
    again = pickle.loads(pickle.dumps(clip))
    assert again == clip and again.key() == clip.key()
    assert again._plan is None  # compiled functions stay behind; the worker plans once, to draw
    assert again.plan().to_json() == clip.plan().to_json()


@pytest.mark.parametrize(("values", "field"), [
    ({"surface": "custom", "loss": "x**"}, "loss"),  # the custom loss is parsed by the plan
    ({"start": [100, 100]}, "start"),  # start outside the preset's domain: a plan-time check
    ({"steps": 0}, "steps"),  # a params check
])
def test_plan_time_and_params_checks_both_name_the_field_and_where_it_was_set(values: dict, field: str) -> None:
    with pytest.raises(ParamError) as caught:
        resolve_clip("gradient-descent", values, source=Source(label="--set"))
    assert caught.value.field == field and caught.value.source == "--set"
    assert f"'{field}'" in str(caught.value)


def test_render_options_name_the_option_at_fault() -> None:
    for values, field in [({"format": "avi"}, "format"), ({"format": "mp4", "transparent": True}, "transparent"),
                          ({"quality": "ultra"}, "quality"), ({"aspect": "2:1"}, "aspect"),
                          ({"theme": "neon"}, "theme"), ({"captions": "yes"}, "captions"), ({"fps": 3}, "fps")]:
        with pytest.raises(ParamError) as caught:
            RenderOptions.from_mapping(values)
        assert caught.value.field == field, values


@pytest.mark.parametrize(("params", "key"), [
    ('surface = "custom"\nloss = "x**"\n', "loss"),
    ("start = [100, 100]\n", "start"),
])
def test_a_lesson_clip_failing_a_plan_time_check_exits_2_before_writing_anything(
    tmp_path: Path, params: str, key: str
) -> None:
    lesson = tmp_path / "bad.toml"
    lesson.write_text(textwrap.dedent(f"""
        [defaults]
        quality = "low"

        [[clip]]
        name = "fine"
        scene = "limit-climb"

        [[clip]]
        name = "descent"
        scene = "gradient-descent"
        [clip.params]
        view = "contour"
        """) + params, encoding="utf-8")
    line = next(n for n, text in enumerate(lines_of(lesson), start=1) if text.startswith(f"{key} ="))
    with pytest.raises(LessonError) as caught:
        load_lesson(lesson)
    assert [(p.line, p.clip) for p in caught.value.problems] == [(line, "descent")]
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "calcanim", "batch", str(lesson), "-o", str(out)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"calcanim: error: {lesson} line {line}, clip 'descent': invalid value for '{key}'")
    assert len(done.stderr.strip().splitlines()) == 1
    assert not out.exists() and not (tmp_path / "renders").exists()  # nothing created


def test_an_unresolved_clip_cannot_be_built_by_accident() -> None:
    """Clip is plain data; resolve_clip is the checked way in, and a Clip's params are already typed."""
    clip = resolve_clip("limit-climb", {"duration": 1})
    assert isinstance(clip, Clip) and clip.params.duration == 1.0 and clip.source == Source()


@pytest.mark.render
def test_render_and_batch_write_the_same_clip_under_the_same_key(tmp_path: Path) -> None:
    """The same clip from `calcanim render --config` (what --watch re-runs) and from a lesson's batch:
    one key stamp, the same file names the Clip gives, frames read back the same."""
    import av

    lesson = tmp_path / "same.toml"
    lesson.write_text(LESSON, encoding="utf-8")
    config = tmp_path / "p.toml"
    config.write_text("duration = 1\nn_max = 100\nmarks = [1, 10, 100]\n", encoding="utf-8")
    run = [sys.executable, "-m", "calcanim"]
    rendered = subprocess.run([*run, "render", "limit-climb", "--config", str(config), "-q", "low"],
                              capture_output=True, text=True, timeout=300, cwd=tmp_path, check=True)
    single = tmp_path / rendered.stdout.strip()
    subprocess.run([*run, "batch", str(lesson), "-o", str(tmp_path / "lesson")],
                   capture_output=True, text=True, timeout=300, cwd=tmp_path, check=True)
    batched = tmp_path / "lesson" / "climb.mp4"
    clip = load_lesson(lesson).clips[0]
    assert single == tmp_path / dataclasses.replace(clip, name="").default_output()  # unnamed: scene-hash
    assert batched == clip.output_in(tmp_path / "lesson")
    stamps = [read_stamp(p) for p in (single, batched)]
    assert [stamp.key if stamp else None for stamp in stamps] == [clip.key(), clip.key()]
    assert all(stamp is not None and stamp.verified(p) for stamp, p in zip(stamps, (single, batched)))

    def frames(path: Path) -> list[bytes]:
        with av.open(str(path)) as container:
            return [f.to_ndarray(format="rgb24").tobytes() for f in container.decode(video=0)]

    assert frames(single) == frames(batched)


def test_a_bad_option_and_a_plan_time_failure_on_one_clip_are_both_reported(tmp_path: Path) -> None:
    lesson = tmp_path / "two.toml"
    lesson.write_text(textwrap.dedent("""
        [[clip]]
        name = "descent"
        scene = "gradient-descent"
        quality = "ultra"
        [clip.params]
        surface = "custom"
        loss = "x**"
        """), encoding="utf-8")
    with pytest.raises(LessonError) as caught:
        load_lesson(lesson)
    lines = lines_of(lesson)
    expected = [(lines.index('quality = "ultra"') + 1, "descent"), (lines.index('loss = "x**"') + 1, "descent")]
    assert [(p.line, p.clip) for p in caught.value.problems] == expected
    assert "quality" in caught.value.problems[0].message and "'loss'" in caught.value.problems[1].message
