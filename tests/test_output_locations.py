"""Where output goes: a path under a file, a read-only or full disk, and a corrupt TeX cache each
end in one line (exit 2) or are repaired, with nothing half-written (issue 14)."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from calcanim.batch import run_lesson
from calcanim.cli import main
from calcanim.errors import RenderError
from calcanim.files import prepare_output_folder, write_text_atomically
from calcanim.rendering import shared_tex_cache
from calcanim.svg_cache import tex_svg_looks_complete
from tests.test_batch import fake_job
from tests.test_cli import assert_one_line_error

LESSON = '[lesson]\ntitle = "t"\n[defaults]\nquality = "low"\n[[clip]]\nname = "a"\nscene = "limit-climb"\n'


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def failing(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


def test_an_output_folder_under_a_file_is_one_line_for_render_batch_and_watch(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    lesson = tmp_path / "l.toml"
    lesson.write_text(LESSON)
    config = tmp_path / "c.toml"
    config.write_text("n_max = 10\nmarks = [1, 10]\n")
    assert_one_line_error(invoke("render", "limit-climb", "-o", str(blocker / "x.mp4")), "a-file")
    assert_one_line_error(invoke("batch", str(lesson), "-o", str(blocker / "out")), "not a folder")
    assert_one_line_error(invoke("render", "limit-climb", "--watch", "--config", str(config),
                                 "-o", str(blocker / "x.mp4")), "a-file")
    assert blocker.read_text() == "not a folder"


def test_watch_ends_at_once_on_what_saving_the_config_cannot_fix(tmp_path: Path) -> None:
    """A subprocess with a timeout: a watch that went on would never return."""
    config = tmp_path / "c.toml"
    config.write_text("n_max = 10\n")
    cases = [["--set", "n_max=" + "9" * 5000], ["--set", "marks=" + "[" * 3000 + "]" * 3000],
             ["--theme", "../../etc/passwd"], ["--theme", str(tmp_path / "missing.toml")], ["-q", "huge"],
             ["--jobs", "0"], ["--jobs", "2", "--format", "png"], ["limit-clim"]]  # the last three: hostile review
    for extra in cases:
        scene = extra.pop() if extra == ["limit-clim"] else "limit-climb"
        done = subprocess.run([sys.executable, "-m", "calcanim", "render", scene, "--watch", "--config",
                               str(config), *extra], capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("calcanim: error: "), done.stderr
    assert not (tmp_path / "renders").exists()


@pytest.mark.parametrize("code, words", [(errno.EROFS, "read-only"), (errno.ENOSPC, "disk is full"),
                                         (errno.EACCES, "read-only")])
def test_a_folder_that_cannot_take_a_file_is_found_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", failing(code))
    with pytest.raises(RenderError, match=words):
        prepare_output_folder(tmp_path / "out")
    lesson = tmp_path / "l.toml"
    lesson.write_text(LESSON)
    assert_one_line_error(invoke("batch", str(lesson), "-o", str(tmp_path / "out")), words)
    assert_one_line_error(invoke("render", "limit-climb", "-o", str(tmp_path / "r" / "x.mp4")))


@pytest.mark.parametrize("where", ["create", "replace"])
def test_a_full_disk_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           where: str) -> None:
    target = tmp_path / "manifest.json"
    target.write_text("old")
    if where == "create":  # the hidden temporary file cannot even be made
        real_open = os.open
        monkeypatch.setattr(os, "open", lambda path, *args, **kwargs: failing(errno.ENOSPC)() if
                            Path(path).name.startswith(".calcanim-") else real_open(path, *args, **kwargs))
    else:
        monkeypatch.setattr(os, "replace", failing(errno.ENOSPC))
    with pytest.raises(RenderError, match="disk is full"):
        write_text_atomically(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]


def test_a_lesson_whose_manifest_cannot_be_rewritten_ends_in_one_error(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The second run only rewrites manifest.json and index.html; a full disk makes that a RenderError."""
    lesson = tmp_path / "l.toml"
    lesson.write_text(LESSON)
    folder = tmp_path / "out"
    threads = lambda workers: ThreadPoolExecutor(max_workers=workers)  # noqa: E731
    run_lesson(lesson, output_dir=folder, stream=io.StringIO(), job=fake_job, executor_factory=threads)
    before = (folder / "manifest.json").read_text()
    monkeypatch.setattr(os, "replace", failing(errno.ENOSPC))
    with pytest.raises(RenderError, match="manifest.json: the disk is full"):
        run_lesson(lesson, output_dir=folder, stream=io.StringIO(), job=fake_job, executor_factory=threads)
    assert (folder / "manifest.json").read_text() == before
    assert not [p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".partial"))]
    json.loads(before)


# --- the shared TeX cache -----------------------------------------------------------------------

GOOD_SVG = "<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'><g><path d='M0 0'/></g></svg>\n"


@pytest.mark.parametrize("text, complete", [
    (GOOD_SVG, True), ("", False), (GOOD_SVG[:40], False), (GOOD_SVG[:-8], False),
    ("\x00" * 100, False), ("garbage</svg>", False), ("<svg>" + "x" * 5000 + "</svg>\n\n", True),
])
def test_a_tex_svg_is_complete_only_with_its_start_and_closing_tag(tmp_path: Path, text: str, complete: bool) -> None:
    path = tmp_path / "f.svg"
    path.write_text(text)
    assert tex_svg_looks_complete(path) is complete


def test_the_shared_tex_cache_serves_good_svgs_and_replaces_corrupt_ones(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import manim.mobject.text.tex_mobject as tex_mobject
    from manim import config
    from manim.utils.tex_file_writing import tex_hash

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shared = tmp_path / "cache" / "calcanim" / "tex"
    shared.mkdir(parents=True)
    private = tmp_path / "work" / "tex"
    template = config["tex_template"]

    def name(formula: str) -> str:  # manim's file name for a formula: the hash of its TeX code
        return tex_hash(template.get_texcode_for_expression(formula)) + ".svg"

    (shared / name("good")).write_text(GOOD_SVG)
    (shared / name("truncated")).write_text(GOOD_SVG[:30])
    (shared / "unused.svg").write_text(GOOD_SVG)
    compiled: list[str] = []

    def compile_privately(expression: str, environment: str | None = None, tex_template: object = None) -> Path:
        compiled.append(expression)
        target = private / name(expression)
        target.write_text(GOOD_SVG)
        return target

    monkeypatch.setattr(tex_mobject, "tex_to_svg_file", compile_privately)
    with shared_tex_cache(private):
        assert tex_mobject.tex_to_svg_file("good") == shared / name("good")
        assert tex_mobject.tex_to_svg_file("truncated") == private / name("truncated")
        assert tex_mobject.tex_to_svg_file("new") == private / name("new")
        assert list(private.iterdir()) != [] and compiled == ["truncated", "new"]
    assert tex_mobject.tex_to_svg_file is compile_privately  # manim's own function is back
    assert sorted(p.name for p in shared.glob("*.svg")) == sorted([name("good"), name("truncated"), name("new"),
                                                                    "unused.svg"])
    assert all(tex_svg_looks_complete(svg) for svg in shared.glob("*.svg"))


@pytest.mark.render
def test_a_corrupt_tex_cache_is_rebuilt_by_the_next_render(tmp_path: Path) -> None:
    """Real renders: every cached formula truncated, the next render still succeeds and repairs them."""
    cache = tmp_path / "cache"
    shared = cache / "calcanim" / "tex"
    real = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "calcanim" / "tex"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "CALCANIM_SVG_CACHE": "0"}
    args = [sys.executable, "-m", "calcanim", "render", "limit-climb", "-q", "low", "--format", "png",
            "--set", "n_max=10", "--set", "marks=[1, 10]", "--set", "duration=1", "--force", "-o"]

    def render(name: str) -> None:
        done = subprocess.run([*args, str(tmp_path / name)], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / name).stat().st_size > 0

    if real.is_dir() and any(real.glob("*.svg")):  # a warm copy: one render is enough
        shutil.copytree(real, shared, ignore=shutil.ignore_patterns(".*"))
    else:
        render("first.png")
    svgs = sorted(shared.glob("*.svg"))
    assert svgs
    for svg in svgs:
        svg.write_bytes(svg.read_bytes()[: len(svg.read_bytes()) // 3])
    render("second.png")
    # the formulas the clip typesets are compiled again and replace their broken copies (a warm copy
    # may hold others the clip never asks for: those are left until a render needs them)
    repaired = [svg for svg in shared.glob("*.svg") if tex_svg_looks_complete(svg)]
    assert repaired
    render("third.png")  # served from the repaired cache
    assert (tmp_path / "second.png").read_bytes() == (tmp_path / "third.png").read_bytes()


# --- names the file system or the printed path cannot take (found by the hostile review) ---------


@pytest.mark.parametrize("name, words", [
    ("x" * 300 + ".mp4", "too long"),  # longer than NAME_MAX: a traceback from Path.is_dir before the fix
    ("x" * 240 + ".mp4", "too long"),  # fits, but its hidden temp file does not: failed after the render
    ("new\nline.mp4", "control character"),  # split the printed path and the key stamp's lines
    ("tab\tname.mp4", "control character"),
])
def test_an_output_name_that_cannot_work_is_one_line_before_any_work(tmp_path: Path, name: str, words: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def no_render(*args, **kwargs):
        raise AssertionError("the name should have been refused before rendering")

    monkeypatch.setattr("calcanim.rendering.render_in", no_render)
    result = invoke("render", "limit-climb", "-q", "low", "--set", "duration=1", "-o", str(tmp_path / name))
    assert_one_line_error(result, words)
    assert list(tmp_path.iterdir()) == []


def test_an_output_path_longer_than_the_system_allows_is_one_line(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["d" * 200] * 25) / "x.mp4"  # > PATH_MAX (4096)
    assert_one_line_error(invoke("render", "limit-climb", "-q", "low", "-o", str(deep)), "too long")
    assert list(tmp_path.iterdir()) == []


def test_a_fifo_in_the_tex_or_shape_cache_is_never_opened(tmp_path: Path) -> None:
    """Found by the hostile review: a FIFO in place of a cached formula or shape file blocked every
    render for ever. Checked in a thread, so a regression fails instead of hanging the suite."""
    import threading

    from calcanim.svg_cache import _load

    fifo = tmp_path / "formula.svg"
    os.mkfifo(fifo)
    answers: list[object] = []
    checker = threading.Thread(target=lambda: answers.extend([tex_svg_looks_complete(fifo), _load(fifo, "0" * 64)]),
                               daemon=True)
    checker.start()
    checker.join(120)
    if checker.is_alive():
        for _ in range(2):  # unblock the reader(s) so the thread can end
            with open(fifo, "wb"):
                pass
        pytest.fail("a cache lookup opened a FIFO and blocked")
    assert answers == [False, None]


def test_a_lesson_folder_with_a_line_break_is_refused_before_any_clip(tmp_path: Path) -> None:
    """Found by the hostile review: every clip failed one by one, after the folder and manifest were made."""
    lesson = tmp_path / "l.toml"
    lesson.write_text(LESSON)
    result = invoke("batch", str(lesson), "-o", str(tmp_path / "new\nline"))
    assert_one_line_error(result, "control character")
    assert list(tmp_path.iterdir()) == [lesson]
