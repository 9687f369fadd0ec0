"""A lesson of one long clip and a few short ones, rendered by `calcanim batch -j 2` with the long clip
whole and with it cut into windows (calcanim.batch.long_clips), every clip forced: wall times, the
ratio, and what the cutting rule predicted.

    .venv/bin/python bench/long_clip_batch.py                       # -q low, a 45 s clip and two 7 s ones
    .venv/bin/python bench/long_clip_batch.py --quality medium --long 60 --repeat 2

Each run is a fresh process (worker start-up counted, as a user sees it); the runs alternate (whole,
cut, whole, cut, ...) so a load that drifts hits both alike.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LESSON = """
[lesson]
name = "one-long-clip"
title = "One long clip and a few short ones"

[defaults]
quality = "{quality}"

[[clip]]
name = "long"
scene = "limit-climb"
[clip.params]
n_max = 1000
marks = [1, 10, 100, 1000]
duration = {long}
"""

SHORT = """
[[clip]]
name = "short-{n}"
scene = "limit-climb"
[clip.params]
n_max = {n_max}
marks = [1, {n_max}]
duration = 2
"""

DRIVER = """
import sys
from calcanim.batch import run_lesson
summary = run_lesson(sys.argv[1], jobs=int(sys.argv[2]), force=True, output_dir=sys.argv[3], split=sys.argv[4] == "cut")
sys.exit(1 if summary.failed else 0)
"""


def timed(lesson: Path, jobs: int, folder: Path, how: str) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the workers included: the driver waits for them)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", DRIVER, str(lesson), str(jobs), str(folder), how], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def predicted(lesson: Path, jobs: int) -> tuple[str, float]:
    """What the rule cuts, and its schedule's estimated end over the uncut one's (calcanim.batch.long_clips)."""
    from calcanim.batch import Job
    from calcanim.batch.long_clips import WindowJob, clip_frames, cut_long_clips, first_window_share, makespan
    from calcanim.batch.runner import expected_cost
    from calcanim.lesson import load_lesson

    all_jobs = [Job(clip, "") for clip in load_lesson(lesson).clips]
    tasks, cut = cut_long_clips(all_jobs, jobs, expected_cost, lambda job: Path(job.name))

    def cost(task: Job | WindowJob) -> float:
        whole = expected_cost(Job(task.clip, ""))
        if isinstance(task, WindowJob):
            return whole * first_window_share(task.window.count, clip_frames(task.clip))
        return whole

    seconds = ", ".join(f"{float(job.clip.plan().duration):.1f}" for job in all_jobs)
    counts = ", ".join(f"{name} into {split.count}" for name, split in cut.items()) or "nothing"
    ratio = makespan(map(cost, tasks), jobs) / makespan(map(expected_cost, all_jobs), jobs)
    return f"clips of {seconds} s of video; the rule cuts {counts}", ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quality", default="low")
    parser.add_argument("--long", type=int, default=40, help="the long clip's climb seconds (limit-climb adds 5)")
    parser.add_argument("--shorts", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        lesson = Path(scratch) / "one-long-clip.toml"
        lesson.write_text(LESSON.format(quality=args.quality, long=args.long)
                          + "".join(SHORT.format(n=n, n_max=10 * (n + 1)) for n in range(args.shorts)), encoding="utf-8")
        what, model = predicted(lesson, args.jobs)
        print(f"-q {args.quality}, batch -j {args.jobs}: {what}; {os.cpu_count()} cores; "
              f"load average {os.getloadavg()[0]:.1f} at start\n")
        print("| run | whole: wall s | cut: wall s | wall cut / whole | whole: CPU s | cut: CPU s | CPU cut / whole |")
        print("|---|---|---|---|---|---|---|")
        ratios = []
        for run in range(1, args.repeat + 1):
            whole, whole_cpu = timed(lesson, args.jobs, Path(scratch) / "whole", "whole")
            cut, cut_cpu = timed(lesson, args.jobs, Path(scratch) / "cut", "cut")
            ratios.append(cut / whole)
            print(f"| {run} | {whole:.1f} | {cut:.1f} | {cut / whole:.2f} | {whole_cpu:.1f} | {cut_cpu:.1f} | "
                  f"{cut_cpu / whole_cpu:.2f} |", flush=True)
        print(f"\nthe rule's estimate: wall cut / whole = {model:.2f}; measured (median) {statistics.median(ratios):.2f}. "
              "On a loaded machine the wall ratio tends to the CPU ratio (the cut's replay is extra work).")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
