"""Audit clips: for each clip x aspect x theme, build the scene at default parameters, play it
through a :class:`SamplingRenderer` (no pixels, no video), check every snapshot and gather findings.

A finding is one problem (same kind, same texts or line) however many sampled frames show it; its
``time`` is the first frame that shows it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from calcanim.audit.checks import KINDS, Hit, check
from calcanim.errors import CalcanimError, RenderError
from calcanim.params.base import SceneParams
from calcanim.registry import SCENES, get_scene
from calcanim.stop_signals import die_with_parent
from calcanim.style.layout import ASPECTS, make_layout
from calcanim.style.themes import load_theme, theme_names

#: Frames per second the scene is stepped at: animations are functions of time, so this only sets
#: how finely updaters advance; 10 keeps every clip's logic while costing a sixth of 60 fps.
AUDIT_FPS = 10
#: Regular samples per clip, besides the ends of plays and waits.
REGULAR_SAMPLES = 10
#: The pixel shape the scene is built at (rasterised 3D views are drawn at this size). Boxes are
#: reported at 1080p-equivalent size whatever this is.
BUILD_QUALITY = "low"


@dataclass(frozen=True)
class Finding:
    time: float
    kind: str
    what: str
    detail: str


@dataclass
class ClipReport:
    scene: str
    aspect: str
    theme: str
    frames_checked: int = 0
    texts_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0  # wall time of this audit (text output only)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("seconds")
        return data


def validate(clips: Sequence[str], aspects: Sequence[str], themes: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """Resolve the command line's choices (empty = all); a bad name raises a CalcanimError."""
    names = [get_scene(c).name for c in clips] or list(SCENES)
    for aspect in aspects:
        make_layout(BUILD_QUALITY, aspect)
    for theme in themes:
        load_theme(theme)
    return names, list(aspects) or list(ASPECTS), list(themes) or theme_names()


def audit_matrix(
    clips: Sequence[str], aspects: Sequence[str], themes: Sequence[str], jobs: int = 1,
    on_report: Callable[[ClipReport], None] | None = None,
) -> list[ClipReport]:
    """Audit every combination, in order; ``jobs`` > 1 spreads them over processes."""
    combos = [(c, a, t) for c in clips for a in aspects for t in themes]
    reports: list[ClipReport] = []
    if jobs <= 1 or len(combos) <= 1:
        for combo in combos:
            reports.append(audit_clip(*combo))
            if on_report:
                on_report(reports[-1])
        return reports
    import manim  # noqa: F401  (imported once here, shared by forked workers)

    with ProcessPoolExecutor(max_workers=jobs, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        for report in pool.map(_audit_tuple, combos):
            reports.append(report)
            if on_report:
                on_report(report)
    return reports


def _audit_tuple(combo: tuple[str, str, str]) -> ClipReport:
    return audit_clip(*combo)


def audit_clip(clip: str, aspect: str, theme_name: str, params: SceneParams | None = None) -> ClipReport:
    """Build and play one clip without drawing, and check it."""
    entry = get_scene(clip)
    return audit_scene(entry.scene_class(), aspect, theme_name, params=params if params is not None else entry.params_class(),
                       name=entry.name)


def audit_scene(scene_class: type, aspect: str, theme_name: str, params: Any = None, name: str | None = None) -> ClipReport:
    """Audit any calcanim scene class (the clips, or a test scene built on CalcanimScene)."""
    import time

    from manim import tempconfig

    from calcanim.audit.probe import Sampler, SamplingRenderer
    from calcanim.audit.raster_views import rasters_recorded
    from calcanim.manim_speedups import svg_paths_shared_by_copies
    from calcanim.rendering import shared_tex_cache
    from calcanim.svg_cache import svg_disk_cache

    started = time.perf_counter()
    layout = make_layout(BUILD_QUALITY, aspect)
    theme = load_theme(theme_name)
    sampler = Sampler(interval=1.0, grid_colour=theme.grid)
    with tempfile.TemporaryDirectory(prefix="calcanim-audit-") as work_dir:
        work = Path(work_dir)
        settings = {
            "media_dir": str(work / "media"), "tex_dir": str(work / "tex"),
            "pixel_width": layout.pixel_width, "pixel_height": layout.pixel_height,
            "frame_width": layout.frame_width, "frame_height": layout.frame_height,
            "frame_rate": AUDIT_FPS, "disable_caching": True, "verbosity": "ERROR",
            "progress_bar": "none", "preview": False, "write_to_movie": False,
        }
        with (
            tempconfig(settings), shared_tex_cache(work / "tex"), svg_disk_cache(), svg_paths_shared_by_copies(),
            rasters_recorded(),
        ):
            renderer = SamplingRenderer(sampler, AUDIT_FPS)
            kwargs: dict[str, Any] = {"theme": theme, "renderer": renderer}
            if params is not None:
                kwargs["params"] = params
            try:
                scene = scene_class(**kwargs)
                duration = float(getattr(getattr(scene, "plan", None), "duration", 0.0) or 0.0)
                # A scene without a plan (a test scene) is looked at every quarter second.
                sampler.interval = max(0.25, duration / REGULAR_SAMPLES) if duration > 0 else 0.25
                scene.setup()
                scene.construct()
                scene.tear_down()
                if sampler.last_settled < renderer.time - 1e-6 or not sampler.snapshots:
                    sampler.settled(scene, renderer.time, force=True)
            except CalcanimError:
                raise
            except Exception as error:  # a scene that fails to build reaches the user as one line, like render
                label = name or scene_class.__name__
                raise RenderError(f"auditing {label} ({aspect}, {theme_name}) failed: {type(error).__name__}: {error}") from error
    report = summarise(name or scene_class.__name__, aspect, theme_name, sampler.snapshots)
    report.seconds = time.perf_counter() - started
    return report


def summarise(scene: str, aspect: str, theme: str, snapshots: Sequence[Any]) -> ClipReport:
    """Merge the hits of every snapshot into one finding per problem."""
    first: dict[tuple[object, ...], tuple[float, Hit]] = {}
    frames: dict[tuple[object, ...], int] = {}
    texts: set[int] = set()
    for shot in snapshots:
        texts.update(t.key for t in shot.texts)
        seen: set[tuple[object, ...]] = set()
        for hit in check(shot):
            if hit.key in seen:
                continue
            seen.add(hit.key)
            frames[hit.key] = frames.get(hit.key, 0) + 1
            if hit.key not in first:
                first[hit.key] = (shot.time, hit)
    findings = []
    total = len(snapshots)
    for key, (time, hit) in first.items():
        findings.append(Finding(time=time, kind=hit.kind, what=hit.what,
                                detail=f"{hit.detail} (in {frames[key]} of {total} frames checked)"))
    findings.sort(key=lambda f: (KINDS.index(f.kind), f.time, f.what))
    return ClipReport(scene=scene, aspect=aspect, theme=theme, frames_checked=total, texts_checked=len(texts),
                      findings=findings)


def to_json(reports: Sequence[ClipReport]) -> str:
    return json.dumps({"clips": [r.to_json() for r in reports]}, indent=2)


def report_text(report: ClipReport) -> str:
    """One clip's findings as a few lines."""
    head = (f"{report.scene} {report.aspect} {report.theme}: {report.frames_checked} frames, "
            f"{report.texts_checked} texts, {len(report.findings)} findings ({report.seconds:.1f} s)")
    lines = [head] + [f"  {f.time:6.2f} s  {f.kind:<12} {f.what}: {f.detail}" for f in report.findings]
    return "\n".join(lines)


def summary_text(reports: Sequence[ClipReport]) -> str:
    counts = {kind: sum(1 for r in reports for f in r.findings if f.kind == kind) for kind in KINDS}
    total = sum(counts.values())
    dirty = sum(1 for r in reports if r.findings)
    parts = ", ".join(f"{kind} {n}" for kind, n in counts.items() if n)
    return f"audit: {total} findings in {dirty} of {len(reports)} clip runs" + (f" ({parts})" if parts else "")
