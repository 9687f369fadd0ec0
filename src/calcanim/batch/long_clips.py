"""Long clips in a batch: a clip that would keep one worker busy long after the others are done is cut
into frame windows (:class:`~calcanim.rendering.split.Window`, as ``render --jobs`` cuts it), and each
window is a task of its own on the batch's executor (the local process pool or a Dask cluster). This
process joins the windows' segments and finishes the clip exactly as a one-process render does, so
names, manifest, gallery and cache keys do not change.

The rule (:func:`windows_for`). The runner sends tasks longest first, each to the first free worker;
:func:`makespan` is when such a schedule ends, with each task's expected cost (frames times the
scene's per-frame cost, :func:`~calcanim.batch.runner.expected_cost`). A clip longer than an even
share of the lesson (``cost * W > total`` on ``W`` workers) is cut into the ``k`` windows
(2 <= k <= W, at least a second of video each) whose schedule ends soonest, each window costing
``f(k) * cost``: ``f(k)`` is the share of the clip the first of k balanced windows draws (the later
ones replay the frames before theirs, which costs about as much in all). It stays whole unless that
schedule ends by ``MIN_GAIN`` of the uncut one or sooner: the scene construction each window repeats
and the join are not in the model. Clips are taken longest first, each beside the tasks already
chosen. A lesson of clips of similar length is unchanged, and ``-j 1`` never cuts. On this machine's
own process pool the rule counts only the workers that can each have a render's ~1.3 cores
(:func:`workers_with_cores`): on 2 cores nothing is cut unless asked (``--cut-long-clips always``).

A window task renders into a private folder and leaves its segment (and the .srt manim wrote) under
plain names in the task's ``folder``: on a Dask worker that folder is private too, and its files come
back as bytes like a whole clip's (:func:`calcanim.batch.cluster.render_remotely`). The captions come
from the clip's last window, which replayed every earlier animation.
"""

from __future__ import annotations

import heapq
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calcanim.batch.manifest import clip_record
from calcanim.clip import Clip
from calcanim.errors import RenderError
from calcanim.rendering.split import Window, join_movies

if TYPE_CHECKING:
    from calcanim.batch.runner import Job

#: A cut must promise at least this much of the uncut lesson's wall time (the model leaves out each
#: window's scene construction and the join).
MIN_GAIN = 0.9
#: Each window pays a scene construction before its first frame: no window is shorter than this.
SECONDS_PER_WINDOW = 1.0
#: Cores one render keeps busy (manim's drawing plus x264's threads; bench/RESULTS.md, "--jobs").
CORES_PER_RENDER = 1.3


def workers_with_cores(workers: int, cores: int | None = None) -> int:
    """How many of ``workers`` local workers can each have a render's cores (``CORES_PER_RENDER``) on
    this machine: the worker count the rule models. Windows only pay when cores would otherwise sit idle:
    on 2 cores, ``batch -j 2`` of a 45 s clip and two 7 s ones took 1.23x as long cut as whole
    (bench/RESULTS.md), so there it is 1 and nothing is cut.

    >>> workers_with_cores(2, cores=2), workers_with_cores(4, cores=8), workers_with_cores(16, cores=8)
    (1, 4, 6)
    """
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(workers, int(cores / CORES_PER_RENDER)))


@dataclass(frozen=True)
class WindowJob:
    """One window of a long clip: picklable, like a whole clip's job. ``folder`` receives its segment."""

    clip: Clip
    folder: str
    window: Window

    @property
    def name(self) -> str:
        return self.clip.name


def clip_frames(clip: Clip) -> int:
    """The clip's frame count, as rendering.split counts it."""
    return round(float(clip.plan().duration) * clip.options.layout.fps)


def first_window_share(count: int, frames: int) -> float:
    """f(k): the share of the clip's frames the first of ``count`` balanced windows draws.

    >>> first_window_share(1, 300)
    1.0
    """
    if count == 1:
        return 1.0
    end = Window(0, count, frames).end
    return (end if end is not None else frames) / frames


def makespan(costs: Iterable[float], workers: int) -> float:
    """When the last task ends if each, longest first, goes to the first free worker (the runner's order).

    >>> makespan([3, 3, 2, 2, 2], 2)
    7.0
    """
    ends = [0.0] * workers
    for cost in sorted(costs, reverse=True):
        heapq.heapreplace(ends, ends[0] + cost)
    return max(ends)


def windows_for(clip: Clip, cost: float, others: Sequence[float], workers: int) -> int:
    """How many windows the rule cuts a clip of ``cost`` into (1: it stays whole), beside tasks of ``others``."""
    if workers < 2 or clip.options.format == "png" or cost * workers <= cost + sum(others):
        return 1
    frames = clip_frames(clip)
    most = min(workers, int(float(clip.plan().duration) // SECONDS_PER_WINDOW))
    whole = makespan([*others, cost], workers)
    best_count, best = 1, whole
    for count in range(2, most + 1):
        wall = makespan([*others, *[first_window_share(count, frames) * cost] * count], workers)
        if wall < best:
            best_count, best = count, wall
    return best_count if best <= MIN_GAIN * whole else 1


def cut_long_clips(jobs: Sequence[Job], workers: int, cost: Callable[[Job], float],
                   work: Callable[[Job], Path]) -> tuple[list[Job | WindowJob], dict[str, SplitClip]]:
    """The tasks for ``jobs`` (batch Jobs) on ``workers``: each job whole, or its windows (each written
    into ``work(job)``), longest first; and the clips that were cut, by name."""
    costs = {job.name: cost(job) for job in jobs}
    planned = {name: [value] for name, value in costs.items()}  # each clip's task costs
    tasks: list[tuple[float, Job | WindowJob]] = []
    cut: dict[str, SplitClip] = {}
    for job in sorted(jobs, key=lambda j: costs[j.name], reverse=True):
        count = 1
        if costs[job.name] * workers > sum(map(sum, planned.values())):  # longer than an even share
            others = [value for name, values in planned.items() if name != job.name for value in values]
            count = windows_for(job.clip, costs[job.name], others, workers)
        if count == 1:
            tasks.append((costs[job.name], job))
            continue
        frames = clip_frames(job.clip)
        share = first_window_share(count, frames)
        planned[job.name] = [share * costs[job.name]] * count
        folder = work(job)
        cut[job.name] = SplitClip(job, count, folder)
        tasks += [(share * costs[job.name], WindowJob(job.clip, str(folder), Window(index, count, frames)))
                  for index in range(count)]
    tasks.sort(key=lambda pair: pair[0], reverse=True)
    return [task for _, task in tasks], cut


def render_window_job(task: WindowJob) -> dict[str, Any]:
    """In a worker: render one window in a private folder and leave its segment (``window-I.mp4``, say)
    and its .srt (``window-I.srt``) in ``task.folder``; return their names and the time it took."""
    from calcanim.rendering.split import render_window

    started = time.monotonic()
    index = task.window.index
    result: dict[str, Any] = {"index": index, "segment": None, "subtitles": None}
    with tempfile.TemporaryDirectory(prefix="calcanim-window-") as scratch:
        part = render_window(task.clip, str(Path(scratch) / "part"), task.window)
        if part["movie"]:
            movie = Path(part["movie"])
            result["segment"] = f"window-{index}{movie.suffix}"
            shutil.copyfile(movie, Path(task.folder) / result["segment"])
            if part["subtitles"]:
                result["subtitles"] = f"window-{index}.srt"
                shutil.copyfile(part["subtitles"], Path(task.folder) / result["subtitles"])
    return result | {"seconds": time.monotonic() - started}


@dataclass
class SplitClip:
    """A clip rendered as windows: the parts that came back so far, and when the first was sent."""

    job: Job
    count: int
    work: Path
    parts: dict[int, Mapping[str, Any]] = field(default_factory=dict)
    started: float | None = None

    def add(self, part: Mapping[str, Any]) -> bool:
        """Keep a window's result; True when every window is in."""
        self.parts[int(part["index"])] = part
        return len(self.parts) == self.count

    def finish(self) -> dict[str, Any]:
        """Join the segments and put the clip's files in place as a one-process render would; the
        result has render_job's shape (record, cached, seconds)."""
        from calcanim.rendering import place_finished, resolve_output

        clip: Clip = self.job.clip
        ordered = [self.parts[index] for index in range(self.count)]
        movies = [self.work / part["segment"] for part in ordered if part["segment"]]
        if not movies:
            raise RenderError(f"rendering {clip.scene} produced no animations")
        joined = join_movies(movies, self.work / f"joined{movies[0].suffix}", transparent=clip.options.transparent)
        last = next(part for part in reversed(ordered) if part["segment"])
        subtitles = self.work / last["subtitles"] if last["subtitles"] else None
        folder = Path(self.job.folder)
        output = resolve_output(clip.output_in(folder), clip.options)
        key = clip.key()
        place_finished(self.work, clip, key, output, joined, subtitles, float(clip.plan().poster_time),
                       clip.poster_in(folder))
        seconds = time.monotonic() - self.started if self.started is not None else 0.0
        return {"record": clip_record(clip, folder, key), "cached": False, "seconds": seconds}


def windows_note(cut: Mapping[str, SplitClip]) -> str:
    """One progress line naming the clips cut into windows."""
    names = ", ".join(f"{name} into {split.count}" for name, split in cut.items())
    return f"long clip(s) cut into windows rendered side by side: {names}"
