"""A lesson rendered on a Dask LocalCluster of 1, 2 and 4 worker processes, beside the local
process pool, every clip forced: wall time per configuration and the speed-up over 1 worker.

    .venv/bin/python bench/cluster_sweep.py                        # scenes/e-and-linearity.toml at -q low
    .venv/bin/python bench/cluster_sweep.py --lesson scenes/derivatives.toml --quality medium --workers 1 2

Each run is a fresh `calcanim batch --force` process, so start-up (a LocalCluster's worker processes
importing calcanim and manim) is counted, as a user would see it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(args: list[str]) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "calcanim", "batch", *args], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lesson", default="scenes/e-and-linearity.toml")
    parser.add_argument("--quality", default="low")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"lesson {args.lesson} at -q {args.quality}; {os.cpu_count()} cores; load average {load:.1f} at start\n")
    print("| how | wall s | speed-up over 1 worker |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        base = None
        for n in args.workers:
            seconds = timed([args.lesson, "-q", args.quality, "--force", "-o", f"{scratch}/c{n}", "--cluster", f"local:{n}"])
            base = base or seconds
            print(f"| LocalCluster, {n} worker(s) | {seconds:.1f} | {base / seconds:.2f}x |", flush=True)
        seconds = timed([args.lesson, "-q", args.quality, "--force", "-o", f"{scratch}/pool", "-j", "2"])
        print(f"| local process pool, 2 workers | {seconds:.1f} | {base / seconds:.2f}x |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
