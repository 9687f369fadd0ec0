"""The cache key of a clip: a hash of everything that decides its pixels (scene, params, options,
assets, the source that draws, calcanim's version). Reads files only; imports no manim."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from calcanim import __version__
from calcanim.style.assets import assets_dir
from calcanim.style.themes import theme_key

#: The parts of calcanim that decide what a clip looks like (not the CLI, batch runner or gallery page).
PIXEL_SOURCES = (
    "scenes", "plans", "params", "numerics", "style", "raster", "expr.py", "render", "captions.py",
    "clip.py", "clip_key.py", "formats.py",
)


def _tree_digest(root: Path, pattern: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def assets_digest() -> str:
    """A hash of every asset file (themes, TeX preamble): changing one invalidates cached clips."""
    return _tree_digest(assets_dir(), "*")


@functools.cache
def code_digest() -> str:
    """A hash of the source that draws clips: a changed scene invalidates cached clips even before a
    release, while an edit to the CLI or the gallery page does not."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for part in PIXEL_SOURCES:
        path = package / part
        digest.update(part.encode())
        if path.is_dir():
            digest.update(_tree_digest(path, "*.py").encode())
        elif path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def clip_key(scene: str, params: dict[str, Any], options: dict[str, Any]) -> str:
    """A stable hash of the clip's scene name, plain params and plain options, with the assets,
    the drawing source and the version."""
    if "theme" in options:  # a user theme by its contents, not its path
        options = {**options, "theme": theme_key(options["theme"])}
    payload = {
        "scene": scene,
        "params": params,
        "options": options,
        "assets": assets_digest(),
        "code": code_digest(),
        "version": __version__,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
