"""One progress line for a whole render (not manim's bar per animation): frames drawn of the
clip's total, percent, elapsed and an estimate of the time left."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

#: ``progress(frames_done, frames_total)``, called after every frame the scene hands to the encoder.
FrameProgress = Callable[[int, int], None]


class TerminalBar:
    """``rendering limit-climb  [##########..........]  52%  3.1 s, about 2.9 s left`` on one line,
    redrawn at most ten times a second; :meth:`close` clears it."""

    def __init__(self, stream: TextIO, label: str, *, width: int = 24, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.label, self.width, self.clock = stream, label, width, clock
        self.started = clock()
        self.drawn_at = -1.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if done < total and now - self.drawn_at < 0.1:
            return
        self.drawn_at = now
        self.stream.write("\r" + self.text(done, total, now - self.started) + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def text(self, done: int, total: int, elapsed: float) -> str:
        """The line for ``done`` of ``total`` frames after ``elapsed`` seconds.

        >>> TerminalBar(None, "limit-climb", width=10).text(50, 200, 2.0)  # type: ignore[arg-type]
        'rendering limit-climb  [##........]  25%  2.0 s, about 6.0 s left'
        """
        fraction = min(1.0, done / total) if total > 0 else 0.0
        filled = int(round(fraction * self.width))
        bar = "#" * filled + "." * (self.width - filled)
        left = f", about {elapsed * (1 - fraction) / fraction:.1f} s left" if 0 < fraction < 1 else ""
        return f"rendering {self.label}  [{bar}]  {fraction * 100:.0f}%  {elapsed:.1f} s{left}"

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
