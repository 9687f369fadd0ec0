"""``render --jobs N`` on Linux and other POSIX systems: the scene is built once and forked.

This process builds the scene and runs its construct once. At the clip's first animation it forks a
copy, which continues from that exact state and draws and encodes the animations from there into its
own folder (``part-K``), while this process *replays* them (:func:`.split._replay`: every frame's
interpolations and updaters, nothing drawn), so it is soon ahead. When the copy has enough to do
(:class:`_Conductor` says when), this process ends the copy's share at the animation it has reached
and forks the next copy there; once N - 1 copies have their share, it draws the rest itself. So the
construct and the replay happen once, a copy starts drawing the moment its share is reached, and
there is no second import of manim (a spawned worker, :func:`.split.render_window`, pays ~1 s for it).

The replay is that of the spawned workers, so the frames are those of one process, bit for bit, and
this process, having replayed everything, writes the captions with the same times.

Safe forking: a fork happens between two animations, before this process has drawn anything, so no
encoder (and no encoder thread) exists yet; and only from a process running one thread (see
:func:`fork_usable` and :func:`tqdm_monitor_off`). A copy ignores Ctrl-C (this process stops it),
dies on SIGTERM and SIGHUP and when this process dies (``PR_SET_PDEATHSIG``), compiles formulas and
text new to it in its own folders (this process compiles the same ones as it replays), reports in
``part-K/report.json`` and its exit status, and leaves with ``os._exit``: nothing of this process's
stack (temporary folders, output files) runs in a copy. Whenever this process leaves with an error or
a signal, the copies still running are terminated and waited for before the working folder goes.
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
from calcanim.rendering.split import STOP_GRACE_SECONDS, DrawnOrReplayed
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
    """Render ``clip`` by up to ``count`` processes (this one and forked copies) inside ``work``: their
    movies in the clip's order, and the clip's .srt.

    ``progress(done, total)`` hears of the frames drawn by all of them; ``parts_out`` receives each
    process's record (bench/split.py's timings)."""
    from calcanim.rendering.manim_run import render_in

    frames = round(float(clip.plan().duration) * clip.options.layout.fps)
    work.mkdir(parents=True, exist_ok=True)
    conductor = _Conductor(clip, work, count, frames, progress)
    with conductor.copies_stopped_on_the_way_out():
        try:
            movie, subtitles, _ = render_in(work / "part-last", clip, None, prepare=conductor.install)
        except BaseException as error:
            conductor.leave_if_copy(error=error)
            drew_nothing = isinstance(error, RenderError) and error.__cause__ is None and conductor.drawn == 0
            if isinstance(error, CopyFailed) or not drew_nothing:
                raise
            movie, subtitles = None, conductor.subtitles()  # the last copy drew the clip's end
        conductor.leave_if_copy(movie=movie, subtitles=subtitles)
        conductor.ended = time.time()
        parts = conductor.wait_for_copies()
    parts.append(conductor.record(movie, subtitles))
    if parts_out is not None:
        parts_out.extend(parts)
    return [Path(part["movie"]) for part in parts if part["movie"]], subtitles


class CopyFailed(RenderError):
    """A forked copy failed: its error, as one line."""


#: A copy's stop before it is handed one: past any clip's last animation.
NO_STOP = 2**62


class _Board:
    """What the processes of one split render tell each other, in memory shared across fork. Slot k
    is the k-th copy (the last slot this process): ``drawn[k]`` frames drawn so far, and for a copy
    ``at[k]``, the number of the animation it draws (manim's ``num_plays``), and ``stop[k]``, the
    first animation that is no longer its share (animations, not frames: several can start on one
    frame)."""

    def __init__(self, count: int) -> None:
        self._memory = mmap.mmap(-1, 8 * 3 * count)  # anonymous and shared: every process sees the writes
        slots = memoryview(self._memory).cast("q")
        self.drawn, self.at, self.stop = slots[:count], slots[count:2 * count], slots[2 * count:]

    def total(self) -> int:
        return sum(self.drawn)


class _HandOver:
    """The lock under which a copy takes its next animation and this process ends a copy's share, so
    that every animation is drawn exactly once: ``flock`` on a file of the working folder (released
    by the kernel if its holder dies). Each process must open the file itself (:meth:`reopen`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)

    def reopen(self) -> None:
        os.close(self.fd)  # shared with the parent since the fork: its lock would be the parent's
        self.fd = os.open(self.path, os.O_RDWR)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        import fcntl

        fcntl.flock(self.fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)


class _Conductor(DrawnOrReplayed):
    """Installed on the scene's Cairo renderer (``render_in``'s ``prepare``). At each animation, this
    process either replays it, or hands the clip from there on to a new copy (the first animation
    goes to copy 0), or, once every copy has its share, draws it itself; a copy draws its animations
    until its share ends.

    When to hand over: copy k has drawn up to frame ``c`` and this process replays at frame ``j``;
    the copy's backlog ``j - c`` is balanced against an even share of what is left among the
    drawers still to come, ``(frames - j) / M``. Both are counted in frames, and the copy's real
    pace (its frames drawn per frame replayed) says how the balance moves if this process replays
    one more animation before handing over; it hands over at the animation boundary nearer balance.
    """

    def __init__(self, clip: Clip, work: Path, count: int, frames: int, progress: FrameProgress | None) -> None:
        self.clip, self.work, self.count, self.frames, self.progress = clip, work, count, frames, progress
        self.slot = count - 1  # this process's slot on the board (a copy: its own)
        self.board = _Board(count)
        self.hand_over = _HandOver(work / "hand-over.lock")
        self.parent = os.getpid()
        self.is_copy = False
        self.drawing = count == 1  # whether this process draws (a copy: always)
        self.copies: list[int] = []  # pid of each copy, in the clip's order
        self.starts: list[int] = []  # the frame at which each copy's share begins
        self.statuses: dict[int, int] = {}  # copy -> wait status, once it has ended
        super().__init__()
        self.began = time.time()
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
            start, number = round(renderer.time * fps), renderer.num_plays
            if self.is_copy:
                if not self.takes(number):
                    raise EndSceneEarlyException()
            else:
                self.check_copies()
                if not self.drawing:  # a fork returns twice: here, and in the copy
                    self.hand_over_at(start, number, _planned_frames(args, kwargs, fps))
            self.play(self.drawing, render_play, renderer, scene, args, kwargs, on_frame=self.show_progress)

        def counted(frame: Any, num_frames: int = 1) -> None:
            add_frame(frame, num_frames)
            self.board.drawn[self.slot] += num_frames
            self.show_progress()

        renderer.play = play
        renderer.add_frame = counted

    def takes(self, number: int) -> bool:
        """In a copy, at animation ``number``: whether it is still the copy's."""
        with self.hand_over.held():
            self.board.at[self.slot] = number
            return number < self.board.stop[self.slot]

    def hand_over_at(self, start: int, number: int, length: float) -> None:
        """In this process, at animation ``number``, starting at frame ``start`` and ``length`` frames
        long: end the drawing copy's share here and fork the next copy (or draw from here on), if it is time."""
        if self.copies:
            k = len(self.copies) - 1
            drawn = self.starts[k] + self.board.drawn[k]
            if not self.time_to_hand_over(start, drawn, length, self.starts[k]):
                return
            with self.hand_over.held():
                if self.board.at[k] >= number:
                    return  # the copy has already started this animation: it keeps the clip for now
                self.board.stop[k] = number
        if len(self.copies) < self.count - 1:
            self.fork(start, number)
        else:
            self.drawing = True

    def time_to_hand_over(self, start: int, drawn: int, length: float, began: int) -> bool:
        drawers = self.count - len(self.copies)  # the next copy and all after it, this process included
        surplus = (start - drawn) - (self.frames - start) / drawers  # < 0: the copy would finish early
        if surplus >= 0:
            return True
        pace = (drawn - began) / (start - began) if start > began else 0.5  # frames drawn per frame replayed
        later = (start + length - drawn - pace * length) - (self.frames - start - length) / drawers
        return later > -surplus  # handing over one animation later would be further from balance

    def show_progress(self) -> None:
        if self.progress is not None and not self.is_copy:
            self.progress(min(self.board.total(), self.frames), self.frames)

    def subtitles(self) -> Path | None:
        """The .srt this process's scene wrote, if any (also when it drew no animation)."""
        path = getattr(getattr(self.writer, "output_plan", None), "subcaption_file", None)
        return path if path is not None and path.is_file() and path.stat().st_size > 0 else None

    # -- forking -----------------------------------------------------------------------------------

    def fork(self, start: int, number: int) -> None:
        slot = len(self.copies)
        self.board.at[slot], self.board.stop[slot] = number, NO_STOP
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid:
            self.copies.append(pid)
            self.starts.append(start)
            return
        try:
            self.become_copy(slot)
        except BaseException as error:  # noqa: BLE001 - whatever it is, the copy reports it and exits
            self.leave_if_copy(error=error)

    def become_copy(self, slot: int) -> None:
        """In the forked copy: signals, death with the parent, its own folders."""
        from manim import config

        self.is_copy = self.drawing = True
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        die_with_parent(self.parent)
        self.hand_over.reopen()
        self.slot, self.copies, self.starts, self.statuses = slot, [], [], {}
        self.began, self.drawn, self.first_frame = time.time(), 0, None
        folder = self.work / f"part-{slot}"
        _move_outputs(self.writer, self.work / "part-last", folder)
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
            (self.work / f"part-{self.slot}" / "report.json").write_text(json.dumps(record), encoding="utf-8")
        except BaseException:  # noqa: BLE001 - the exit status still tells the parent
            status = CHILD_FAILED
        finally:
            with contextlib.suppress(BaseException):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(status)

    def record(self, movie: Path | None, subtitles: Path | None) -> dict[str, Any]:
        return {"process": self.slot if self.is_copy else len(self.copies), "movie": str(movie) if movie else None,
                "subtitles": str(subtitles) if subtitles else None, "animations": self.drawn,
                "frames": int(self.board.drawn[self.slot]), "replayed": self.replayed, "began": self.began,
                "first_frame": self.first_frame, "ended": self.ended if self.ended is not None else time.time(),
                "cpu": time.process_time()}

    # -- the copies, from this process -------------------------------------------------------------

    def check_copies(self) -> None:
        """Raise CopyFailed if a copy has failed (checked at each animation, so a failure stops the render early)."""
        for slot, pid in enumerate(self.copies):
            if slot not in self.statuses:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    self.statuses[slot] = status
                    self.raise_if_failed(slot)

    def wait_for_copies(self) -> list[dict[str, Any]]:
        """Wait for every copy (showing progress meanwhile); their records in the clip's order."""
        while len(self.statuses) < len(self.copies):
            self.check_copies()
            self.show_progress()
            if len(self.statuses) < len(self.copies):
                time.sleep(0.05)
        return [self.report_of(slot) for slot in range(len(self.copies))]

    def report_of(self, slot: int) -> dict[str, Any]:
        report = self.work / f"part-{slot}" / "report.json"
        try:
            record: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return record

    def raise_if_failed(self, slot: int) -> None:
        status = self.statuses[slot]
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and self.report_of(slot).get("movie"):
            return
        error = self.report_of(slot).get("error")
        if error:
            raise CopyFailed(str(error))
        what = (f"was killed by {signal.Signals(os.WTERMSIG(status)).name}" if os.WIFSIGNALED(status)
                else f"ended with status {os.waitstatus_to_exitcode(status)} and no movie")
        raise CopyFailed(f"rendering {self.clip.scene} failed: the process drawing its frames from "
                         f"{self.starts[slot]} {what}")

    @contextlib.contextmanager
    def copies_stopped_on_the_way_out(self) -> Iterator[None]:
        """On any way out of this process but success (an error, Ctrl-C, SIGTERM), terminate the copies
        still running and wait for them, so none outlives the render or writes into a removed folder."""
        try:
            yield
        except BaseException:
            if os.getpid() == self.parent:
                self.stop_copies()
            raise
        finally:
            if os.getpid() == self.parent:
                os.close(self.hand_over.fd)

    def stop_copies(self) -> None:
        running = {slot: pid for slot, pid in enumerate(self.copies) if slot not in self.statuses}
        for pid in running.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for slot, pid in running.items():
            done, status = os.waitpid(pid, os.WNOHANG)
            while not done and time.monotonic() < deadline:
                time.sleep(0.02)
                done, status = os.waitpid(pid, os.WNOHANG)
            if not done:
                os.kill(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
            self.statuses[slot] = status


def _planned_frames(args: tuple[Any, ...], kwargs: dict[str, Any], fps: float) -> float:
    """How many frames a ``play`` call will run, before manim compiles it: its ``run_time``, or its
    animations' longest (a ``wait`` is a Wait animation), else manim's default of 1 s."""
    run_time = kwargs.get("run_time")
    if not isinstance(run_time, (int, float)):
        times = [getattr(arg, "run_time", None) for arg in args]
        run_time = max((t for t in times if isinstance(t, (int, float))), default=1.0)
    return float(run_time) * fps


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
    files, or one reading the other's half-written SVG); use the parent's when it has finished one."""
    import manim.mobject.text.tex_mobject as tex_mobject
    from manim import config

    from calcanim.rendering.manim_run import svg_looked_up_first

    own_folder.mkdir(parents=True, exist_ok=True)
    config.tex_dir = str(own_folder)
    tex_mobject.tex_to_svg_file = svg_looked_up_first(parent_folder, tex_mobject.tex_to_svg_file)
