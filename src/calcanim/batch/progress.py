"""What the user sees on stderr during a batch run: a status line per clip and one overall line
(clips done of total, elapsed, ETA), redrawn in place on a terminal."""

from __future__ import annotations

import time
from typing import TextIO

from calcanim.batch.outcome import ClipOutcome, LessonSummary


class Progress:
    """A status line per clip and one overall line: clips done of total, elapsed, ETA."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.to_render = 0
        self.rendered = 0
        self.render_started = self.started
        self.workers = 1
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self.width = max(24, min(40, self.total * 4))

    def start_rendering(self, count: int, workers: int) -> None:
        self.to_render, self.workers = count, workers
        self.render_started = time.monotonic()
        self.note(f"rendering {count} clip(s) with {workers} worker process(es)")

    def clip_done(self, outcome: ClipOutcome) -> None:
        self.done += 1
        if outcome.status != "cached":
            self.rendered += 1
        detail = f"  {outcome.seconds:5.1f} s" if outcome.status != "cached" else ""
        error = f"  {outcome.error}" if outcome.error else ""
        self._line(f"{outcome.status:<8} {outcome.name}{detail}{error}")
        if not self.live and outcome.status != "cached":
            self._line(self.overall())

    def note(self, text: str) -> None:
        self._line(text)

    def tick(self) -> None:
        if self.live:
            self._draw()

    def overall(self) -> str:
        elapsed = time.monotonic() - self.started
        filled = round(self.width * self.done / self.total) if self.total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        return f"[{bar}] {self.done}/{self.total} clips  {_clock(elapsed)} elapsed  ETA {self.eta()}"

    def eta(self) -> str:
        left = self.to_render - self.rendered
        if left <= 0:
            return "0:00"
        if self.rendered == 0:
            return "--:--"
        per_clip = (time.monotonic() - self.render_started) / self.rendered
        return _clock(per_clip * left)

    def finish(self, summary: LessonSummary) -> None:
        counts = ", ".join(f"{summary.count(s)} {s}" for s in ("rendered", "cached", "failed", "interrupted", "skipped") if summary.count(s))
        self._line(f"{summary.lesson.name}: {counts or 'nothing to do'} in {summary.seconds:.1f} s -> {summary.folder}")
        if self.live:
            self.stream.write("\n")
            self.stream.flush()

    def _line(self, text: str) -> None:
        if self.live:
            self.stream.write("\r\033[K" + text + "\n")
            self._draw()
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def _draw(self) -> None:
        self.stream.write("\r\033[K" + self.overall())
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"

