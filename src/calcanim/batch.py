"""A lesson file -> one job per clip -> an executor -> renders/<lesson>/ with manifest.json and index.html.

Jobs are plain data (:class:`ClipJob`) run by a plain module-level function (:func:`render_job`), and
the runner only needs a ``concurrent.futures.Executor``: a process pool here, and a distributed
engine's executor later for lessons too large for one machine.

Cached clips are settled in this process before any worker starts, without importing manim,
numpy or PyAV, so a fully cached lesson finishes in well under a second.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

from calcanim import __version__
from calcanim.errors import CalcanimError, ParamError
from calcanim.files import prepare_output_folder, write_text_atomically
from calcanim.gallery import write_gallery
from calcanim.json_output import plain_json
from calcanim.lesson import Clip, Lesson, load_lesson
from calcanim.registry import get_scene
from calcanim.render import DEFAULT_RENDERS_DIR, RenderOptions, cached_result, clip_key

MANIFEST_NAME = "manifest.json"
GALLERY_NAME = "index.html"


@dataclass(frozen=True)
class ClipJob:
    """Everything a worker needs to render one clip: plain, picklable data, no open handles."""

    name: str
    scene: str
    params: Mapping[str, Any]
    options: Mapping[str, Any]
    folder: str
    force: bool = False
    title: str = ""

    @property
    def output(self) -> Path:
        return Path(self.folder) / f"{self.name}.{self.options['format']}"

    @property
    def poster(self) -> Path | None:
        """The poster png beside the clip (a png clip is its own poster)."""
        return None if self.options["format"] == "png" else Path(self.folder) / f"{self.name}.png"


@dataclass(frozen=True)
class ClipOutcome:
    """How one clip of the run ended."""

    name: str
    status: str  # "rendered", "cached", "failed", "skipped"
    seconds: float = 0.0
    error: str = ""


@dataclass
class LessonSummary:
    """What a batch run produced."""

    lesson: Lesson
    folder: Path
    manifest: Path
    gallery: Path
    outcomes: list[ClipOutcome] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[ClipOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


# --- the job: runs in a worker process ------------------------------------------------------


def render_job(job: ClipJob) -> dict[str, Any]:
    """Render one clip into place (render_clip works in a private temp folder and moves finished
    files in atomically) and return its manifest record."""
    from calcanim.render import render_clip

    started = time.monotonic()
    entry = get_scene(job.scene)
    params = entry.params_class.from_mapping(job.params, source=f"clip '{job.name}'")
    options = RenderOptions(**job.options)
    result = render_clip(entry, params, options, job.output, progress=False, force=job.force, poster=job.poster)
    record = clip_record(job, result.key)
    return {"record": record, "cached": result.cached, "seconds": time.monotonic() - started}


def clip_record(job: ClipJob, key: str) -> dict[str, Any]:
    """The manifest entry of a finished clip: files, params, key, what PyAV reads from the video,
    the plan's numbers and the versions that made it."""
    entry = get_scene(job.scene)
    params = entry.params_class.from_mapping(job.params, source=f"clip '{job.name}'")
    plan = entry.plan(params)
    fmt = job.options["format"]
    files: dict[str, Any] = {"video": job.output.name}
    files["poster"] = job.poster.name if job.poster is not None else job.output.name
    if job.options.get("captions", True) and fmt != "png":
        files["captions"] = {ext: job.output.with_suffix(f".{ext}").name for ext in ("vtt", "srt")
                             if job.output.with_suffix(f".{ext}").is_file()}
    else:
        files["captions"] = {}
    return {
        "name": job.name,
        "title": job.title,
        "scene": job.scene,
        "files": files,
        "params": params.to_dict(),
        "options": dict(job.options),
        "key": key,
        "hash": key[:10],
        **probe_video(job.output),
        "plan_duration": float(plan.duration),
        "poster_time": float(plan.poster_time),
        "numbers": plain_json(plan.to_json()),
        "calcanim_version": __version__,
        "manim_version": manim_version(),
    }


def probe_video(path: Path) -> dict[str, Any]:
    """Duration (s), size and fps as the file itself reports them (PyAV)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        else:
            duration = None
        # The nominal rate (r_frame_rate); average_rate is frames / duration and drifts off 15 by rounding.
        rate = stream.guessed_rate or stream.average_rate
        return {
            "duration": duration,
            "width": stream.codec_context.width,
            "height": stream.codec_context.height,
            "fps": float(rate) if rate else None,
            "frames": stream.frames or None,
        }


def manim_version() -> str | None:
    """manim's installed version, read from package metadata (importing manim takes seconds)."""
    try:
        return metadata.version("manim")
    except metadata.PackageNotFoundError:
        return None


# --- the runner: the main process -----------------------------------------------------------


ExecutorFactory = Callable[[int], Executor]
Job = Callable[[ClipJob], Mapping[str, Any]]


def process_pool(max_workers: int) -> Executor:
    """The default executor: worker processes started fresh (spawn), so a job must be picklable
    exactly as it would be for a remote worker."""
    return ProcessPoolExecutor(
        max_workers=max_workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_signals
    )


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the runner (which lets them finish or stops them), and turn a
    terminate into SystemExit so temp folders and half-moved files are cleaned up on the way out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)


def _exit_on_term(signum: int, frame: Any) -> None:
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
    job: Job = render_job,
) -> LessonSummary:
    """Validate the whole lesson file, render what is not cached in parallel, and write
    manifest.json and index.html listing every complete clip.

    Failed clips are reported in the summary (the rest still finish); Ctrl-C lets the clips in
    progress finish (twice: stops them), writes the manifest of what is complete and re-raises.
    """
    started = time.monotonic()
    out = stream if stream is not None else sys.stderr
    spec = load_lesson(lesson)
    selected = spec.select(only)
    if quality is not None:
        try:
            RenderOptions(quality=quality)
        except CalcanimError as error:
            raise ParamError(f"-q/--quality: {error}") from None
    folder = Path(output_dir) if output_dir is not None else DEFAULT_RENDERS_DIR / spec.name
    prepare_output_folder(folder, "the lesson's output folder")
    sweep_partials(folder)
    previous = _read_manifest(folder)

    summary = LessonSummary(spec, folder, folder / MANIFEST_NAME, folder / GALLERY_NAME)
    records: dict[str, dict[str, Any]] = {}
    pending: list[ClipJob] = []
    progress = _Progress(out, total=len(selected))
    for clip in selected:
        clip_job = _job_for(clip, folder, force, quality)
        key = _key_of(clip_job)
        options = RenderOptions(**clip_job.options)
        if not force and cached_result(clip_job.output, key, options, clip_job.poster) is not None:
            old = previous.get(clip.name)
            records[clip.name] = old if old is not None and old.get("key") == key else clip_record(clip_job, key)
            outcome = ClipOutcome(clip.name, "cached")
            summary.outcomes.append(outcome)
            progress.clip_done(outcome)
        else:
            pending.append(clip_job)

    try:
        if pending:
            pending.sort(key=_expected_cost, reverse=True)  # longest first: no worker left alone at the end
            workers = max(1, min(jobs or os.cpu_count() or 1, len(pending)))
            progress.start_rendering(len(pending), workers)
            for outcome, record in _run_jobs(pending, workers, executor_factory, job, progress):
                summary.outcomes.append(outcome)
                if record is not None:
                    records[outcome.name] = record
    except KeyboardInterrupt:
        summary.interrupted = True
        raise
    finally:
        order = {clip.name: index for index, clip in enumerate(spec.clips)}
        summary.outcomes.sort(key=lambda outcome: order[outcome.name])
        sweep_partials(folder)
        _keep_complete_earlier_records(spec, selected, previous, records, folder)
        manifest = build_manifest(spec, [records[c.name] for c in spec.clips if c.name in records])
        write_json_atomically(summary.manifest, manifest)
        write_gallery(summary.gallery, manifest)
        summary.seconds = time.monotonic() - started
        progress.finish(summary)
    return summary


def _expected_cost(job: ClipJob) -> float:
    """A rough size of a job: its frames times the scene's per-frame cost (plans import no manim)."""
    entry = get_scene(job.scene)
    duration = float(entry.plan(entry.params_class.from_mapping(job.params)).duration)
    return entry.frame_cost * duration * RenderOptions(**job.options).layout.fps


def _job_for(clip: Clip, folder: Path, force: bool, quality: str | None) -> ClipJob:
    options = dict(clip.options)
    if quality is not None:
        options["quality"] = quality
    return ClipJob(name=clip.name, scene=clip.scene, params=dict(clip.params), options=options,
                   folder=str(folder), force=force, title=clip.title)


def _key_of(clip_job: ClipJob) -> str:
    entry = get_scene(clip_job.scene)
    params = entry.params_class.from_mapping(clip_job.params, source=f"clip '{clip_job.name}'")
    return clip_key(entry, params, RenderOptions(**clip_job.options))


def _run_jobs(
    pending: list[ClipJob], workers: int, executor_factory: ExecutorFactory, job: Job, progress: _Progress
) -> Iterator[tuple[ClipOutcome, dict[str, Any] | None]]:
    """Yield (outcome, record) per clip as they finish.

    At most ``workers`` jobs are in flight, so when a worker process dies we know which clips
    were running: those are retried one at a time in a fresh pool, which finds the clip that
    crashes it (reported as failed) while the innocent ones still finish.
    """
    queue: deque[ClipJob] = deque(pending)
    suspects: deque[ClipJob] = deque()
    in_flight: dict[Future[Any], tuple[ClipJob, float, bool]] = {}
    executor = executor_factory(workers)
    stopping = False
    try:
        while queue or suspects or in_flight:
            if not stopping:
                if suspects and not in_flight:
                    suspect = suspects.popleft()
                    in_flight[executor.submit(job, suspect)] = (suspect, time.monotonic(), True)
                while not suspects and queue and len(in_flight) < workers:
                    next_job = queue.popleft()
                    in_flight[executor.submit(job, next_job)] = (next_job, time.monotonic(), False)
            elif not in_flight:
                break
            try:
                done, _ = wait(in_flight, timeout=1.0, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                if stopping or not in_flight:
                    raise
                stopping = True
                progress.note(f"interrupted: finishing {len(in_flight)} clip(s) in progress "
                              "(Ctrl-C again to stop them now); the rest are left for the next run")
                continue
            progress.tick()
            broken = False
            for future in done:
                clip_job, began, alone = in_flight.pop(future)
                seconds = time.monotonic() - began
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken = True
                    if alone:
                        outcome = ClipOutcome(clip_job.name, "failed", seconds, "its worker process crashed")
                        progress.clip_done(outcome)
                        yield outcome, None
                    else:
                        suspects.append(clip_job)
                    continue
                except Exception as error:  # one clip's failure must not stop the others
                    outcome = ClipOutcome(clip_job.name, "failed", seconds, _error_text(error))
                    progress.clip_done(outcome)
                    yield outcome, None
                    continue
                status = "cached" if result.get("cached") else "rendered"
                outcome = ClipOutcome(clip_job.name, status, float(result.get("seconds", seconds)))
                progress.clip_done(outcome)
                yield outcome, dict(result["record"])
            if broken:
                if suspects:
                    progress.note(f"a worker process crashed; retrying {len(suspects)} clip(s) one at a time to find which")
                _stop_now(executor)
                executor = executor_factory(workers)
        for skipped in list(queue) + list(suspects):
            yield ClipOutcome(skipped.name, "skipped", 0.0, "interrupted before it started"), None
    except BaseException:
        _stop_now(executor)
        raise
    else:
        executor.shutdown(wait=True)
    finally:
        if stopping:
            raise KeyboardInterrupt


def _stop_now(executor: Executor) -> None:
    """Cancel what has not started and terminate the workers of a process pool (they clean up)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()


def _error_text(error: BaseException) -> str:
    if isinstance(error, CalcanimError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _keep_complete_earlier_records(
    spec: Lesson, selected: Sequence[Clip], previous: Mapping[str, dict[str, Any]],
    records: dict[str, dict[str, Any]], folder: Path,
) -> None:
    """Clips not run this time (--only, or interrupted) stay in the manifest while their files are complete."""
    for clip in spec.clips:
        if clip.name in records or clip.name not in previous:
            continue
        if is_complete(previous[clip.name], folder):
            records[clip.name] = previous[clip.name]


def is_complete(record: Mapping[str, Any], folder: Path) -> bool:
    """All of a record's files are there and the clip's key stamp still matches it."""
    try:
        options = RenderOptions(**record["options"])
        files = record["files"]
        output = folder / files["video"]
        poster = folder / files["poster"] if files.get("poster") and files["poster"] != files["video"] else None
        captions_ok = all((folder / name).is_file() for name in files.get("captions", {}).values())
        return captions_ok and cached_result(output, record["key"], options, poster) is not None
    except (KeyError, TypeError, CalcanimError):
        return False


def sweep_partials(folder: Path) -> None:
    """Remove half-moved files (``.NAME.XXXX.partial``) a killed worker may have left behind."""
    for leftover in folder.glob(".*.partial"):
        with contextlib.suppress(OSError):
            leftover.unlink()
    for leftover in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def build_manifest(spec: Lesson, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "lesson": spec.name,
        "title": spec.title,
        "description": spec.description,
        "source": str(spec.path),
        "calcanim_version": __version__,
        "manim_version": manim_version(),
        "clips": [dict(r) for r in records],
    }


def _read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        return {c["name"]: c for c in data.get("clips", []) if isinstance(c, dict) and "name" in c}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def write_json_atomically(path: Path, data: Any) -> None:
    write_text_atomically(path, json.dumps(plain_json(data), indent=2, allow_nan=False) + "\n", suffix=".tmp")


# --- what the user sees on stderr -----------------------------------------------------------


class _Progress:
    """A status line per clip and one overall line: clips done of total, elapsed, ETA."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.to_render = 0
        self.rendered = 0
        self.render_started = self.started
        self.workers = 1
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self.width = max(24, min(40, self.total * 4))

    def start_rendering(self, count: int, workers: int) -> None:
        self.to_render, self.workers = count, workers
        self.render_started = time.monotonic()
        self.note(f"rendering {count} clip(s) with {workers} worker process(es)")

    def clip_done(self, outcome: ClipOutcome) -> None:
        self.done += 1
        if outcome.status != "cached":
            self.rendered += 1
        detail = f"  {outcome.seconds:5.1f} s" if outcome.status != "cached" else ""
        error = f"  {outcome.error}" if outcome.error else ""
        self._line(f"{outcome.status:<8} {outcome.name}{detail}{error}")
        if not self.live and outcome.status != "cached":
            self._line(self.overall())

    def note(self, text: str) -> None:
        self._line(text)

    def tick(self) -> None:
        if self.live:
            self._draw()

    def overall(self) -> str:
        elapsed = time.monotonic() - self.started
        filled = round(self.width * self.done / self.total) if self.total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        return f"[{bar}] {self.done}/{self.total} clips  {_clock(elapsed)} elapsed  ETA {self.eta()}"

    def eta(self) -> str:
        left = self.to_render - self.rendered
        if left <= 0:
            return "0:00"
        if self.rendered == 0:
            return "--:--"
        per_clip = (time.monotonic() - self.render_started) / self.rendered
        return _clock(per_clip * left)

    def finish(self, summary: LessonSummary) -> None:
        counts = ", ".join(f"{summary.count(s)} {s}" for s in ("rendered", "cached", "failed", "skipped") if summary.count(s))
        self._line(f"{summary.lesson.name}: {counts or 'nothing to do'} in {summary.seconds:.1f} s -> {summary.folder}")
        if self.live:
            self.stream.write("\n")
            self.stream.flush()

    def _line(self, text: str) -> None:
        if self.live:
            self.stream.write("\r\033[K" + text + "\n")
            self._draw()
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def _draw(self) -> None:
        self.stream.write("\r\033[K" + self.overall())
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"

