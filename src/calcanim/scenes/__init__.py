"""manim Scene classes, one module per clip. Importing any of them imports manim.

Every clip's scene class is importable from here by name, for your own manim files::

    from calcanim.scenes import LimitClimbScene

    class MyClimb(LimitClimbScene):
        PARAMS = {"n_max": 1000, "marks": [1, 10, 100, 1000]}
        THEME = "light"

(``manim -ql myfile.py MyClimb``). The classes load on first use.
"""

from __future__ import annotations

from typing import Any


def _scene_paths() -> dict[str, str]:
    from calcanim.registry import SCENES  # the registry is the one place that wires a clip

    return {entry.scene_path.rsplit(":", 1)[1]: entry.scene_path for entry in SCENES.values()}


def __getattr__(name: str) -> Any:
    path = _scene_paths().get(name)
    if path is None:
        raise AttributeError(f"module 'calcanim.scenes' has no attribute {name!r}")
    import importlib

    module_name, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def __dir__() -> list[str]:
    return sorted([*globals(), *_scene_paths()])
