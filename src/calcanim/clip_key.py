"""The cache key of a clip: a hash of everything that decides its pixels (scene, params, options,
a user theme file's contents, assets, the source that draws, calcanim's and manim's versions). Reads files
and package metadata only; imports no manim."""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from calcanim import __version__
from calcanim.style.assets import assets_dir
from calcanim.style.themes import theme_key

#: The parts of calcanim that cannot change what a clip looks like: the command line and the Python
#: API (the options and params they build are in the key), the batch runner and its gallery page,
#: slides cut from finished clips, the audit of finished clips, reading lessons, error texts, file writing,
#: signals, the viewer and the progress line.
#: Every other Python file of the package (scenes, plans, the renderer, the speed-ups that reach into
#: manim, number formatting, and any module added later) is in the key: a module nobody listed
#: costs a re-render, never a stale clip.
NOT_PIXEL_SOURCES = (
    "__main__.py", "cli.py", "api.py", "batch", "slides", "audit", "gallery.py", "lesson.py", "watch.py",
    "suggest.py", "errors.py", "files.py", "json_data.py", "stop_signals.py", "rendering/viewer.py",
    "rendering/progress.py",
)
#: The package whose source :func:`code_digest` hashes.
PACKAGE = Path(__file__).resolve().parent


def _tree_digest(root: Path, pattern: str, skip: tuple[str, ...] = ()) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        relative = path.relative_to(root).as_posix()
        if relative in skip or relative.split("/", 1)[0] in skip:
            continue
        digest.update(relative.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def assets_digest() -> str:
    """A hash of every asset file (themes, TeX preamble): changing one invalidates cached clips."""
    return _tree_digest(assets_dir(), "*")


@functools.cache
def code_digest(package: Path = PACKAGE) -> str:
    """A hash of the source that draws clips (every ``*.py`` of the package but :data:`NOT_PIXEL_SOURCES`):
    a changed scene invalidates cached clips even before a release, an edit to the CLI or the gallery
    page does not."""
    return _tree_digest(package, "*.py", NOT_PIXEL_SOURCES)


@functools.cache
def manim_version() -> str | None:
    """manim's installed version, read from package metadata (importing manim takes seconds)."""
    try:
        return metadata.version("manim")
    except metadata.PackageNotFoundError:
        return None


def clip_key(scene: str, params: dict[str, Any], options: dict[str, Any]) -> str:
    """A stable hash of the clip's scene name, plain params and plain options (a user theme by its
    contents, not its path), with the assets, the drawing source and calcanim's and manim's versions."""
    if "theme" in options:  # a user theme by its contents, not its path
        options = {**options, "theme": theme_key(options["theme"])}
    payload = {
        "scene": scene,
        "params": params,
        "options": options,
        "assets": assets_digest(),
        "code": code_digest(),
        "version": __version__,
        "manim": manim_version(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
