"""The cache key of a clip: a hash of everything that decides its pixels (scene, params, options,
the theme's contents, assets, the source that draws, calcanim's and manim's versions). Reads files
and package metadata only; imports no manim."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from calcanim import __version__
from calcanim.style.assets import assets_dir
from calcanim.style.themes import load_theme

#: The parts of calcanim that decide what a clip looks like (not the CLI, batch runner or gallery page):
#: everything a worker runs to draw, including the speed-ups that reach into manim.
PIXEL_SOURCES = (
    "scenes", "plans", "params", "numerics", "style", "raster", "expr.py", "render", "captions.py",
    "clip.py", "clip_key.py", "formats.py", "manim_speedups.py", "svg_cache.py",
)
#: The package whose source :func:`code_digest` hashes.
PACKAGE = Path(__file__).resolve().parent


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
def code_digest(package: Path = PACKAGE) -> str:
    """A hash of the source that draws clips: a changed scene invalidates cached clips even before a
    release, while an edit to the CLI or the gallery page does not."""
    digest = hashlib.sha256()
    for part in PIXEL_SOURCES:
        path = package / part
        digest.update(part.encode())
        if path.is_dir():
            digest.update(_tree_digest(path, "*.py").encode())
        elif path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def manim_version() -> str | None:
    """manim's installed version, read from package metadata (importing manim takes seconds)."""
    try:
        return metadata.version("manim")
    except metadata.PackageNotFoundError:
        return None


def theme_contents(theme: str) -> dict[str, Any]:
    """What a theme draws with (every colour and scale), read afresh: editing a user's theme file
    changes the key of the clips that use it."""
    values = dataclasses.asdict(load_theme(theme))
    values.pop("name", None)
    return values


def clip_key(scene: str, params: dict[str, Any], options: dict[str, Any]) -> str:
    """A stable hash of the clip's scene name, plain params and plain options, with the theme's
    contents, the assets, the drawing source and calcanim's and manim's versions."""
    payload = {
        "scene": scene,
        "params": params,
        "options": options,
        "theme": theme_contents(str(options.get("theme", ""))) if options.get("theme") else None,
        "assets": assets_digest(),
        "code": code_digest(),
        "version": __version__,
        "manim": manim_version(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
