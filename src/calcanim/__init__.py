"""calcanim: lecture-ready video clips of calculus for machine learning, built on manim.

From Python::

    import calcanim
    numbers = calcanim.inspect("limit-climb", n_max=1000, marks=[1, 10, 100, 1000])
    clip = calcanim.render("gradient-descent", quality="low", output="gd.mp4", learning_rates=[0.02, 0.1])

Bad values raise :class:`calcanim.CalcanimError` (a ValueError) with the command line's one-line message.
The scene classes, for subclassing in your own manim file, are in :mod:`calcanim.scenes`.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["CalcanimError", "RenderedClip", "__version__", "inspect", "render", "render_lesson", "resolve"]

#: Loaded on first use, so that `import calcanim.numerics` (or the CLI's `list`) loads nothing else.
_LAZY = {
    "CalcanimError": "calcanim.errors",
    "inspect": "calcanim.api",
    "render_lesson": "calcanim.api",
    "render": "calcanim.api",
    "resolve": "calcanim.api",
    "RenderedClip": "calcanim.api",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'calcanim' has no attribute {name!r}")
