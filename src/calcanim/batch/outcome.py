"""How a batch run ended: one outcome per clip and the run's summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from calcanim.lesson import Lesson


@dataclass(frozen=True)
class ClipOutcome:
    """How one clip of the run ended."""

    name: str
    status: str  # "rendered", "cached", "failed", "interrupted" (stopped while rendering), "skipped" (never started)
    seconds: float = 0.0
    error: str = ""


@dataclass
class LessonSummary:
    """What a batch run produced."""

    lesson: Lesson
    folder: Path
    manifest: Path
    gallery: Path
    outcomes: list[ClipOutcome] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[ClipOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]
