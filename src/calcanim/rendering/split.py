"""One clip rendered by several processes (``calcanim render CLIP --jobs N``).

Two ways to make the processes. Where it can fork (Linux and other POSIX systems but macOS), this
process builds the scene once and forks a copy at the first animation of each share of the clip
(:mod:`.split_fork`, which also chooses the shares as it goes). Elsewhere, and for tasks sent to
other processes (:func:`render_window` is picklable), the clip's frames are cut into N windows
(:class:`Window`) up front; this process renders the first and N - 1 spawned workers the others.

In both, the state a process starts drawing from is reached the same way (a forked copy inherits it
from the calling process, which replays). A spawned worker builds the same scene and runs its
construct from the start; an animation (a ``play`` or ``wait``) whose first frame falls in the
worker's window is rendered as usual, into manim's own per-animation segment files, and the ones
before it are *replayed*: every frame's interpolation and updaters run exactly as in a one-process
render, but nothing is drawn or encoded (and a raster view renders its pixels only after each
animation's last frame, :mod:`calcanim.frames_unseen`). So the mobjects and the scene clock reach each
animation in the same state, bit for bit, as they do in one process, and the worker stops at the first
animation past its window. The workers' movies are then joined by stream copy, as manim joins its segments.

Why not manim's own ``from_animation_number`` skip, which jumps each earlier animation to its end in
one step (far cheaper)? Positions reached by many small moves differ from one big move in the last
bits; in zoom-linearity the labels and the dot then landed on other 1/256-pixel steps and the frames
differed. The exact replay costs ~0.3 (limit-climb) to ~0.75 (zoom-linearity) of drawing a frame.

The captions come from the process that renders the clip's last animation (forked: the calling
process, which always runs the whole construct): it has replayed every earlier one, so its clock put
each caption at the same time as a one-process render does. Nothing of the split reaches the clip's
key: ``--jobs`` changes how a clip is made, not what it shows.

Importing this module loads no manim; the workers load it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from calcanim.clip import Clip
from calcanim.errors import ParamError, RenderError
from calcanim.frames_unseen import unseen
from calcanim.rendering.progress import FrameProgress

#: More worker processes than this is a typo, not a machine (each one holds a whole manim).
MAX_JOBS = 64
#: Each worker pays a process start, manim's import and the scene's construction before its first
#: frame: a clip gets no more workers than it has seconds of video.
SECONDS_PER_JOB = 1.0
#: How long a stopped worker gets to clean up before it is killed.
STOP_GRACE_SECONDS = 10.0


def check_jobs(jobs: object) -> int:
    """The number of processes asked for, checked: a whole number from 1 to MAX_JOBS."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        raise ParamError(
            f"--jobs must be a whole number from 1 to {MAX_JOBS} (processes rendering the clip), got {jobs!r}",
            field="jobs",
        )
    return jobs


def refuse_unsplittable(clip: Clip, jobs: int) -> None:
    """A png is one frame: there is nothing to split."""
    if jobs > 1 and clip.options.format == "png":
        raise ParamError("--jobs splits a video; a png poster is one frame (drop --jobs, or choose a video --format)",
                         field="jobs")


def workers_for(clip: Clip, jobs: int) -> int:
    """How many windows the clip is cut into: ``jobs``, but no more than it has seconds of video."""
    return max(1, min(jobs, int(float(clip.plan().duration) // SECONDS_PER_JOB)))


#: What replaying a frame (its interpolations and updaters, no drawing) costs beside drawing and
#: encoding it: ~0.3 in limit-climb, ~0.75 in zoom-linearity (bench/RESULTS.md, "--jobs"). Later
#: windows are made shorter by this much of what their worker must replay first.
REPLAY_SHARE = 0.4


@dataclass(frozen=True)
class Window:
    """Worker ``index`` of ``count`` renders the animations whose first frame is in ``[first, end)``
    (the last one everything from ``first`` on).

    The boundaries even out ``replayed frames * REPLAY_SHARE + drawn frames`` across workers: with
    r = REPLAY_SHARE, boundary k is ``frames * (1 - (1 - r)**k) / (1 - (1 - r)**count)``.
    """

    index: int
    count: int
    frames: int

    def boundary(self, k: int) -> int:
        keep = 1.0 - REPLAY_SHARE
        return int(self.frames * (1.0 - keep**k) / (1.0 - keep**self.count))

    @property
    def first(self) -> int:
        return 0 if self.index == 0 else self.boundary(self.index)

    @property
    def end(self) -> int | None:
        return None if self.index == self.count - 1 else self.boundary(self.index + 1)

    def owns(self, start_frame: int) -> bool:
        return start_frame >= self.first and not self.is_past(start_frame)

    def is_past(self, start_frame: int) -> bool:
        return self.end is not None and start_frame >= self.end


def render_split_in(
    work: Path, clip: Clip, jobs: int, parts_out: list[dict[str, Any]] | None = None, *,
    progress: FrameProgress | None = None, method: str | None = None,
) -> tuple[Path, Path | None, float]:
    """Like :func:`~calcanim.rendering.manim_run.render_in`, in ``jobs`` processes: the joined movie (in
    the format manim renders), the clip's .srt (if any), and the poster time.

    ``method`` is "fork" (:mod:`.split_fork`: one construct, forked at each window; the default where
    :func:`~.split_fork.fork_usable`) or "spawn" (fresh workers, :func:`render_window`; elsewhere).
    ``progress(done, total)`` hears of the frames drawn (fork only). ``parts_out`` receives each
    window's record: bench/split.py's timings."""
    from calcanim.rendering.split_fork import fork_usable, render_forked_in, tqdm_monitor_off

    count = workers_for(clip, jobs)
    with _terminate_as_exit(), tqdm_monitor_off():
        if method is None:
            method = "fork" if fork_usable() else "spawn"
        if method == "fork":
            movies, subtitles = render_forked_in(work, clip, count, progress, parts_out)
        else:
            movies, subtitles = _render_spawned_in(work, clip, count, parts_out)
        if not movies:
            raise RenderError(f"rendering {clip.scene} produced no animations")
        movie = join_movies(movies, work / f"joined{movies[0].suffix}", transparent=clip.options.transparent)
    return movie, subtitles, float(clip.plan().poster_time)


def _render_spawned_in(
    work: Path, clip: Clip, count: int, parts_out: list[dict[str, Any]] | None
) -> tuple[list[Path], Path | None]:
    """Window 0 in this process, the others in ``count - 1`` spawned workers (:func:`render_window`):
    their movies in order, and the .srt of the last worker with a movie."""
    frames = round(float(clip.plan().duration) * clip.options.layout.fps)
    with _worker_pool(count - 1) as pool:
        futures = [pool.submit(render_window, clip, str(work / f"part-{k}"), Window(k, count, frames))
                   for k in range(1, count)]
        first = render_window(clip, str(work / "part-0"), Window(0, count, frames))  # this process: window 0
        _wait_all(futures)
        parts = [first, *(future.result() for future in futures)]
    if parts_out is not None:
        parts_out.extend(parts)
    drawn = [part for part in parts if part["movie"]]
    subtitles = Path(drawn[-1]["subtitles"]) if drawn and drawn[-1]["subtitles"] else None
    return [Path(part["movie"]) for part in drawn], subtitles


def _wait_all(futures: list[Future[Any]]) -> None:
    """Wait for every worker, in short steps so Ctrl-C and SIGTERM are heard; the first failure is raised."""
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=0.5, return_when=FIRST_EXCEPTION)
        for future in done:
            future.result()


@contextlib.contextmanager
def _worker_pool(count: int) -> Iterator[ProcessPoolExecutor]:
    """``count`` fresh (spawned) worker processes, like batch's; on any way out but success they are
    terminated and waited for, so no worker outlives the render and nothing is still writing in its folder."""
    pool = ProcessPoolExecutor(max_workers=max(1, count), mp_context=multiprocessing.get_context("spawn"),
                               initializer=_ignore_interrupts)
    try:
        yield pool
    except BaseException:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()
        for process in processes:
            process.join(STOP_GRACE_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        raise
    else:
        pool.shutdown(wait=True)


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent (which stops them), and turn a terminate into SystemExit so
    manim closes its encoders on the way out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)


def _exit_on_term(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """While workers run, a SIGTERM to this process unwinds it (stopping the workers and removing the
    working folder) instead of killing it on the spot and leaving them behind."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield  # the command line's handler (stop_signals) already unwinds it
        return
    previous = signal.signal(signal.SIGTERM, _exit_on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def render_window(clip: Clip, folder: str, window: Window) -> dict[str, Any]:
    """In a worker: render the clip's animations that start in ``window`` into ``folder``; return the
    movie of those animations (None if none starts there), the .srt manim wrote, and when (epoch
    seconds) the worker began, drew its first frame and ended."""
    began = time.time()
    from calcanim.rendering.manim_run import render_in

    keeper = _AnimationWindow(window)
    record: dict[str, Any] = {"movie": None, "subtitles": None, "animations": 0, "replayed": 0, "began": began}
    try:
        movie, subtitles, _ = render_in(Path(folder), clip, None, prepare=keeper.install)
    except RenderError as error:
        if keeper.drawn == 0 and error.__cause__ is None:  # "produced no file": no animation starts here
            return record | {"replayed": keeper.replayed, "first_frame": None, "ended": time.time()}
        raise
    return record | {"movie": str(movie), "subtitles": str(subtitles) if subtitles else None,
                     "animations": keeper.drawn, "replayed": keeper.replayed, "first_frame": keeper.first_frame,
                     "ended": time.time()}


class DrawnOrReplayed:
    """Counts of one process's animations: drawn (with the time of its first frame) or replayed."""

    def __init__(self) -> None:
        self.drawn = self.replayed = 0
        self.first_frame: float | None = None

    def play(self, drawing: bool, render_play: Callable[..., None], renderer: Any, scene: Any,
             args: tuple[Any, ...], kwargs: dict[str, Any], on_frame: Callable[[], None] | None = None) -> None:
        """Draw this animation with manim's ``render_play``, or replay it (:func:`_replay`)."""
        if drawing:
            if self.first_frame is None:
                self.first_frame = time.time()
            self.drawn += 1
            render_play(scene, *args, **kwargs)
        else:
            self.replayed += 1
            _replay(renderer, scene, args, kwargs, on_frame=on_frame)


class _AnimationWindow(DrawnOrReplayed):
    """Installed on a scene's Cairo renderer: renders the animations that start in the window, replays
    the ones before it without drawing, and ends the scene at the first one after it.

    The replay mirrors ``CairoRenderer.play`` of manim 0.22 (pinned in pyproject) with the drawing
    and the file writing left out; the scene clock moves by the same ``num_frames * dt`` steps, so
    captions and window boundaries come out the same in every worker.
    """

    def __init__(self, window: Window) -> None:
        super().__init__()
        self.window = window

    def install(self, scene: Any) -> None:
        from manim.utils.exceptions import EndSceneEarlyException

        renderer = scene.renderer
        render_play = renderer.play
        fps = renderer.camera.frame_rate

        def play(scene: Any, *args: Any, **kwargs: Any) -> None:
            start_frame = round(renderer.time * fps)
            if self.window.is_past(start_frame):
                raise EndSceneEarlyException()
            self.play(self.window.owns(start_frame), render_play, renderer, scene, args, kwargs)

        renderer.play = play


def _replay(renderer: Any, scene: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
            on_frame: Callable[[], None] | None = None) -> None:
    """``CairoRenderer.play`` without drawing or encoding: every frame's state, no pixels; ``on_frame()``
    after each frame."""
    dt = 1 / renderer.camera.frame_rate
    renderer.skip_animations = renderer._original_skipping_status
    renderer.update_skipping_status()
    scene.compile_animation_data(*args, **kwargs)
    renderer.file_writer.add_partial_movie_file(None)
    renderer.animations_hashes.append(None)
    scene.begin_animations()
    renderer.static_image = None
    if scene.is_current_animation_frozen_frame():
        renderer.time += int(scene.duration / dt) * dt  # freeze_current_frame's add_frame
    else:
        draw = renderer.render

        def tick(scene: Any, time: float, moving_mobjects: Any = None) -> None:
            renderer.time += 1 * dt  # add_frame of one frame
            if on_frame is not None:
                on_frame()

        renderer.render = tick
        update_to_time = scene.update_to_time

        def unseen_update_to_time(t: float) -> None:
            with unseen():  # the frames inside the animation; not manim's update after its last frame
                update_to_time(t)

        scene.update_to_time = unseen_update_to_time
        try:
            scene.play_internal()
        finally:
            renderer.render = draw
            del scene.update_to_time
    renderer.num_plays += 1


def join_movies(movies: list[Path], target: Path, *, transparent: bool = False) -> Path:
    """The movies one after the other in one file, packets copied (what manim does with its segments)."""
    import av

    listing = "".join(f"file 'file:{movie.as_posix()}'\n" for movie in movies).encode("utf-8")
    with (
        av.open(BytesIO(listing), options={"safe": "0", "an": "1"}, format="concat") as source,
        av.open(str(target), mode="w") as sink,
    ):
        video = source.streams.video[0]
        stream = sink.add_stream_from_template(template=video)
        if transparent and target.suffix == ".webm":
            stream.pix_fmt = "yuva420p"  # as manim's own join: keep the alpha plane's format
        for packet in source.demux(video):
            if packet.dts is None:  # the demuxer's flushing packets
                continue
            packet.dts = None  # consecutive files' dts need not increase; the muxer computes them
            packet.stream = stream
            sink.mux(packet)
    return target
