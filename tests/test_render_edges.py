"""A value `calcanim show` allows must render (issue 14): every clip played at the edges of its
documented numeric ranges (each bound pushed as far as the other params allow, one clip config with
every minimum and one with every maximum) and at a random in-range sample, through manim's scene
logic without encoding (the audit's sampling renderer: animations, updaters and run times all run).
Every config the checks accept must play to its end; the shortest configs are also encoded."""

from __future__ import annotations

import dataclasses
import math
import random
import typing
from pathlib import Path
from typing import Any

import pytest

from calcanim.clip import RenderOptions, resolve_clip
from calcanim.errors import CalcanimError
from calcanim.params.base import Bounds, SceneParams
from calcanim.registry import SCENES

pytestmark = pytest.mark.render

#: Ranges wider than this are not pushed to their bound (a 10^15 n_max, a 10^6 zoom are fine values,
#: but a point at 10^300 only tests the refusal, which the fuzz test covers).
FAR = 1e6
#: Edges are kept only while the clip lasts at most this long (s): a 120 s clip plays like a 20 s
#: one, just longer, and CI time is better spent on more clips.
LONGEST = 20.0


def numeric_fields(cls: type[SceneParams]) -> list[tuple[str, type, Bounds]]:
    hints = typing.get_type_hints(cls)
    found = []
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        bounds = f.metadata.get("bounds")
        if tp in (int, float) and bounds is not None and (bounds.low is not None or bounds.high is not None):
            found.append((f.name, tp, bounds))
    return found


def edge(tp: type, bounds: Bounds, side: str) -> Any | None:
    value = bounds.low if side == "min" else bounds.high
    if value is None or abs(value) > FAR:
        return None
    strict = bounds.low_strict if side == "min" else bounds.high_strict
    if strict:
        value = math.nextafter(value, math.inf if side == "min" else -math.inf) if tp is float else \
            (value + 1 if side == "min" else value - 1)
    return int(value) if tp is int else float(value)


def pushed(scene: str, side: str) -> dict[str, Any]:
    """Defaults with each bounded field moved to its ``side`` bound, one at a time, kept while the
    clip still resolves (some bounds exclude each other)."""
    values: dict[str, Any] = {}
    for name, tp, bounds in numeric_fields(SCENES[scene].params_class):
        value = edge(tp, bounds, side)
        if value is None:
            continue
        trial = {**values, name: value}
        if accepted(scene, trial):
            values = trial
    return values


def accepted(scene: str, values: dict[str, Any]) -> bool:
    """The clip resolves with these values and lasts at most LONGEST seconds."""
    try:
        clip = resolve_clip(scene, values, RenderOptions(quality="low"))
    except CalcanimError:
        return False
    return float(clip.plan().duration) <= LONGEST


def sampled(scene: str, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    values: dict[str, Any] = {}
    for name, tp, bounds in numeric_fields(SCENES[scene].params_class):
        low = bounds.low if bounds.low is not None else -10.0
        high = bounds.high if bounds.high is not None else 10.0
        low, high = max(low, -FAR), min(high, FAR)
        value: Any = rng.uniform(low, high) if tp is float else rng.randint(math.ceil(low), math.floor(high))
        trial = {**values, name: value}
        if accepted(scene, trial):
            values = trial
    return values


CASES = [(scene, side) for scene in SCENES for side in ("min", "max", "sample")]


@pytest.mark.parametrize(("scene", "side"), CASES)
def test_every_documented_edge_plays_to_the_end(scene: str, side: str) -> None:
    from calcanim.audit.run import audit_clip

    values = sampled(scene, seed=len(scene)) if side == "sample" else pushed(scene, side)
    clip = resolve_clip(scene, values, RenderOptions(quality="low"))
    report = audit_clip(scene, "16:9", "dark", params=clip.params)  # raises if the scene cannot play
    assert report.frames_checked >= 2, (scene, values)


@pytest.mark.parametrize("scene", list(SCENES))
def test_the_shortest_documented_clip_encodes(scene: str, tmp_path: Path) -> None:
    from calcanim.rendering import render

    fields = {f.name for f in dataclasses.fields(SCENES[scene].params_class)}
    values = {k: v for k, v in pushed(scene, "min").items() if k in ("duration", "seconds_per_h", "zoom_seconds",
                                                                       "hold_seconds") and k in fields}
    clip = resolve_clip(scene, values, RenderOptions(quality="low", captions=False))
    result = render(clip, tmp_path / "clip.mp4", progress=False)
    assert result.path.stat().st_size > 0
