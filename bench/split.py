"""`calcanim render --jobs 2` against `--jobs 1` (issue 19): wall time of fresh processes, in one run,
printed as Markdown with ratios, plus where a split worker's time goes.

    .venv/bin/python bench/split.py                          # limit-climb and zoom-linearity, 720p30, 2 runs each
    .venv/bin/python bench/split.py --quality low --runs 1   # quick look

Each run is `python -m calcanim render SCENE --force --jobs N` in a fresh process; the order of
--jobs 1 and --jobs 2 alternates between runs. The machine's 1-minute load average is printed
beside each number: on a shared machine the ratios are noisy.
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
CASES = {"limit-climb": ["duration=8"], "zoom-linearity": []}


def timed_render(scene: str, settings: list[str], quality: str, jobs: int, out: Path) -> tuple[float, float, float]:
    """(wall s, CPU s of the process tree, 1-minute load average before) of one fresh render."""
    load = os.getloadavg()[0]
    sets = [arg for setting in settings for arg in ("--set", setting)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "calcanim", "render", scene, "-q", quality, *sets, "--force", "--quiet",
                    "--jobs", str(jobs), "-o", str(out)], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, load


def breakdown(scene: str, settings: list[str], quality: str) -> list[str]:
    """One in-process --jobs 2 render with each worker's timeline (seconds from the submit)."""
    from calcanim.clip import RenderOptions, Source, resolve_clip
    from calcanim.rendering.split import render_split_in
    from calcanim.settings import gather_values

    values = gather_values(scene, None, settings)
    clip = resolve_clip(scene, values, RenderOptions(quality=quality), Source())
    parts: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="calcanim-bench-") as work:
        started = time.time()
        render_split_in(Path(work), clip, 2, parts)
        total = time.time() - started
    rows = []
    for index, part in enumerate(parts):
        began = float(part["began"]) - started  # type: ignore[arg-type]
        first = float(part["first_frame"]) - started if part["first_frame"] else float("nan")  # type: ignore[arg-type]
        ended = float(part["ended"]) - started  # type: ignore[arg-type]
        rows.append(f"| {scene} | {index} | {part['replayed']} | {part['animations']} | {began:.2f} | {first:.2f} | "
                    f"{ended:.2f} | {ended - first:.2f} |")
    rows.append(f"| {scene} | join + rest | | | | | {total:.2f} | |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quality", default="medium")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--scenes", nargs="*", default=list(CASES))
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, quality: {args.quality}, runs: {args.runs}, "
          f"started {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print("| clip | run | jobs | wall s | CPU s | cores | load avg (1 min) before |")
    print("|---|---|---|---|---|---|---|")
    walls: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="calcanim-bench-") as folder:
        for scene in args.scenes:
            for run in range(args.runs):
                for jobs in ((1, 2) if run % 2 == 0 else (2, 1)):
                    wall, cpu, load = timed_render(scene, CASES[scene], args.quality, jobs, Path(folder) / f"{scene}-{jobs}.mp4")
                    walls.setdefault((scene, jobs), []).append(wall)
                    print(f"| {scene} | {run + 1} | {jobs} | {wall:.2f} | {cpu:.2f} | {cpu / wall:.2f} | {load:.2f} |", flush=True)
    print("\n| clip | median wall --jobs 1 | median wall --jobs 2 | jobs 2 / jobs 1 |")
    print("|---|---|---|---|")
    for scene in args.scenes:
        one, two = statistics.median(walls[(scene, 1)]), statistics.median(walls[(scene, 2)])
        print(f"| {scene} | {one:.2f} | {two:.2f} | {two / one:.2f} |")
    print("\nWhere a --jobs 2 worker's time goes (seconds after the parent submitted the work):\n")
    print("| clip | worker | animations replayed | animations drawn | began (spawn + import) | first frame drawn | ended | drawing |")
    print("|---|---|---|---|---|---|---|---|")
    for scene in args.scenes:
        for row in breakdown(scene, CASES[scene], args.quality):
            print(row, flush=True)


if __name__ == "__main__":
    main()
