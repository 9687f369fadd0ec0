"""Watch a parameter file and render again whenever it changes, in one warm process.

A fresh ``calcanim render`` spends about a second importing manim and reading the clip's formulas
before its first frame; a watching process pays that once, so each saved edit of the parameters
is back as a preview in about the time its frames take (bench/RESULTS.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from calcanim.errors import CalcanimError

#: How often the file is looked at, and how long it must stay unchanged before it is read
#: (editors may write a file in more than one step).
POLL_SECONDS = 0.1
SETTLE_SECONDS = 0.05

Stamp = tuple[int, int] | None


def stamp(path: Path) -> Stamp:
    """What changes when the file is saved: modification time and size (None while it is missing)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


def watch(
    path: Path,
    render_once: Callable[[], None],
    report_error: Callable[[str], None],
    *,
    sleep: Callable[[float], None] = time.sleep,
    keep_going: Callable[[], bool] = lambda: True,
) -> None:
    """Call ``render_once`` now and after every change of ``path``, until ``keep_going`` says stop
    (or Ctrl-C). A CalcanimError from a render (a bad value in the file, say) is reported as one
    line and the watch goes on, so the next save can fix it."""
    seen = stamp(path)
    _attempt(render_once, report_error)
    while keep_going():
        sleep(POLL_SECONDS)
        now = stamp(path)
        if now == seen:
            continue
        sleep(SETTLE_SECONDS)
        seen = stamp(path)
        if seen is None:
            report_error(f"{path} is gone; waiting for it to come back")
            continue
        _attempt(render_once, report_error)


def _attempt(render_once: Callable[[], None], report_error: Callable[[str], None]) -> None:
    try:
        render_once()
    except CalcanimError as error:
        report_error(str(error))
