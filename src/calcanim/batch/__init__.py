"""Render every clip of a lesson in parallel: the runner (:mod:`.runner`), the manifest
(:mod:`.manifest`), progress on stderr (:mod:`.progress`) and the run's outcomes (:mod:`.outcome`)."""

from calcanim.batch.manifest import MANIFEST_NAME, build_manifest, clip_record, is_complete, probe_video
from calcanim.batch.outcome import ClipOutcome, LessonSummary
from calcanim.batch.runner import GALLERY_NAME, Job, process_pool, render_job, run_lesson

__all__ = [
    "GALLERY_NAME", "MANIFEST_NAME", "ClipOutcome", "Job", "LessonSummary", "build_manifest", "clip_record",
    "is_complete", "probe_video", "process_pool", "render_job", "run_lesson",
]
