"""The batch runner: a lesson file -> one :class:`Job` per clip -> an executor -> renders/<lesson>/
with manifest.json and index.html.

A job is a resolved :class:`~calcanim.clip.Clip` (checked and planned once, when the lesson was
loaded) with its folder; it pickles, and a plain module-level function (:func:`render_job`) runs it,
so the runner only needs a ``concurrent.futures.Executor``: a process pool here, and a distributed
engine's executor later for lessons too large for one machine.

Cached clips are settled in this process before any worker starts, without importing manim or
PyAV, so a fully cached lesson finishes in well under a second.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Generator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from calcanim.batch.long_clips import (
    SplitClip, WindowJob, cut_long_clips, render_window_job, windows_note, workers_with_cores,
)
from calcanim.batch.manifest import (
    MANIFEST_NAME,
    ManifestState,
    clip_record,
    read_manifest,
    write_json_atomically,
)
from calcanim.batch.outcome import ClipOutcome, LessonSummary
from calcanim.batch.progress import Progress
from calcanim.clip import DEFAULT_RENDERS_DIR, Clip, RenderOptions
from calcanim.errors import CalcanimError, ParamError
from calcanim.files import prepare_output_folder, sweep_temp_files
from calcanim.gallery import write_gallery
from calcanim.lesson import load_lesson
from calcanim.rendering.outputs import cached_result
from calcanim.stop_signals import (
    CLEANUP_SECONDS,
    Terminated,
    die_with_parent,
    exit_after,
    ignore_further_stops,
    signals_held,
)

GALLERY_NAME = "index.html"


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to render one clip: picklable, no open handles."""

    clip: Clip
    folder: str
    force: bool = False

    @property
    def name(self) -> str:
        return self.clip.name

    @property
    def output(self) -> Path:
        return self.clip.output_in(Path(self.folder))

    @property
    def poster(self) -> Path | None:
        return self.clip.poster_in(Path(self.folder))


def render_job(job: Job) -> dict[str, Any]:
    """Render one clip into place (the renderer works in a private temp folder and moves finished
    files in atomically) and return its manifest record, with the plan's numbers."""
    from calcanim.rendering import render

    started = time.monotonic()
    result = render(job.clip, job.output, progress=False, force=job.force, poster=job.poster)
    record = clip_record(job.clip, Path(job.folder), result.key)
    return {"record": record, "cached": result.cached, "seconds": time.monotonic() - started}


ExecutorFactory = Callable[[int], Executor]
JobFunction = Callable[[Job], Mapping[str, Any]]


def process_pool(max_workers: int) -> Executor:
    """The default executor: worker processes started fresh (spawn), so a job must be picklable
    exactly as it would be for a remote worker."""
    return ProcessPoolExecutor(
        max_workers=max_workers, mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_setup, initargs=(os.getpid(),),
    )


def _worker_setup(parent: int) -> None:
    """Workers leave Ctrl-C to the runner (which lets them finish or stops them), turn a terminate
    into SystemExit so temp folders and half-moved files are cleaned up on the way out, and get
    that terminate when the runner's process dies (even by SIGKILL), so none is left idle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the terminal closing reaches the runner, which stops us
    die_with_parent(parent)


def _exit_on_term(signum: int, frame: Any) -> None:
    ignore_further_stops()  # the group's SIGTERM, then the runner's, then PDEATHSIG's must not cut the cleanup short
    exit_after(CLEANUP_SECONDS, 128 + signum)
    raise SystemExit(128 + signum)


def run_lesson(
    lesson: Path | str,
    *,
    jobs: int | None = None,
    only: Sequence[str] = (),
    force: bool = False,
    quality: str | None = None,
    output_dir: Path | None = None,
    stream: TextIO | None = None,
    executor_factory: ExecutorFactory = process_pool,
    job: JobFunction = render_job,
    split: bool | None = None,
) -> LessonSummary:
    """Validate the whole lesson file (every clip resolved and planned) before anything is written,
    render what is not cached in parallel, and write manifest.json and index.html listing every
    clip with files, each marked current or stale, and the clips without.

    Failed clips are reported in the summary (the rest still finish); Ctrl-C lets the clips in
    progress finish (twice, or SIGTERM/SIGHUP: stops them), writes the manifest of what is there
    and re-raises. The manifest is written before the workers start and after each clip, so even
    a killed run leaves one that is true. A clip much longer than the rest is cut into windows
    rendered side by side (:mod:`.long_clips`): ``split=None`` (the default) only where there are cores
    to spare for the windows (:func:`~calcanim.batch.long_clips.workers_with_cores`; on a Dask cluster
    every worker counts), ``True`` whenever the rule says it pays on ``jobs`` workers, ``False`` never.
    """
    started = time.monotonic()
    out = stream if stream is not None else sys.stderr
    spec = load_lesson(lesson)
    selected = spec.select(only)
    if quality is not None:
        try:
            RenderOptions(quality=quality)
        except CalcanimError as error:
            raise ParamError(f"-q/--quality: {error}", field="quality") from None
        selected = tuple(clip.with_options(quality=quality) for clip in selected)
    folder = Path(output_dir) if output_dir is not None else DEFAULT_RENDERS_DIR / spec.name
    prepare_output_folder(folder, "the lesson's output folder")
    sweep_temp_files(folder)

    summary = LessonSummary(spec, folder, folder / MANIFEST_NAME, folder / GALLERY_NAME)
    state = ManifestState(spec, selected, folder, read_manifest(folder))
    pending: list[Job] = []
    progress = Progress(out, total=len(selected))
    for clip in selected:
        key = clip.key()
        if not force and cached_result(clip.output_in(folder), key, clip.options, clip.poster_in(folder)) is not None:
            try:
                state.settled(clip.name, state.cached_record(clip, key))
            except CalcanimError:  # the file cannot be read after all: render it again
                pending.append(Job(clip, str(folder), force))
                continue
            outcome = ClipOutcome(clip.name, "cached")
            summary.outcomes.append(outcome)
            progress.clip_done(outcome)
        else:
            pending.append(Job(clip, str(folder), force))

    def write_manifest() -> None:
        with signals_held():
            manifest = state.manifest()
            write_json_atomically(summary.manifest, manifest)
            write_gallery(summary.gallery, manifest)

    running: set[str] = set()
    try:
        if pending:
            state.rendering(job.name for job in pending)
            write_manifest()  # clips about to be rendered again are marked so, in case this run is killed
            pending.sort(key=expected_cost, reverse=True)  # longest first: no worker left alone at the end
            workers = max(1, jobs or os.cpu_count() or 1)
            with contextlib.ExitStack() as scratch:
                tasks: list[Job | WindowJob] = list(pending)
                cut: dict[str, SplitClip] = {}
                model = workers if split or executor_factory is not process_pool else workers_with_cores(workers)
                if split is not False and job is render_job and model > 1:  # long clips become windows (default renderer)
                    tasks, cut = cut_long_clips(pending, model, expected_cost, _folder_maker(scratch))
                workers = min(workers, len(tasks))
                progress.start_rendering(len(pending), workers)
                if cut:
                    progress.note(windows_note(cut))
                with contextlib.closing(_run_jobs(tasks, workers, executor_factory, job, progress, running, cut)) as results:
                    for outcome, record in results:
                        summary.outcomes.append(outcome)
                        if record is not None:
                            state.settled(outcome.name, record)
                        else:
                            state.cut_off(outcome.name, outcome.status, outcome.error)
                        write_manifest()
    except KeyboardInterrupt as stop:
        summary.interrupted = True
        reason = f"stopped by {stop.args[0]}" if isinstance(stop, Terminated) else "stopped by Ctrl-C"
        done = {outcome.name for outcome in summary.outcomes}
        for pending_job in pending:
            if pending_job.name not in done:
                status = "interrupted" if pending_job.name in running else "skipped"
                summary.outcomes.append(ClipOutcome(pending_job.name, status, 0.0, reason))
                state.cut_off(pending_job.name, status, reason)
        raise
    finally:
        with signals_held():
            order = {clip.name: index for index, clip in enumerate(spec.clips)}
            summary.outcomes.sort(key=lambda outcome: order[outcome.name])
            sweep_temp_files(folder)
            state.recheck()  # a clip cut off mid-move may have changed files: look again
            write_manifest()
            summary.seconds = time.monotonic() - started
            progress.finish(summary)
    return summary


def _folder_maker(scratch: contextlib.ExitStack) -> Callable[[Job], Path]:
    """A fresh folder for each cut clip's segments (numbered: a name is not a path), all in one temporary
    folder that ``scratch`` removes, made only when a clip is cut.

    A SIGKILLed batch cannot remove it: that one leftover (in the system temp folder) is the price of a
    cut clip; a batch that cuts nothing makes no folder."""
    made: list[Path] = []
    parent: list[Path] = []

    def folder(job: Job) -> Path:
        if not parent:
            parent.append(Path(scratch.enter_context(tempfile.TemporaryDirectory(prefix="calcanim-windows-"))))
        made.append(parent[0] / f"clip-{len(made)}")
        made[-1].mkdir()
        return made[-1]

    return folder


def expected_cost(job: Job) -> float:
    """A rough size of a job: its frames times the scene's per-frame cost (the plan is already there)."""
    clip = job.clip
    return clip.entry.frame_cost * float(clip.plan().duration) * clip.options.layout.fps


def _run_jobs(
    pending: Sequence[Job | WindowJob], workers: int, executor_factory: ExecutorFactory, job: JobFunction,
    progress: Progress, running: set[str], cut: Mapping[str, SplitClip] | None = None,
) -> Generator[tuple[ClipOutcome, dict[str, Any] | None], None, None]:
    """Yield (outcome, record) per clip as they finish; ``running`` holds the names in flight.

    A task is a whole clip's :class:`Job` or one window of a long clip (``cut`` holds those clips,
    :mod:`.long_clips`); a cut clip is finished here when its last window is in, and fails with the
    first window that fails.

    At most ``workers`` tasks are in flight, so when a worker process dies we know which were
    running: those are retried one at a time in a fresh pool, which finds the task that crashes it
    (its clip reported as failed) while the innocent ones still finish.
    """
    cut_clips = dict(cut or {})
    queue: deque[Job | WindowJob] = deque(pending)
    suspects: deque[Job | WindowJob] = deque()
    dropped: list[Job | WindowJob] = []
    in_flight: dict[Future[Any], tuple[Job | WindowJob, float, bool]] = {}
    reported: set[str] = set()
    executor = executor_factory(workers)
    stopping = False

    def submit(task: Job | WindowJob, alone: bool) -> None:
        future: Future[Any]
        if isinstance(task, WindowJob):
            whole = cut_clips[task.name]
            whole.started = whole.started if whole.started is not None else time.monotonic()
            future = executor.submit(render_window_job, task)
        else:
            future = executor.submit(job, task)
        in_flight[future] = (task, time.monotonic(), alone)
        running.add(task.name)

    def failed(task: Job | WindowJob, seconds: float, error: str) -> ClipOutcome | None:
        """The clip of a failed task, reported once (a cut clip's other windows are dropped)."""
        if task.name in reported:
            return None
        reported.add(task.name)
        running.discard(task.name)
        if isinstance(task, WindowJob):
            for future, (other, _, _) in in_flight.items():
                if other.name == task.name:
                    future.cancel()
            for waiting in (queue, suspects):
                kept = [t for t in waiting if t.name != task.name]
                waiting.clear()
                waiting.extend(kept)
            seconds = time.monotonic() - (cut_clips[task.name].started or time.monotonic())
        outcome = ClipOutcome(task.name, "failed", seconds, error)
        progress.clip_done(outcome)
        return outcome

    try:
        while queue or suspects or in_flight:
            if not stopping or queue:
                with signals_held():  # a worker half-started (its setup half-sent) would print a traceback
                    if suspects and not in_flight and not stopping:
                        submit(suspects.popleft(), True)
                    while not suspects and queue and len(in_flight) < workers:
                        submit(queue.popleft(), False)
            if stopping and not in_flight:
                break
            try:
                done, _ = wait(in_flight, timeout=1.0, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt as stop:
                if stopping or not in_flight or isinstance(stop, Terminated):
                    raise
                stopping = True
                # the windows of a clip already started are still sent, so that clip can finish
                started = [t for t in queue if isinstance(t, WindowJob) and t.name in running]
                dropped += [t for t in queue if t not in started]
                queue = deque(started)
                progress.note(f"interrupted: finishing {len(running)} clip(s) in progress "
                              "(Ctrl-C again to stop them now); the rest are left for the next run")
                continue
            if not done:
                _notice_dead_workers(executor)
            progress.tick()
            broken = False
            for future in done:
                task, began, alone = in_flight.pop(future)
                seconds = time.monotonic() - began
                if future.cancelled():  # a window of a clip that already failed
                    continue
                if not isinstance(task, WindowJob):
                    running.discard(task.name)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken = True
                    if task.name in reported:
                        continue
                    if alone:
                        if (outcome := failed(task, seconds, "its worker process crashed")) is not None:
                            yield outcome, None
                    else:
                        suspects.append(task)
                    continue
                except Exception as error:  # one clip's failure must not stop the others
                    if (outcome := failed(task, seconds, _error_text(error))) is not None:
                        yield outcome, None
                    continue
                if task.name in reported:  # a window of a clip that already failed
                    continue
                if isinstance(task, WindowJob):
                    whole = cut_clips[task.name]
                    if not whole.add(result):
                        continue
                    try:
                        result = whole.finish()
                    except Exception as error:
                        if (outcome := failed(task, seconds, _error_text(error))) is not None:
                            yield outcome, None
                        continue
                    running.discard(task.name)
                reported.add(task.name)
                # a retried task finds its clip cached when the crashed pool's worker had finished it:
                # that clip was still rendered by this run
                status = "cached" if result.get("cached") and not alone else "rendered"
                outcome = ClipOutcome(task.name, status, float(result.get("seconds", seconds)))
                progress.clip_done(outcome)
                yield outcome, dict(result["record"])
            if broken:
                if suspects:
                    progress.note(f"a worker process crashed; retrying {len(suspects)} task(s) one at a time to find which")
                _stop_now(executor)
                executor = executor_factory(workers)
        for skipped in [*queue, *suspects, *dropped]:
            if skipped.name not in reported:
                reported.add(skipped.name)
                yield ClipOutcome(skipped.name, "skipped", 0.0, "interrupted before it started"), None
    except BaseException:
        _stop_now(executor)
        raise
    executor.shutdown(wait=True)
    if stopping:
        raise KeyboardInterrupt


def _notice_dead_workers(executor: Executor) -> None:
    """Wake a process pool's manager thread when one of its workers has died.

    CPython 3.11's ProcessPoolExecutor wakes its manager *before* it spawns the worker a submit asks
    for, so the manager can wait without that worker's sentinel: the worker's death then goes
    unnoticed until some other result arrives (up to the length of the longest clip in flight).
    """
    processes = list((getattr(executor, "_processes", None) or {}).values())
    if any(process.exitcode is not None for process in processes):
        wakeup = getattr(executor, "_executor_manager_thread_wakeup", None)
        with contextlib.suppress(Exception):
            if wakeup is not None:
                wakeup.wakeup()


def _stop_now(executor: Executor, grace: float = CLEANUP_SECONDS + 2) -> None:
    """Cancel what has not started, terminate the workers of a process pool and wait until they have
    cleaned up and exited (killing any that have not after ``grace`` seconds)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)


def _error_text(error: BaseException) -> str:
    if isinstance(error, CalcanimError):
        return str(error)
    return f"{type(error).__name__}: {error}"
