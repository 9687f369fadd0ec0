"""Scene name -> params class, plan function, scene class. Imports no manim, numpy or sympy,
so `calcanim list`, `show` and `--help` answer at once.

This is the one place that wires a clip: its params class, its plan function (a
:class:`calcanim.plans.base.Plan`) and its scene class. Plans and scenes load lazily, by path.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from calcanim.errors import UnknownSceneError, quoted
from calcanim.params.base import SceneParams
from calcanim.params.descent_1d import Descent1DParams
from calcanim.params.exp_log import ExpLogParams
from calcanim.params.gradient_descent import GradientDescentParams
from calcanim.params.limit_climb import LimitClimbParams
from calcanim.params.little_o import LittleOParams
from calcanim.params.secant_to_tangent import SecantToTangentParams
from calcanim.params.tangent_bases import TangentBasesParams
from calcanim.params.tangent_plane import TangentPlaneParams
from calcanim.params.tangent_slide import TangentSlideParams
from calcanim.params.zoom_linearity import ZoomLinearityParams
from calcanim.params.activations import ActivationsParams
from calcanim.params.backprop import BackpropParams
from calcanim.params.loss_functions import LossFunctionsParams
from calcanim.params.vanishing_gradients import VanishingGradientsParams
from calcanim.suggest import did_you_mean
from calcanim.work_limit import symbolic_work_limit

if TYPE_CHECKING:
    from calcanim.plans.base import Plan


@dataclass(frozen=True)
class SceneEntry:
    """One clip calcanim can render."""

    name: str
    params_class: type[SceneParams]
    plan_path: str
    scene_path: str
    summary: str
    #: Rough wall time of one frame against a 2D clip's (the 3D views draw every face of the surface
    #: every frame: ~3x in bench/RESULTS.md). Only used to start long batch jobs first.
    frame_cost: float = 1.0

    def plan(self, params: SceneParams) -> Plan:
        """The numbers of the clip (no manim import), within the CPU-time limit of symbolic work."""
        with symbolic_work_limit(
            f"{self.name}: working out the clip's numbers", hint="choose a simpler function or other values"
        ):
            plan: Plan = _load(self.plan_path)(params)
        return plan

    def scene_class(self) -> type:
        """The manim Scene class (imports manim)."""
        return _load(self.scene_path)


def _load(path: str) -> Any:
    module_name, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def _clip(params_class: type[SceneParams], summary: str, frame_cost: float = 1.0) -> SceneEntry:
    """The entry of the clip ``params_class.scene_name``: its plan and scene live in plans/<name>.py and
    scenes/<name>.py (dashes as underscores), the scene class named like the params class (XParams -> XScene)."""
    name = params_class.scene_name
    module = name.replace("-", "_")
    scene_class = params_class.__name__.removesuffix("Params") + "Scene"
    return SceneEntry(
        name=name,
        params_class=params_class,
        plan_path=f"calcanim.plans.{module}:plan",
        scene_path=f"calcanim.scenes.{module}:{scene_class}",
        summary=summary,
        frame_cost=frame_cost,
    )


#: Every clip, in the order of the lessons: e and the slope-1 base, local linearity, derivatives, descent.
SCENES: dict[str, SceneEntry] = {
    entry.name: entry
    for entry in [
        _clip(LimitClimbParams,
              "a sequence (default (1 + 1/n)^n) climbs to its limit (e) on a log-scaled n axis, up to n = 10^15"),
        _clip(TangentBasesParams,
              "b^x and its tangent at x = 0 as b sweeps; the slope ln b locks to 1 at b = e"),
        _clip(ExpLogParams,
              "e^x folds across y = x into ln x; ln only for x > 0; ln 1 = 0 and ln(e^k) = k"),
        _clip(ZoomLinearityParams,
              "zoom both axes into y = f(x) at a point until the curve is its tangent line"),
        _clip(SecantToTangentParams,
              "secant slopes (f(a+h) - f(a))/h settle on f'(a) as h shrinks, then the tangent; float64 tail optional"),
        _clip(TangentSlideParams,
              "the tangent line rides along a curve (sin(x), sin(4x) + 0.1x^2, ...); optional quadratic approximation"),
        _clip(LittleOParams,
              "the tangent's error r(eps) is o(eps): r/eps -> 0, beside an offset approximation whose ratio does not"),
        _clip(TangentPlaneParams,
              "a surface g(w0, w1) and its tangent plane at a point from the gradient, the camera turning",
              frame_cost=3.0),
        _clip(GradientDescentParams,
              "gd, momentum, nesterov or adam at several learning rates on a loss surface: 3D, contours or both",
              frame_cost=3.0),
        _clip(Descent1DParams,
              "gradient descent on a curve y = f(x): a ball hops by eta times the slope, one run per learning rate"),
        _clip(BackpropParams,
              "forward then backward pass on an expression's computation graph (micrograd's neuron by default)"),
        _clip(ActivationsParams,
              "sigmoid, tanh, relu, leaky_relu, gelu, softplus, silu with their derivatives; saturation shaded"),
        _clip(VanishingGradientsParams,
              "the chain rule through depth: prod weight * act'(z_k) on a log axis, vanishing or exploding"),
        _clip(LossFunctionsParams,
              "mse, mae, huber, hinge, log_loss and their gradients; a prediction slides to the target"),
        # One entry per clip; add new clips above this line.
    ]
}


def get_scene(name: str) -> SceneEntry:
    """The entry for ``name``; an unknown name lists the scenes and the nearest one."""
    if not isinstance(name, str):
        raise UnknownSceneError(f"a scene is named by text such as 'limit-climb', got {name!r} (see `calcanim list`)")
    try:
        return SCENES[name]
    except KeyError:
        hint = did_you_mean(name, SCENES, cutoff=0.4)
        raise UnknownSceneError(
            f"unknown scene {quoted(name)}; {hint}available scenes: {', '.join(SCENES)} (see `calcanim list`)"
        ) from None


def entry_of_scene(scene_class: type) -> SceneEntry:
    """The entry whose scene is ``scene_class`` (a scene built without params takes its defaults here)."""
    # manim's own command line loads a scene file under a made-up module name: match its last part.
    # A lecturer's subclass (class MyClimb(LimitClimbScene)) takes the entry of the clip it extends.
    for klass in scene_class.__mro__:
        path = f"{klass.__module__.rsplit('.', 1)[-1]}:{klass.__qualname__}"
        for entry in SCENES.values():
            if entry.scene_path.rsplit(".", 1)[-1] == path:
                return entry
    raise UnknownSceneError(
        f"{scene_class.__qualname__} is not a registered clip; add it to calcanim.registry.SCENES"
    )


if TYPE_CHECKING:  # mypy checks that every plan function takes its params and returns a Plan
    from collections.abc import Callable

    from calcanim.plans import (
        activations, backprop, descent_1d, exp_log, gradient_descent, limit_climb, little_o, loss_functions, secant_to_tangent,
        tangent_bases, tangent_plane, tangent_slide, vanishing_gradients, zoom_linearity,
    )

    _PLANS: tuple[Callable[..., Plan], ...] = (
        limit_climb.plan, tangent_bases.plan, exp_log.plan, zoom_linearity.plan, secant_to_tangent.plan,
        tangent_slide.plan, little_o.plan, tangent_plane.plan, gradient_descent.plan, backprop.plan,
        activations.plan, vanishing_gradients.plan, loss_functions.plan, descent_1d.plan,
    )
