"""calcanim's benchmark: our clips beside the plain-manim reference clips and the encode floor,
in one run, on this machine, printed as a Markdown report with ratios.

    .venv/bin/python bench/run.py                      # everything (long: ~30-60 min on 2 cores)
    .venv/bin/python bench/run.py --qualities low      # quick look
    .venv/bin/python bench/run.py --scenes limit-climb --qualities low high

Every measurement is a fresh process (`calcanim render --force`, `manim render`, `encode_floor.py`),
timed by wall clock, with its peak resident memory. Ratios compare *seconds of wall time per second
of video*, since our clips and the references do not last exactly as long.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REFERENCE = SHARED / "reference"
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
CALCANIM = [PYTHON, "-m", "calcanim"]
QUALITIES = {"low": ("-ql", 854, 480, 15), "medium": ("-qm", 1280, 720, 30), "high": ("-qh", 1920, 1080, 60)}


@dataclass(frozen=True)
class Case:
    """One of our clips, with the plain-manim reference that draws the same picture (if any)."""

    scene: str
    settings: tuple[str, ...] = ()
    reference: str | None = None  # "file.py:SceneClass"
    three_d: bool = False


CASES = [
    Case("limit-climb", ("duration=8",), "limit_climb.py:LimitClimb"),
    Case("tangent-bases", (), "tangent_bases.py:TangentBases"),
    Case("zoom-linearity", (), "zoom_linearity.py:ZoomLinearity"),
    # The reference's picture: 0.5x^2 + 2y^2 on [-3, 3]^2, GD at lr 0.2 from (2.8, 1.4) for 25 steps, a 10 s
    # clip with the camera turning 0.15 rad/s (86 degrees); ours at its default 48x48 faces (reference 24x24).
    Case("gradient-descent", ("view=surface", "surface=custom", "loss=0.5*x**2 + 2*y**2", "x_range=[-3, 3]",
                              "y_range=[-3, 3]", "z_range=[0, 10]", "start=[2.8, 1.4]", "learning_rates=[0.2]",
                              "steps=25", "duration=6", "camera_turn=86"),
         "gradient_descent.py:GradientDescent3D", three_d=True),
    Case("secant-to-tangent"),
    Case("tangent-slide"),
    Case("little-o"),
    Case("exp-log"),
    Case("tangent-plane", three_d=True),
    Case("backprop"),
    Case("activations"),
    Case("vanishing-gradients"),
    Case("loss-functions"),
    Case("descent-1d"),
]


@dataclass
class Measurement:
    what: str
    quality: str
    wall: float
    video_seconds: float
    peak_mb: float
    ok: bool = True
    note: str = ""
    cpu: float = math.nan  # user + system CPU seconds of the process tree

    @property
    def cores(self) -> float:
        """CPU seconds per wall second: how many cores the process kept busy on average."""
        return self.cpu / self.wall if self.wall else math.nan

    @property
    def wall_per_video_second(self) -> float:
        return self.wall / self.video_seconds if self.video_seconds else math.nan

    @property
    def speed(self) -> float:
        """Seconds of video per wall second."""
        return self.video_seconds / self.wall if self.wall else math.nan


@dataclass
class Row:
    case: str
    quality: str
    ours: Measurement
    reference: Measurement | None = None
    floor: Measurement | None = None
    extra: dict = field(default_factory=dict)


class Timing(NamedTuple):
    wall: float
    peak_mb: float
    result: subprocess.CompletedProcess
    cpu: float


def timed(command: list[str], cwd: Path | None = None, env: dict | None = None) -> Timing:
    """Run a command in a fresh process: wall seconds, peak RSS (MB) and CPU seconds of that process tree."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - t\n"
        "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr)\n"
        "print(f'@@BENCH {wall} {use.ru_maxrss / 1024} {p.returncode} {use.ru_utime + use.ru_stime}')\n"
    )
    result = subprocess.run([PYTHON, "-c", probe, *command], capture_output=True, text=True, cwd=cwd, env=env)
    line = [l for l in result.stdout.splitlines() if l.startswith("@@BENCH")][-1]
    _, wall, rss, code, cpu = line.split()
    result.returncode = int(code)
    return Timing(float(wall), float(rss), result, float(cpu))


def video_seconds(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        return float(container.duration / av.time_base)


def measure_ours(case: Case, quality: str) -> Measurement:
    out = OUT / f"{case.scene}-{quality}.mp4"
    command = [*CALCANIM, "render", case.scene, "-q", quality, "--force", "-o", str(out)]
    for setting in case.settings:
        command += ["--set", setting]
    wall, rss, result, cpu = timed(command, cwd=ROOT)
    if result.returncode != 0:
        return Measurement(case.scene, quality, wall, 0.0, rss, ok=False, note=result.stderr.strip()[-300:], cpu=cpu)
    return Measurement(case.scene, quality, wall, video_seconds(out), rss, cpu=cpu)


def measure_reference(case: Case, quality: str) -> Measurement | None:
    if case.reference is None:
        return None
    file, scene_class = case.reference.split(":")
    flag = QUALITIES[quality][0]
    with tempfile.TemporaryDirectory(prefix="calcanim-bench-ref-") as media:
        command = [str(Path(PYTHON).with_name("manim")), "render", flag, "--disable_caching", "--media_dir", media,
                   "--progress_bar", "none", "--verbosity", "ERROR", str(REFERENCE / file), scene_class]
        wall, rss, result, cpu = timed(command, cwd=Path(media))
        movies = list(Path(media).rglob(f"{scene_class}.mp4"))
        if result.returncode != 0 or not movies:
            return Measurement(f"reference {file}", quality, wall, 0.0, rss, ok=False, note=result.stderr.strip()[-300:],
                               cpu=cpu)
        return Measurement(f"reference {file}", quality, wall, video_seconds(movies[0]), rss, cpu=cpu)


def measure_floor(quality: str, seconds: float) -> Measurement:
    _, width, height, fps = QUALITIES[quality]
    whole = max(1, math.ceil(seconds))
    wall, rss, result, cpu = timed([PYTHON, str(REFERENCE / "encode_floor.py"), str(width), str(height), str(fps), str(whole)])
    return Measurement("encode floor", quality, wall, float(whole), rss, ok=result.returncode == 0, cpu=cpu)


def measure_startup() -> list[tuple[str, float]]:
    """Wall time of the quick commands (best of 3), including interpreter start."""
    cached = OUT / "startup-cached.mp4"
    subprocess.run([*CALCANIM, "render", "limit-climb", "-q", "low", "--set", "duration=1", "-o", str(cached)],
                   cwd=ROOT, capture_output=True)
    commands = {
        "calcanim list": ["list"],
        "calcanim show limit-climb": ["show", "limit-climb"],
        "calcanim inspect limit-climb": ["inspect", "limit-climb", "--format", "json"],
        "calcanim inspect zoom-linearity": ["inspect", "zoom-linearity", "--format", "json"],
        "calcanim render (fully cached)": ["render", "limit-climb", "-q", "low", "--set", "duration=1", "-o", str(cached)],
    }
    results = []
    for label, args in commands.items():
        best = min(timed([*CALCANIM, *args], cwd=ROOT)[0] for _ in range(3))
        results.append((label, best))
    return results


def measure_watch(case: Case, saves: int = 3) -> list[tuple[float, float]]:
    """Warm 480p15 previews: `calcanim render --watch` re-rendering after each save of its parameter
    file, timed from the save to the printed path (so the file polling is included).
    Returns (wall seconds, video seconds) per save."""
    import select

    folder = Path(tempfile.mkdtemp(prefix="calcanim-bench-watch-"))
    config = folder / "params.toml"
    config.write_text("".join(f"{setting}\n" for setting in case.settings))
    out = folder / f"{case.scene}.mp4"
    command = [*CALCANIM, "render", case.scene, "--config", str(config), "--watch", "-q", "low", "--force",
               "-o", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    results = []
    try:
        if not process.stdout.readline():  # the first (cold) render
            return []
        for _ in range(saves):
            time.sleep(0.5)
            config.write_text(config.read_text())  # same parameters, a new save
            started = time.perf_counter()
            ready, _, _ = select.select([process.stdout], [], [], 120)
            if not ready or not process.stdout.readline():
                break
            results.append((time.perf_counter() - started, video_seconds(out)))
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    return results


def measure_batch(lesson: Path) -> dict[int, Timing]:
    """A whole lesson at low quality with 1 and with 2 jobs, forced (nothing cached)."""
    results = {}
    for jobs in (1, 2):
        out = OUT / f"batch-{jobs}"
        shutil.rmtree(out, ignore_errors=True)
        timing = timed([*CALCANIM, "batch", str(lesson), "-q", "low", "--force", "-j", str(jobs), "-o", str(out)], cwd=ROOT)
        results[jobs] = timing if timing.result.returncode == 0 else timing._replace(wall=math.nan)
    return results


def fmt(value: float, digits: int = 2) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def report(rows: list[Row], startup: list[tuple[str, float]], batches: dict[Path, dict[int, Timing]],
           watched: dict[str, list[tuple[float, float]]]) -> str:
    lines = [
        f"## Run of {time.strftime('%Y-%m-%d %H:%M %Z')}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}",
        "",
        "Wall = wall-clock seconds of a fresh process; s/s = seconds of video per wall second; "
        "ratios are wall seconds per video second, ours over theirs (below 1 means calcanim is faster).",
        "",
        "Cores = CPU seconds per wall second of our render (x264 encodes on its own threads while the scene draws).",
        "",
        "| clip | quality | video s | calcanim wall s | s/s | cores | peak MB | reference wall s | ref s/s | ours/ref | "
        "floor wall s | ours/floor | calcanim faster by |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ours, ref, floor = row.ours, row.reference, row.floor
        if not ours.ok:
            lines.append(f"| {row.case} | {row.quality} | failed: {ours.note.splitlines()[-1] if ours.note else ''} |"
                         + " |" * 10)
            continue
        ratio_ref = ours.wall_per_video_second / ref.wall_per_video_second if ref and ref.ok else math.nan
        ratio_floor = ours.wall_per_video_second / floor.wall_per_video_second if floor and floor.ok else math.nan
        lines.append(
            f"| {row.case} | {row.quality} | {fmt(ours.video_seconds, 1)} | {fmt(ours.wall)} | {fmt(ours.speed)} | "
            f"{fmt(ours.cores)} | "
            f"{fmt(ours.peak_mb, 0)} | {fmt(ref.wall) if ref else '-'} | {fmt(ref.speed) if ref else '-'} | "
            f"{fmt(ratio_ref)} | {fmt(floor.wall) if floor else '-'} | {fmt(ratio_floor)} | "
            f"{fmt(1 / ratio_ref, 1) + 'x' if ref and ref.ok and ratio_ref else '-'} |"
        )
    if startup:
        lines += ["", "| quick command | best of 3, wall s |", "|---|---|"]
        lines += [f"| {label} | {fmt(seconds, 3)} |" for label, seconds in startup]
    if watched:
        lines += ["", "Warm previews at 480p15: `calcanim render --watch` (manim stays loaded) re-rendering after a "
                  "save of its parameter file, from the save to the printed path.", "",
                  "| clip | video s | re-render wall s (each save) | best s/s |", "|---|---|---|---|"]
        for scene, runs in watched.items():
            if runs:
                best = min(wall for wall, _ in runs)
                lines.append(f"| {scene} | {fmt(runs[0][1], 1)} | {', '.join(fmt(w) for w, _ in runs)} | "
                             f"{fmt(runs[0][1] / best)} |")
    if batches:
        lines += ["", "Lesson batches at low quality, forced. A perfect 2-job run keeps both cores busy, so its speed-up"
                  " over 1 job is at most 2 / (cores the 1-job run already used).", "",
                  "| lesson | 1 job wall s | 1 job CPU s | cores used by 1 job | bound for 2 jobs | 2 jobs wall s | "
                  "2 jobs CPU s | speed-up |", "|---|---|---|---|---|---|---|---|"]
        for lesson, runs in batches.items():
            one, two = runs[1], runs[2]
            cores = one.cpu / one.wall if one.wall else math.nan
            lines.append(f"| `{lesson.relative_to(ROOT)}` | {fmt(one.wall)} | {fmt(one.cpu)} | {fmt(cores)} | "
                         f"{fmt(2 / cores if cores else math.nan)}x | {fmt(two.wall)} | {fmt(two.cpu)} | "
                         f"{fmt(one.wall / two.wall if two.wall else math.nan)}x |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenes", nargs="*", help="clips to measure (default: all registered)")
    parser.add_argument("--qualities", nargs="*", default=list(QUALITIES), choices=list(QUALITIES))
    parser.add_argument("--no-reference", action="store_true", help="skip the plain-manim references")
    parser.add_argument("--no-startup", action="store_true")
    parser.add_argument("--no-watch", action="store_true", help="skip the warm --watch previews")
    parser.add_argument("--lessons", type=Path, nargs="*", default=sorted((ROOT / "scenes").glob("*.toml")),
                        help="lesson files for the 1-vs-2 jobs batch measurement (default: every lesson in scenes/; "
                             "none to skip)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    from calcanim.registry import SCENES

    OUT.mkdir(parents=True, exist_ok=True)
    cases = [c for c in CASES if c.scene in SCENES and (not args.scenes or c.scene in args.scenes)]
    rows: list[Row] = []
    for quality in args.qualities:
        for case in cases:
            print(f"bench: {case.scene} at {quality} ...", file=sys.stderr, flush=True)
            ours = measure_ours(case, quality)
            ref = None if args.no_reference else measure_reference(case, quality)
            floor = measure_floor(quality, ours.video_seconds) if ours.ok else None
            rows.append(Row(case.scene, quality, ours, ref, floor))
            print(f"bench:   ours {fmt(ours.wall)} s" + (f", reference {fmt(ref.wall)} s" if ref else "")
                  + (f", floor {fmt(floor.wall)} s" if floor else ""), file=sys.stderr, flush=True)
    startup = [] if args.no_startup else measure_startup()
    watched = {} if args.no_watch else {
        case.scene: measure_watch(case) for case in cases if not case.three_d
    }
    batches = {lesson.resolve(): measure_batch(lesson) for lesson in args.lessons}
    text = report(rows, startup, batches, watched)
    (OUT / "last-report.md").write_text(text + "\n")
    (OUT / "last-run.json").write_text(json.dumps([
        {"case": r.case, "quality": r.quality, "ours": asdict(r.ours),
         "reference": asdict(r.reference) if r.reference else None, "floor": asdict(r.floor) if r.floor else None}
        for r in rows], indent=2))
    print(text)


if __name__ == "__main__":
    main()
