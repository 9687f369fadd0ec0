"""``render --jobs N`` on Linux and other POSIX systems: the scene is built once and forked.

This process builds the scene and runs its construct once, *replaying* (:func:`.split._replay`: every
frame's interpolations and updaters, nothing drawn) the animations of every window but the last.
At the first animation of each of those windows it forks: the copy continues from that exact state,
draws and encodes the window's animations into its own folder (``part-K``) and ends the scene at the
first animation past it. This process draws the last window itself. So the construct and the replay
happen once, a window's process starts drawing the moment its window is reached, and there is no
second import of manim (the spawned workers of :func:`.split.render_window` pay ~1 s for that).

The replay is that of the spawned workers, so the frames are those of one process, bit for bit, and
this process, having replayed everything, writes the captions with the same times.

Safe forking: a fork happens between two animations, before this process has drawn anything, so no
encoder (and no encoder thread) exists yet; only from a process running one thread (see
:func:`fork_usable`). A copy ignores Ctrl-C (this process stops it), dies on SIGTERM and SIGHUP and
when this process dies (``PR_SET_PDEATHSIG``), compiles new formulas and text in its own folders (this
process compiles the same ones as it replays), reports in ``part-K/report.json`` and its exit status,
and leaves with ``os._exit``: nothing of this process's stack (temporary folders, output files) runs
in a copy. Whenever this process leaves with an error or a signal, the copies still running are
terminated and waited for before the working folder goes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import mmap
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from calcanim.clip import Clip
from calcanim.errors import CalcanimError, RenderError
from calcanim.rendering.progress import FrameProgress
from calcanim.rendering.split import STOP_GRACE_SECONDS, Window, _replay
from calcanim.stop_signals import STOP_SIGNALS, die_with_parent

#: A copy that could not report otherwise exits with this status.
CHILD_FAILED = 1


def fork_usable() -> bool:
    """Whether this process may fork a copy mid-render: a POSIX system but macOS (whose system libraries
    are not fork-safe; Python spawns there by default too), called from the main thread of a process
    running no other thread (a lock another thread held at the fork would stay held in the copy)."""
    return (hasattr(os, "fork") and sys.platform != "darwin"
            and threading.current_thread() is threading.main_thread() and threading.active_count() == 1)


@contextlib.contextmanager
def tqdm_monitor_off() -> Iterator[None]:
    """No tqdm monitor thread while the block runs. manim creates a tqdm bar for every animation (off,
    but created), and the first one starts tqdm's monitor thread, which wakes every 10 s and takes
    tqdm's lock: a fork at that moment would leave the lock taken in the copy, for good. The block
    stops a running monitor and starts none (the monitor only adjusts bars that are shown)."""
    from tqdm import tqdm  # type: ignore[import-untyped]

    interval = tqdm.monitor_interval
    tqdm.monitor_interval = 0
    if tqdm.monitor is not None:
        tqdm.monitor.exit()
        tqdm.monitor = None
    try:
        yield
    finally:
        tqdm.monitor_interval = interval


def render_forked_in(
    work: Path, clip: Clip, count: int, progress: FrameProgress | None = None,
    parts_out: list[dict[str, Any]] | None = None,
) -> tuple[list[Path], Path | None]:
    """Render ``clip`` in ``count`` windows (this process and forked copies of it) inside ``work``: the
    windows' movies in order (a window in which no animation starts has none) and the clip's .srt.

    ``progress(done, total)`` hears of the frames drawn by all of them; ``parts_out`` receives each
    window's record (bench/split.py's timings)."""
    from calcanim.rendering.manim_run import render_in

    frames = round(float(clip.plan().duration) * clip.options.layout.fps)
    conductor = _Conductor(clip, work, [Window(k, count, frames) for k in range(count)], progress)
    own = work / f"part-{count - 1}"
    with conductor.children_stopped_on_the_way_out():
        try:
            movie, subtitles, _ = render_in(own, clip, None, prepare=conductor.install)
        except BaseException as error:
            conductor.leave_if_copy(error=error)
            drew_nothing = isinstance(error, RenderError) and error.__cause__ is None and conductor.drawn == 0
            if isinstance(error, CopyFailed) or not drew_nothing:
                raise
            movie, subtitles = None, conductor.subtitles()  # no animation starts in the last window
        conductor.leave_if_copy(movie=movie, subtitles=subtitles)
        conductor.ended = time.time()
        parts = conductor.wait_for_copies()
    parts.append(conductor.record(movie, subtitles))
    if parts_out is not None:
        parts_out.extend(parts)
    return [Path(part["movie"]) for part in parts if part["movie"]], subtitles


class CopyFailed(RenderError):
    """A forked copy failed: its error, as one line."""


class _FrameBoard:
    """The frames each window's process has drawn so far, in memory shared with the forked copies."""

    def __init__(self, count: int) -> None:
        self._memory = mmap.mmap(-1, 8 * count)  # anonymous and shared: the copies write, this process reads
        self.frames = memoryview(self._memory).cast("q")

    def add(self, window: int, frames: int) -> None:
        self.frames[window] += frames

    def total(self) -> int:
        return sum(self.frames)


class _Conductor:
    """Installed on the scene's Cairo renderer (``render_in``'s ``prepare``): decides, at each
    animation, whether this process replays it, forks a copy to draw its window, or draws it."""

    def __init__(self, clip: Clip, work: Path, windows: list[Window], progress: FrameProgress | None) -> None:
        self.clip, self.work, self.windows, self.progress = clip, work, windows, progress
        self.last = len(windows) - 1
        self.window = self.last  # the window this process draws (a copy: its own)
        self.board = _FrameBoard(len(windows))
        self.parent = os.getpid()
        self.is_copy = False
        self.copies: dict[int, int] = {}  # window -> pid of the copy drawing it
        self.statuses: dict[int, int] = {}  # window -> wait status, once the copy has ended
        self.replayed = self.drawn = 0
        self.began = time.time()
        self.first_frame: float | None = None
        self.ended: float | None = None
        self.writer: Any = None

    # -- in the scene ------------------------------------------------------------------------------

    def install(self, scene: Any) -> None:
        from manim.utils.exceptions import EndSceneEarlyException

        renderer = scene.renderer
        self.writer = renderer.file_writer
        render_play, add_frame = renderer.play, renderer.add_frame
        fps = renderer.camera.frame_rate

        def play(scene: Any, *args: Any, **kwargs: Any) -> None:
            start = round(renderer.time * fps)
            if not self.is_copy:
                self.check_copies()
                window = self.window_of(start)
                if window < self.last and window not in self.copies:
                    self.fork(window)  # returns twice: here, and in the copy that draws the window
            elif self.windows[self.window].is_past(start):
                raise EndSceneEarlyException()
            if self.is_copy or self.window_of(start) == self.last:
                if self.first_frame is None:
                    self.first_frame = time.time()
                self.drawn += 1
                render_play(scene, *args, **kwargs)
            else:
                self.replayed += 1
                _replay(renderer, scene, args, kwargs, on_frame=self.show_progress)

        def counted(frame: Any, num_frames: int = 1) -> None:
            add_frame(frame, num_frames)
            self.board.add(self.window, num_frames)
            self.show_progress()

        renderer.play = play
        renderer.add_frame = counted

    def window_of(self, start_frame: int) -> int:
        return next(w.index for w in self.windows if w.owns(start_frame))

    def show_progress(self) -> None:
        if self.progress is not None and not self.is_copy:
            total = self.windows[0].frames
            self.progress(min(self.board.total(), total), total)

    def subtitles(self) -> Path | None:
        """The .srt this process's scene wrote, if any (also when it drew no animation)."""
        path = getattr(getattr(self.writer, "output_plan", None), "subcaption_file", None)
        return path if path is not None and path.is_file() and path.stat().st_size > 0 else None

    # -- forking -----------------------------------------------------------------------------------

    def fork(self, window: int) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid:
            self.copies[window] = pid
            return
        try:
            self.become_copy(window)
        except BaseException as error:  # noqa: BLE001 - whatever it is, the copy reports it and exits
            self.leave_if_copy(error=error)

    def become_copy(self, window: int) -> None:
        """In the forked copy: signals, death with the parent, its own folders."""
        from manim import config

        self.is_copy = True
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        die_with_parent(self.parent)
        self.window, self.copies, self.statuses = window, {}, {}
        self.began, self.drawn, self.first_frame = time.time(), 0, None
        folder = self.work / f"part-{window}"
        _move_outputs(self.writer, self.work / f"part-{self.last}", folder)
        _formulas_compiled_apart(Path(config.get_dir("tex_dir")), folder / "tex")
        config.text_dir = str(folder / "texts")  # Pango's text files too

    def leave_if_copy(self, *, error: BaseException | None = None, movie: Path | None = None,
                      subtitles: Path | None = None) -> None:
        """In a forked copy: write its report and exit (never returns). In this process: nothing."""
        if not self.is_copy:
            return
        status = 0
        try:
            record = self.record(movie, subtitles)
            if error is not None:
                status = CHILD_FAILED
                record["error"] = (str(error) if isinstance(error, CalcanimError)
                                   else f"rendering {self.clip.scene} failed: {type(error).__name__}: {error}")
            (self.work / f"part-{self.window}" / "report.json").write_text(json.dumps(record), encoding="utf-8")
        except BaseException:  # noqa: BLE001 - the exit status still tells the parent
            status = CHILD_FAILED
        finally:
            with contextlib.suppress(BaseException):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(status)

    def record(self, movie: Path | None, subtitles: Path | None) -> dict[str, Any]:
        return {"window": self.window, "movie": str(movie) if movie else None,
                "subtitles": str(subtitles) if subtitles else None, "animations": self.drawn,
                "replayed": self.replayed, "began": self.began, "first_frame": self.first_frame,
                "ended": self.ended if self.ended is not None else time.time()}

    # -- the copies, from this process -------------------------------------------------------------

    def check_copies(self) -> None:
        """Raise RenderError if a copy has failed (checked at each animation, so a failure stops the render early)."""
        for window, pid in self.copies.items():
            if window not in self.statuses:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    self.statuses[window] = status
                    self.raise_if_failed(window)

    def wait_for_copies(self) -> list[dict[str, Any]]:
        """Wait for every copy (showing progress meanwhile); their records in window order."""
        while len(self.statuses) < len(self.copies):
            self.check_copies()
            self.show_progress()
            if len(self.statuses) < len(self.copies):
                time.sleep(0.05)
        return [self.report_of(window) for window in sorted(self.copies)]

    def report_of(self, window: int) -> dict[str, Any]:
        report = self.work / f"part-{window}" / "report.json"
        try:
            record: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return record

    def raise_if_failed(self, window: int) -> None:
        status = self.statuses[window]
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and self.report_of(window).get("movie"):
            return
        error = self.report_of(window).get("error")
        if error:
            raise CopyFailed(str(error))
        span = self.windows[window]
        what = (f"was killed by {signal.Signals(os.WTERMSIG(status)).name}" if os.WIFSIGNALED(status)
                else f"ended with status {os.waitstatus_to_exitcode(status)} and no movie")
        raise CopyFailed(f"rendering {self.clip.scene} failed: the process drawing its frames from {span.first} {what}")

    @contextlib.contextmanager
    def children_stopped_on_the_way_out(self) -> Iterator[None]:
        """On any way out of this process but success (an error, Ctrl-C, SIGTERM), terminate the copies
        still running and wait for them, so none outlives the render or writes into a removed folder."""
        try:
            yield
        except BaseException:
            if os.getpid() == self.parent:
                self.stop_copies()
            raise

    def stop_copies(self) -> None:
        running = {window: pid for window, pid in self.copies.items() if window not in self.statuses}
        for pid in running.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for window, pid in running.items():
            while True:
                with contextlib.suppress(ChildProcessError):
                    done, status = os.waitpid(pid, os.WNOHANG)
                    if not done and time.monotonic() < deadline:
                        time.sleep(0.02)
                        continue
                    if not done:
                        os.kill(pid, signal.SIGKILL)
                        _, status = os.waitpid(pid, 0)
                    self.statuses[window] = status
                break


def _move_outputs(writer: Any, old: Path, new: Path) -> None:
    """Point manim's file writer (its segments, movie, captions...) from folder ``old`` to ``new``."""
    plan = writer.output_plan

    def moved(value: Any) -> Any:
        return new / value.relative_to(old) if isinstance(value, Path) and value.is_relative_to(old) else value

    changes = {field.name: moved(getattr(plan, field.name)) for field in dataclasses.fields(plan)}
    if changes["primary_artifact"] == plan.primary_artifact:
        raise RenderError(f"manim's movie path {plan.primary_artifact} is not inside {old}")
    writer.output_plan = dataclasses.replace(plan, **changes)
    writer.settings = dataclasses.replace(writer.settings, plan=writer.output_plan)


def _formulas_compiled_apart(parent_folder: Path, own_folder: Path) -> None:
    """In a forked copy: compile formulas new to this render in ``own_folder``, not in the parent's
    folder, where the parent compiles the same ones as it replays (two LaTeX runs writing the same
    files, or one reading the other's half-written SVG); use the parent's when it has finished one.

    manim 0.22's ``tex_to_svg_file`` with the parent's SVGs looked up first (the file name is
    manim's hash of the formula's TeX code, as in ``generate_tex_file``)."""
    import manim.mobject.text.tex_mobject as tex_mobject
    from manim import config
    from manim.utils.tex_file_writing import tex_hash

    from calcanim.svg_cache import tex_svg_looks_complete

    compile_svg = tex_mobject.tex_to_svg_file
    own_folder.mkdir(parents=True, exist_ok=True)
    config.tex_dir = str(own_folder)

    def tex_to_svg_file(expression: str, environment: str | None = None, tex_template: Any = None) -> Path:
        template = tex_template if tex_template is not None else config["tex_template"]
        code = (template.get_texcode_for_expression_in_env(expression, environment) if environment is not None
                else template.get_texcode_for_expression(expression))
        compiled = parent_folder / f"{tex_hash(code)}.svg"
        if tex_svg_looks_complete(compiled):
            return compiled
        return Path(compile_svg(expression, environment, tex_template))

    tex_mobject.tex_to_svg_file = tex_to_svg_file
