"""Scene name -> params class, plan function, scene class. Imports no manim, numpy or sympy,
so `calcanim list`, `show` and `--help` answer at once.

A plan is the pure result of ``plan(params)``: every number the clip shows, with ``to_json()``
(what `calcanim inspect` prints), ``duration`` (seconds of video the scene plays) and
``poster_time`` (seconds into the clip of its most telling frame, used for the png poster).
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass
from typing import Any

from calcanim.errors import UnknownSceneError
from calcanim.params.base import SceneParams
from calcanim.params.limit_climb import LimitClimbParams
from calcanim.params.tangent_bases import TangentBasesParams
from calcanim.params.zoom_linearity import ZoomLinearityParams
from calcanim.params.secant_to_tangent import SecantToTangentParams
from calcanim.params.tangent_slide import TangentSlideParams
from calcanim.params.little_o import LittleOParams
from calcanim.params.exp_log import ExpLogParams


@dataclass(frozen=True)
class SceneEntry:
    """One clip calcanim can render."""

    name: str
    params_class: type[SceneParams]
    plan_path: str
    scene_path: str
    summary: str

    def plan(self, params: SceneParams) -> Any:
        """The numbers of the clip (no manim import)."""
        return _load(self.plan_path)(params)

    def scene_class(self) -> type:
        """The manim Scene class (imports manim)."""
        return _load(self.scene_path)


def _load(path: str) -> Any:
    module_name, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


SCENES: dict[str, SceneEntry] = {
    entry.name: entry
    for entry in [
        SceneEntry(
            name="limit-climb",
            params_class=LimitClimbParams,
            plan_path="calcanim.plans.limit_climb:plan",
            scene_path="calcanim.scenes.limit_climb:LimitClimbScene",
            summary="(1 + 1/n)^n climbs to e as n runs to a million, on a log-scaled n axis",
        ),
        SceneEntry(
            name="secant-to-tangent",
            params_class=SecantToTangentParams,
            plan_path="calcanim.plans.secant_to_tangent:plan",
            scene_path="calcanim.scenes.secant_to_tangent:SecantToTangentScene",
            summary="secant slopes (f(a+h) - f(a))/h settle on f'(a) as h shrinks, then the tangent; float64 tail optional",
        ),
        SceneEntry(
            name="tangent-bases",
            params_class=TangentBasesParams,
            plan_path="calcanim.plans.tangent_bases:plan",
            scene_path="calcanim.scenes.tangent_bases:TangentBasesScene",
            summary="b^x and its tangent at x = 0 as b sweeps; the slope ln b locks to 1 at b = e",
        ),
        SceneEntry(
            name="zoom-linearity",
            params_class=ZoomLinearityParams,
            plan_path="calcanim.plans.zoom_linearity:plan",
            scene_path="calcanim.scenes.zoom_linearity:ZoomLinearityScene",
            summary="zoom both axes into y = f(x) at a point until the curve is its tangent line",
        ),
        SceneEntry(
            name="tangent-slide",
            params_class=TangentSlideParams,
            plan_path="calcanim.plans.tangent_slide:plan",
            scene_path="calcanim.scenes.tangent_slide:TangentSlideScene",
            summary="the tangent line rides along a curve (sin(x), sin(4x) + 0.1x^2, ...); optional quadratic approximation",
        ),
        SceneEntry(
            name="gradient-descent",
            params_class=_load("calcanim.params.gradient_descent:GradientDescentParams"),
            plan_path="calcanim.plans.gradient_descent:plan",
            scene_path="calcanim.scenes.gradient_descent:GradientDescentScene",
            summary="gd, momentum, nesterov or adam at several learning rates on a loss surface: 3D, contours or both",
        ),
        SceneEntry(
            name="little-o",
            params_class=LittleOParams,
            plan_path="calcanim.plans.little_o:plan",
            scene_path="calcanim.scenes.little_o:LittleOScene",
            summary="the tangent's error r(eps) is o(eps): r/eps -> 0, beside an offset approximation whose ratio does not",
        ),
        SceneEntry(
            name="tangent-plane",
            params_class=_load("calcanim.params.tangent_plane:TangentPlaneParams"),
            plan_path="calcanim.plans.tangent_plane:plan",
            scene_path="calcanim.scenes.tangent_plane:TangentPlaneScene",
            summary="a surface g(w0, w1) and its tangent plane at a point from the gradient, the camera turning",
        ),
        SceneEntry(
            name="exp-log",
            params_class=ExpLogParams,
            plan_path="calcanim.plans.exp_log:plan",
            scene_path="calcanim.scenes.exp_log:ExpLogScene",
            summary="e^x folds across y = x into ln x; ln only for x > 0; ln 1 = 0 and ln(e^k) = k",
        ),
        # One SceneEntry per clip; add new clips above this line.
    ]
}


def get_scene(name: str) -> SceneEntry:
    """The entry for ``name``; an unknown name lists the scenes and the nearest one."""
    try:
        return SCENES[name]
    except KeyError:
        nearest = difflib.get_close_matches(name, list(SCENES), n=1, cutoff=0.4)
        hint = f"did you mean '{nearest[0]}'? " if nearest else ""
        raise UnknownSceneError(
            f"unknown scene '{name}'; {hint}available scenes: {', '.join(SCENES)} (see `calcanim list`)"
        ) from None
