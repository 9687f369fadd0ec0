"""mypy, as configured in pyproject.toml (strict for numerics, params, plans, clip), finds nothing:
among other things it checks that every plan function returns a Plan (see calcanim.registry)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_mypy_is_clean() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
