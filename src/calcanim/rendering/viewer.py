"""Opening a finished file in the desktop's viewer (``--preview``)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def open_in_viewer(path: Path) -> str | None:
    """Open a finished file in the desktop's viewer; returns a note when there is none (headless)."""
    opener = {"darwin": "open", "win32": "start"}.get(sys.platform, "xdg-open")
    if shutil.which(opener) is None or (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")):
        return f"--preview: no screen or viewer here; open {path} yourself"
    import subprocess

    subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return None
