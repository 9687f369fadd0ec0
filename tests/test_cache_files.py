"""The cache and the files beside a clip: only an intact cached clip is served (every way of
damaging a file is caught), the key changes with everything that draws, stale captions are
removed only when they are calcanim's, a user's files are never swept, and a failed render
creates no folders."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from calcanim import clip_key as clip_key_module
from calcanim.batch import Job, run_lesson
from calcanim.clip import Clip, RenderOptions, resolve_clip
from calcanim.clip_key import NOT_PIXEL_SOURCES, code_digest
from calcanim.errors import RenderError
from calcanim.files import (
    STALE_TEMP_SECONDS,
    TEMP_PREFIX,
    atomic_target,
    sweep_temp_files,
    temp_beside,
    temp_owner,
    temp_token,
    write_text_atomically,
)
from calcanim.rendering import render
from calcanim.rendering.outputs import cached_result, read_stamp, stamp_path, stamp_text
from calcanim.style.assets import assets_dir

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "calcanim"
SHORT = {"duration": 1, "n_max": 100, "marks": [1, 10, 100]}


def short_clip(**options: Any) -> Clip:
    return resolve_clip("limit-climb", SHORT, RenderOptions(quality="low", **options))


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Clip, Path]:
    """One real render at low quality, with its poster and captions: the files later tests damage."""
    folder = tmp_path_factory.mktemp("pristine")
    clip = short_clip()
    result = render(clip, folder / "clip.mp4", progress=False, poster=folder / "clip.png")
    assert not result.cached and {p.name for p in result.extras} == {"clip.srt", "clip.vtt", "clip.png"}
    return clip, folder


def copy_of(pristine: tuple[Clip, Path], where: Path) -> Path:
    shutil.copytree(pristine[1], where)
    return where / "clip.mp4"


def truncate_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "emptied": lambda p: p.write_bytes(b""),
    "truncated": truncate_half,
    "one byte changed, same size": flip_a_byte,
    "one byte appended": lambda p: p.write_bytes(p.read_bytes() + b"\0"),
    "deleted": lambda p: p.unlink(),
    "replaced by a folder": lambda p: (p.unlink(), p.mkdir()),
}


@pytest.mark.render
@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("victim", ["clip.mp4", "clip.png", "clip.srt", "clip.vtt"])
def test_a_damaged_cached_file_is_never_served(pristine: tuple[Clip, Path], tmp_path: Path, victim: str, damage: str) -> None:
    clip, _ = pristine
    output = copy_of(pristine, tmp_path / "out")
    poster = output.with_suffix(".png")
    assert cached_result(output, clip.key(), clip.options, poster) is not None  # intact: served
    DAMAGE[damage](output.parent / victim)
    assert cached_result(output, clip.key(), clip.options, poster) is None


@pytest.mark.render
def test_a_stamp_without_checksums_or_damaged_is_not_trusted(pristine: tuple[Clip, Path], tmp_path: Path) -> None:
    clip, _ = pristine
    output = copy_of(pristine, tmp_path / "out")
    stamp = stamp_path(output)
    text = stamp.read_text(encoding="utf-8")
    for broken in (clip.key() + "\n", "", "x" * 64 + "\n" + text.split("\n", 1)[1], text.replace(" ", "  ", 1),
                   text.replace("clip.mp4", "other.mp4")):
        stamp.write_text(broken, encoding="utf-8")
        assert cached_result(output, clip.key(), clip.options) is None, broken
    stamp.write_bytes(b"\xff\xfe")
    assert cached_result(output, clip.key(), clip.options) is None


@pytest.mark.render
def test_a_truncated_video_is_rendered_again_and_the_result_plays(pristine: tuple[Clip, Path], tmp_path: Path) -> None:
    import av

    clip, _ = pristine
    output = copy_of(pristine, tmp_path / "out")
    truncate_half(output)
    result = render(clip, output, progress=False, poster=output.with_suffix(".png"))
    assert not result.cached
    def frames(path: Path) -> int:
        with av.open(str(path)) as container:
            return sum(1 for _ in container.decode(video=0))

    # limit-climb: 2 + 1 + 3 s at 15 fps (manim may add a closing frame), as many as the intact original
    assert frames(output) == frames(pristine[1] / "clip.mp4") and abs(frames(output) - 6 * 15) <= 1
    assert render(clip, output, progress=False, poster=output.with_suffix(".png")).cached


def fake_render(job: Job) -> dict[str, Any]:
    """No manim: records that the clip was sent to a worker."""
    clip = job.clip
    files = {"video": f"{clip.name}.mp4", "poster": f"{clip.name}.png", "captions": {}}
    return {"record": {"name": clip.name, "title": clip.title, "scene": clip.scene, "files": files,
                       "params": clip.params.to_dict(), "options": dataclasses.asdict(clip.options),
                       "key": clip.key(), "numbers": {}, "duration": -1.0},
            "cached": False, "seconds": 0.0}


LESSON = """
[lesson]
title = "Cache"
[defaults]
quality = "low"
[[clip]]
name = "a"
scene = "limit-climb"
[clip.params]
duration = 1
n_max = 100
marks = [1, 10, 100]
"""


@pytest.mark.render
@pytest.mark.parametrize("manifest_too", [False, True], ids=["manifest kept", "manifest deleted"])
@pytest.mark.parametrize("damage", ["emptied", "truncated", "one byte changed, same size"])
def test_batch_renders_a_damaged_cached_clip_again(pristine: tuple[Clip, Path], tmp_path: Path, damage: str,
                                                   manifest_too: bool) -> None:
    from concurrent.futures import ThreadPoolExecutor

    lesson = tmp_path / "cache.toml"
    lesson.write_text(LESSON, encoding="utf-8")
    folder = tmp_path / "out"
    clip, source = pristine
    folder.mkdir()
    for ext in ("mp4", "png", "srt", "vtt"):
        shutil.copyfile(source / f"clip.{ext}", folder / f"a.{ext}")
    output = folder / "a.mp4"
    lesson_clip = resolve_clip("limit-climb", SHORT, RenderOptions(quality="low"), name="a")
    written = [(folder / f"a.{ext}", folder / f"a.{ext}") for ext in ("mp4", "srt", "vtt", "png")]
    stamp_path(output).write_text(stamp_text(lesson_clip.key(), output, written), encoding="utf-8")
    threads = {"executor_factory": lambda workers: ThreadPoolExecutor(max_workers=workers), "stream": io.StringIO()}
    first = run_lesson(lesson, output_dir=folder, job=fake_render, **threads)
    assert [o.status for o in first.outcomes] == ["cached"]  # intact files are served, with a real probe
    record = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["clips"][0]
    assert record["duration"] == pytest.approx(6.0, abs=0.1) and record["status"] == "current"

    DAMAGE[damage](output)
    if manifest_too:
        (folder / "manifest.json").unlink()
    again = run_lesson(lesson, output_dir=folder, job=fake_render, **threads)
    assert [o.status for o in again.outcomes] == ["rendered"]  # sent to a worker, not served
    record = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["clips"][0]
    assert record["duration"] == -1.0  # the worker's record, not the old duration


def test_a_stamped_file_that_cannot_be_read_is_rendered_again_without_a_traceback(tmp_path: Path) -> None:
    """A stamp that matches a file PyAV cannot read (no earlier manifest to take the numbers from)."""
    from concurrent.futures import ThreadPoolExecutor

    lesson = tmp_path / "cache.toml"
    lesson.write_text(LESSON, encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    clip = resolve_clip("limit-climb", SHORT, RenderOptions(quality="low"), name="a")
    for ext in ("mp4", "png", "srt", "vtt"):
        (folder / f"a.{ext}").write_bytes(b"not a video at all")
    written = [(folder / f"a.{ext}", folder / f"a.{ext}") for ext in ("mp4", "srt", "vtt", "png")]
    stamp_path(folder / "a.mp4").write_text(stamp_text(clip.key(), folder / "a.mp4", written), encoding="utf-8")
    summary = run_lesson(lesson, output_dir=folder, job=fake_render, stream=io.StringIO(),
                         executor_factory=lambda workers: ThreadPoolExecutor(max_workers=workers))
    assert [o.status for o in summary.outcomes] == ["rendered"]


# --- the key ---------------------------------------------------------------------------------


def package_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "calcanim"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_every_drawing_source_file_is_in_the_key(tmp_path: Path) -> None:
    """Each Python file of the package outside the short reviewed list (CLI, batch, gallery, ...)
    changes the code digest when edited, including the manim speed-ups and the SVG cache."""
    copy = package_copy(tmp_path)
    before = code_digest(copy)
    files = sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*.py"))
    drawing = [f for f in files if f not in NOT_PIXEL_SOURCES and f.split("/", 1)[0] not in NOT_PIXEL_SOURCES]
    assert {"manim_speedups.py", "svg_cache.py", "number_format.py", "rendering/manim_run.py", "scenes/base.py"} <= set(drawing)
    assert len(drawing) > 0.75 * len(files)
    for name in drawing:
        path = copy / name
        original = path.read_bytes()
        path.write_bytes(original + b"\n# edited\n")
        code_digest.cache_clear()
        assert code_digest(copy) != before, name
        path.write_bytes(original)
    for name in NOT_PIXEL_SOURCES:  # the excluded files really exist (a typo would hide nothing)
        assert (copy / name).exists(), name
    code_digest.cache_clear()
    assert code_digest(copy) == before


def test_not_pixel_sources_are_not_imported_by_the_drawing_code() -> None:
    """What the key leaves out must not be something a scene, plan or the renderer reads: no
    drawing module imports the CLI, batch, gallery, lesson, watch or settings."""
    # stop_signals: how processes stop (render --jobs's forked copies die with their parent), never what they draw
    excluded = {n.removesuffix(".py").replace("/", ".") for n in NOT_PIXEL_SOURCES} - {
        "errors", "files", "suggest", "json_data", "rendering.viewer", "rendering.progress", "stop_signals"}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in NOT_PIXEL_SOURCES or relative.split("/", 1)[0] in NOT_PIXEL_SOURCES:
            continue
        text = path.read_text(encoding="utf-8")
        for module in excluded:
            assert f"calcanim.{module} import" not in text and f"import calcanim.{module}\n" not in text, (relative, module)


def test_the_manim_version_and_assets_are_in_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    clip = short_clip()
    before = clip.key()
    clip_key_module.manim_version.cache_clear()
    monkeypatch.setattr(clip_key_module.metadata, "version", lambda name: "0.99.0")
    assert clip.key() != before
    clip_key_module.manim_version.cache_clear()
    monkeypatch.undo()
    assert clip.key() == before
    clip_key_module.manim_version.cache_clear()


def test_a_user_themes_contents_are_in_the_key(tmp_path: Path) -> None:
    """Editing a colour of a theme file changes the key of a clip drawn with it (its name, the same)."""
    theme_file = tmp_path / "mine.toml"
    text = (assets_dir() / "themes" / "dark.toml").read_text(encoding="utf-8")
    theme_file.write_text(text, encoding="utf-8")
    theme = str(theme_file) if _accepts_toml_paths() else str(theme_file.with_suffix(""))
    first = short_clip(theme=theme).key()
    assert short_clip(theme=theme).key() == first
    changed = text.replace('background = "#111318"', 'background = "#123456"')
    assert changed != text
    theme_file.write_text(changed, encoding="utf-8")
    assert short_clip(theme=theme).key() != first


def _accepts_toml_paths() -> bool:
    try:
        RenderOptions(theme=str(assets_dir() / "themes" / "dark.toml"))
    except Exception:
        return False
    return True


# --- files beside the clip -------------------------------------------------------------------


@pytest.mark.render
def test_captions_of_an_earlier_render_are_removed_when_the_new_one_has_none(
    pristine: tuple[Clip, Path], tmp_path: Path
) -> None:
    output = copy_of(pristine, tmp_path / "out")
    assert output.with_suffix(".srt").is_file()
    other = resolve_clip("limit-climb", {**SHORT, "n_max": 1000, "marks": [1, 1000]},
                         RenderOptions(quality="low", captions=False))
    result = render(other, output, progress=False)
    assert result.captions == () and not output.with_suffix(".srt").exists() and not output.with_suffix(".vtt").exists()
    assert cached_result(output, other.key(), other.options) is not None


@pytest.mark.render
def test_captions_the_user_changed_are_left_alone(pristine: tuple[Clip, Path], tmp_path: Path) -> None:
    output = copy_of(pristine, tmp_path / "out")
    output.with_suffix(".srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nmy own words\n", encoding="utf-8")
    clip = short_clip(captions=False)
    render(clip, output, progress=False)
    assert "my own words" in output.with_suffix(".srt").read_text(encoding="utf-8")  # not ours any more: kept
    assert not output.with_suffix(".vtt").exists()  # untouched since we wrote it: removed
    assert set(read_stamp(output).files) == {"clip.mp4"}  # type: ignore[union-attr]


def test_a_sweep_removes_only_calcanims_own_temp_files(tmp_path: Path) -> None:
    users = [".notes.tmp", ".draft.partial", ".a.mp4.abc123.partial", ".manifest.json.x.tmp", "calcanim-x.tmp",
             ".calcanim-keep.txt", ".calcanim-folder.tmp"]
    for name in users[:-1]:
        (tmp_path / name).write_text("mine", encoding="utf-8")
    (tmp_path / users[-1]).mkdir()
    with pytest.raises(RuntimeError), atomic_target(tmp_path / "x.json", ".tmp") as temp:
        assert temp.name.startswith(TEMP_PREFIX)
        raise RuntimeError
    ours = []
    for suffix in (".tmp", ".partial"):
        with atomic_target(tmp_path / "y", suffix) as temp:
            leftover = temp.with_name(temp.name + "-copy" + suffix)
            shutil.copyfile(temp, leftover)  # as a killed run would leave it, an hour ago
            os.utime(leftover, (time.time() - STALE_TEMP_SECONDS - 60,) * 2)
            ours.append(leftover)
    sweep_temp_files(tmp_path)
    assert all(not p.exists() for p in ours)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*users, "y"])


def test_a_sweep_keeps_a_live_runs_fresh_temp_files_and_removes_old_or_orphaned_ones(tmp_path: Path) -> None:
    """Found by the hostile review: a batch's sweep removed another live batch's .partial file while
    it was being moved into place in the same folder."""
    other = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        live = tmp_path / f".calcanim-a.mp4.{temp_token(other.pid)}.partial"  # another batch, still running
        mine = temp_beside(tmp_path / "b.mp4")  # this process's own, being filled
        unnamed = tmp_path / ".calcanim-c.mp4.abcd1234.partial"  # no maker in its name (older calcanim)
        old = tmp_path / f".calcanim-d.mp4.{temp_token(other.pid)}.partial"
        old_unnamed = tmp_path / ".calcanim-e.mp4.wxyz9876.partial"
        for path in (live, unnamed, old, old_unnamed):
            path.write_bytes(b"half a clip")
        for path in (old, old_unnamed):
            os.utime(path, (time.time() - STALE_TEMP_SECONDS - 60,) * 2)
        assert temp_owner(live.name) == other.pid and temp_owner(mine.name) == os.getpid()
        assert temp_owner(unnamed.name) is None
        sweep_temp_files(tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (live, mine, unnamed))
    finally:
        other.communicate(b"")  # it ends and is reaped: its fresh file is now an orphan
    sweep_temp_files(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (mine, unnamed))


def test_a_batch_run_leaves_the_users_dot_files_alone(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    lesson = tmp_path / "cache.toml"
    lesson.write_text(LESSON, encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    mine = [folder / ".notes.tmp", folder / ".a.mp4.1234.partial", folder / ".index.html.tmp"]
    for path in mine:
        path.write_text("mine", encoding="utf-8")
    leftover = folder / f"{TEMP_PREFIX}manifest.json.abcd1234.tmp"
    leftover.write_text("{", encoding="utf-8")
    os.utime(leftover, (time.time() - STALE_TEMP_SECONDS - 60,) * 2)  # a killed run's, an hour ago
    for _ in range(2):  # a first run and a cached one
        run_lesson(lesson, output_dir=folder, job=fake_render, stream=io.StringIO(),
                   executor_factory=lambda workers: ThreadPoolExecutor(max_workers=workers))
        assert all(p.read_text(encoding="utf-8") == "mine" for p in mine)
    assert not leftover.exists()
    write_text_atomically(folder / "x.txt", "x")
    assert [p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)] == []


@pytest.mark.parametrize("args", [
    ["--set", "n_max=0"],  # refused before any work
    ["--set", "duration=1", "--format", "gif", "--transparent"],
    ["--set", "duration=1", "--format", "gif", "-o", "{out}/x.mp4"],  # -o and --format disagree
])
def test_a_render_that_exits_2_creates_no_folder(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "deep" / "er"
    command = [sys.executable, "-m", "calcanim", "render", "limit-climb", "-q", "low", *[a.format(out=out) for a in args]]
    if "-o" not in args:
        command += ["-o", str(out / "x.mp4")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("calcanim: error: ") and done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "deep").exists() and not (tmp_path / "renders").exists()


def test_a_render_failing_inside_manim_creates_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from calcanim.errors import RenderError
    from calcanim.rendering import manim_run

    def broken(work: Path, clip: Clip, progress: bool) -> Any:
        (work / "media").mkdir(parents=True)
        raise RenderError("rendering limit-climb failed: on purpose")

    monkeypatch.setattr("calcanim.rendering.render_in", broken)
    assert manim_run.render_in is not broken
    out = tmp_path / "new" / "folder" / "clip.mp4"
    with pytest.raises(RenderError):
        render(short_clip(), out, progress=False)
    assert not (tmp_path / "new").exists()


# --- a FIFO or a folder where a clip's files go (found by the hostile review) -------------------


@pytest.mark.render
def test_a_fifo_in_place_of_the_key_stamp_is_not_opened(pristine: tuple[Clip, Path], tmp_path: Path) -> None:
    """Before the fix the cache check opened the FIFO and blocked for ever (in a thread here, so a
    regression fails the test instead of hanging the suite)."""
    import os
    import threading

    clip, _ = pristine
    output = copy_of(pristine, tmp_path / "out")
    stamp_path(output).unlink()
    os.mkfifo(stamp_path(output))
    found: list[object] = []
    checker = threading.Thread(target=lambda: found.append(cached_result(output, clip.key(), clip.options)), daemon=True)
    checker.start()
    checker.join(120)
    if checker.is_alive():  # unblock the reader so the thread can end
        with open(stamp_path(output), "wb"):
            pass
        pytest.fail("reading the key stamp blocked on a FIFO")
    assert found == [None]


@pytest.mark.parametrize("victim", [".clip.mp4.key", "clip.png", "clip.srt", "clip.vtt"])
def test_a_folder_where_a_clip_file_goes_is_one_error_before_any_work(tmp_path: Path, victim: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def no_render(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("refused too late: the clip was rendered first")

    monkeypatch.setattr("calcanim.rendering.render_in", no_render)
    (tmp_path / victim).mkdir()
    with pytest.raises(RenderError, match=f"'{tmp_path / victim}' is a folder.*move the folder away"):
        render(short_clip(), tmp_path / "clip.mp4", progress=False, poster=tmp_path / "clip.png")
    assert [p.name for p in tmp_path.iterdir()] == [victim]
