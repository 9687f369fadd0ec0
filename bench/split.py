"""`calcanim render --jobs 2` against `--jobs 1` (issue 19): wall time of fresh processes, in one run,
printed as Markdown with ratios, plus where a split worker's time goes.

    .venv/bin/python bench/split.py                          # limit-climb and zoom-linearity, 720p30, 2 runs each
    .venv/bin/python bench/split.py --quality low --runs 1   # quick look
    .venv/bin/python bench/split.py --methods fork spawn     # the breakdown of both ways of making the processes

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
#: case name -> (clip, --set values). A lecturer splits a render for a long clip: "limit-climb-long" is one
#: (a 45 s video), where the serial build (import, construct) is a small share of the render.
CASES = {"limit-climb": ("limit-climb", ["duration=8"]), "zoom-linearity": ("zoom-linearity", []),
         "limit-climb-long": ("limit-climb", ["duration=40"]), "descent-1d": ("descent-1d", []),
         "gradient-descent": ("gradient-descent", []), "tangent-plane": ("tangent-plane", [])}


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


def drawing_phase(scene: str, settings: list[str], quality: str) -> tuple[float, float]:
    """(wall s, CPU s of all threads) of one in-process --jobs 1 render from its first frame to its end:
    the part a split can share out. What comes before (start-up, imports, building the scene) and after
    (joining, finishing the file) is the same with any --jobs."""
    from calcanim.clip import RenderOptions, Source, resolve_clip
    from calcanim.rendering.manim_run import render_in
    from calcanim.settings import gather_values

    clip = resolve_clip(scene, gather_values(scene, None, settings), RenderOptions(quality=quality), Source())
    first: list[tuple[float, float]] = []

    def mark_first_frame(built: object) -> None:
        renderer = built.renderer  # type: ignore[attr-defined]
        add_frame = renderer.add_frame

        def marked(frame: object, num_frames: int = 1) -> None:
            if not first:
                first.append((time.perf_counter(), time.process_time()))
            add_frame(frame, num_frames)

        renderer.add_frame = marked

    with tempfile.TemporaryDirectory(prefix="calcanim-bench-") as work:
        render_in(Path(work), clip, None, prepare=mark_first_frame)
        wall, cpu = time.perf_counter() - first[0][0], time.process_time() - first[0][1]
    return wall, cpu


def breakdown(scene: str, settings: list[str], quality: str, method: str, parts: list[dict[str, object]] | None = None) -> list[str]:
    """One in-process --jobs 2 render with each process's timeline (seconds from the call); ``parts``
    receives each process's record."""
    from calcanim.clip import RenderOptions, Source, resolve_clip
    from calcanim.rendering.split import render_split_in
    from calcanim.settings import gather_values

    values = gather_values(scene, None, settings)
    clip = resolve_clip(scene, values, RenderOptions(quality=quality), Source())
    parts = parts if parts is not None else []
    with tempfile.TemporaryDirectory(prefix="calcanim-bench-") as work:
        started = time.time()
        render_split_in(Path(work), clip, 2, parts, method=method)
        total = time.time() - started
    rows = []
    for index, part in enumerate(parts):
        began = float(part["began"]) - started  # type: ignore[arg-type]
        first = float(part["first_frame"]) - started if part["first_frame"] else float("nan")  # type: ignore[arg-type]
        ended = float(part["ended"]) - started  # type: ignore[arg-type]
        cpu = f"{float(part['cpu']):.2f}" if "cpu" in part else ""  # type: ignore[arg-type]
        rows.append(f"| {scene} | {method} | {index} | {part['replayed']} | {part['animations']} | {part.get('frames', '')} | "
                    f"{began:.2f} | {first:.2f} | {ended:.2f} | {ended - first:.2f} | {cpu} |")
    rows.append(f"| {scene} | {method} | join + rest | | | | | | {total:.2f} | | |")
    return rows


def frame_count(scene: str, settings: list[str], quality: str) -> tuple[int, float]:
    """(frames, fps) of the clip."""
    from calcanim.clip import RenderOptions, Source, resolve_clip
    from calcanim.settings import gather_values

    clip = resolve_clip(scene, gather_values(scene, None, settings), RenderOptions(quality=quality), Source())
    fps = float(clip.options.layout.fps)
    return round(float(clip.plan().duration) * fps), fps


def projected_wall(head: float, frames: int, drawing: float, replay: float, processes: int) -> float:
    """Wall time of a split into ``processes`` on a machine with a core (or more) for each, balanced as the
    conductor balances it: process k starts drawing once the replay reaches its share (``replay`` s a frame,
    serial: the caller replays for every fork) and draws n_k frames at ``drawing`` s a frame, all ending
    together, so n_(k+1) = n_k (1 - replay / drawing). ``head``: everything that is not drawing (start-up,
    imports, building the scene, joining, finishing the file), unchanged by the split. As the processes grow,
    the wall falls to head + replay * frames: the replay is what stands in the way."""
    keep = max(0.0, 1.0 - replay / drawing)
    shares = sum(keep**k for k in range(processes))
    return head + drawing * frames / shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quality", default="medium")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--scenes", nargs="*", default=list(CASES), choices=list(CASES), help="cases to measure")
    parser.add_argument("--methods", nargs="*", default=["fork"], choices=["fork", "spawn"],
                        help="how the breakdown's --jobs 2 render makes its processes (the timed runs use the default: fork on Linux)")
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
                    clip, settings = CASES[scene]
                    wall, cpu, load = timed_render(clip, settings, args.quality, jobs, Path(folder) / f"{scene}-{jobs}.mp4")
                    walls.setdefault((scene, jobs), []).append(wall)
                    print(f"| {scene} | {run + 1} | {jobs} | {wall:.2f} | {cpu:.2f} | {cpu / wall:.2f} | {load:.2f} |", flush=True)
    cores = os.cpu_count() or 1
    print(f"\nBound: the best --jobs 2 could do here if splitting cost nothing: the drawing phase of one --jobs 1 render")
    print(f"(first frame to end, in process: wall D, CPU C of all its threads) spread over the {cores} cores, max(C / {cores}, D / 2), and")
    print("everything else (start-up, imports, building the scene, finishing the file) as long as with --jobs 1.\n")
    print("| clip | median wall --jobs 1 | median wall --jobs 2 | jobs 2 / jobs 1 | drawing phase D s | cores busy in it, C / D | bound |")
    print("|---|---|---|---|---|---|---|")
    phases: dict[str, tuple[float, float]] = {}
    for scene in args.scenes:
        one, two = statistics.median(walls[(scene, 1)]), statistics.median(walls[(scene, 2)])
        drawing, cpu = phases[scene] = drawing_phase(*CASES[scene], args.quality)
        bound = (one - drawing + max(cpu / cores, drawing / 2)) / one
        print(f"| {scene} | {one:.2f} | {two:.2f} | **{two / one:.2f}** | {drawing:.2f} | {cpu / drawing:.2f} | {bound:.2f} |", flush=True)
    print("\nWhere a --jobs 2 process's time goes (seconds after render_split_in was called; fork: the last row of")
    print("each clip is the calling process, which builds the scene, replays and draws the end; the others are its")
    print("forked copies, 'began' = the fork. spawn: process 0 is the caller, process 1 a spawned worker; 'began' after")
    print("its start and manim's import. CPU s: fork copies count from the fork, the caller from its start):\n")
    print("| clip | method | process | animations replayed | animations drawn | frames drawn | began | first frame drawn "
          "| ended | drawing | CPU s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    replays: dict[str, tuple[int, float]] = {}
    for scene in args.scenes:
        for method in args.methods:
            parts: list[dict[str, object]] = []
            for row in breakdown(*CASES[scene], args.quality, method, parts):
                print(row, flush=True)
            if method == "fork" and len(parts) == 2 and parts[1]["first_frame"]:
                copy, caller = parts
                replayed = int(copy["frames"])  # type: ignore[call-overload]
                seconds = float(caller["first_frame"]) - float(copy["began"])  # type: ignore[arg-type]
                replays[scene] = (replayed, seconds / max(1, replayed))
    print("\nProjection for a machine with a core for each process (assumptions: the drawing phase of one process")
    print("(D / F a frame, measured above, with its encoder threads) and the replay (r a frame, the caller's, measured in")
    print("the --jobs 2 breakdown while its copy drew beside it, so an upper bound) as here; h = wall --jobs 1 - D")
    print("unchanged; no contention between processes; the conductor's balance, see projected_wall):\n")
    counts = (2, 4, 16, 160)
    print("| clip | video s | frames F | h s | D / F ms | r ms | " + " | ".join(f"{n} processes" for n in counts)
          + " | floor h + r F |")
    print("|---|---|---|---|---|---|" + "---|" * len(counts) + "---|")
    for scene in args.scenes:
        if scene not in replays:
            continue
        drawing, _ = phases[scene]
        frames, fps = frame_count(*CASES[scene], args.quality)
        head = statistics.median(walls[(scene, 1)]) - drawing
        per_frame, replay = drawing / frames, replays[scene][1]
        walls_n = [projected_wall(head, frames, per_frame, replay, n) for n in counts]
        print(f"| {scene} | {frames / fps:.1f} | {frames} | {head:.2f} | {per_frame * 1000:.1f} | {replay * 1000:.1f} | "
              + " | ".join(f"{w:.2f}" for w in walls_n) + f" | {head + replay * frames:.2f} |", flush=True)


if __name__ == "__main__":
    main()
