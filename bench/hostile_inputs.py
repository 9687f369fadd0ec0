"""How long calcanim takes to plan (or refuse) the heavy inputs a lecturer can type: CPU seconds of
the plan alone (no manim), each case in a fresh process, printed as Markdown.

    .venv/bin/python bench/hostile_inputs.py            # every case, 3 runs each
    .venv/bin/python bench/hostile_inputs.py --runs 1

The product's limit is the symbolic work limit (calcanim.work_limit, 10 s); tests only check that a
case ends inside it (a hang guard), never how fast: speed is measured here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (clip, values, what it shows): accepted inputs that make the plan work hard, and ones it must refuse.
CASES: list[tuple[str, dict[str, object], str]] = [
    ("little-o", {"function": "(2*x + 3)**100", "x0": 0.3}, "degree-100 polynomial, exact remainder"),
    ("little-o", {"function": "(x**2 + x + 1)**50", "x0": 0.3}, "degree-100 polynomial"),
    ("little-o", {"function": "(x**4 + 3*x**3 - x + 7)**25", "x0": 0.3}, "degree-100 polynomial"),
    ("little-o", {"function": "sin(4*x) + 0.1*x**2"}, "a lecturer's everyday function"),
    ("little-o", {"function": "(x**100+1)**100"}, "refused: degree 10,000"),
    ("tangent-slide", {"function": "exp(sin(x))*cos(3*x)/(1 + x**2)"}, "nested everyday function"),
    ("zoom-linearity", {"function": "abs(x)", "point": 0.0}, "a kink at the zoom point"),
]

PROBE = """
import json, sys, time
from calcanim.clip import resolve_clip
from calcanim.errors import CalcanimError
scene, values = sys.argv[1], json.loads(sys.argv[2])
started = time.process_time()
try:
    resolve_clip(scene, values).plan()
    outcome = "planned"
except CalcanimError as error:
    outcome = "refused: " + str(error)[:60]
print(json.dumps({"cpu": time.process_time() - started, "outcome": outcome}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"runs: {args.runs}, started {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print("| clip | input | what | outcome | median CPU s of the plan | max CPU s |")
    print("|---|---|---|---|---|---|")
    for scene, values, what in CASES:
        cpus, outcome = [], ""
        for _ in range(args.runs):
            done = subprocess.run([sys.executable, "-c", PROBE, scene, json.dumps(values)], capture_output=True,
                                  text=True, check=True, cwd=ROOT)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            cpus.append(float(result["cpu"]))
            outcome = str(result["outcome"])
        shown = ", ".join(f"{k}={v}" for k, v in values.items())
        print(f"| {scene} | `{shown}` | {what} | {outcome} | {statistics.median(cpus):.2f} | {max(cpus):.2f} |", flush=True)


if __name__ == "__main__":
    main()
