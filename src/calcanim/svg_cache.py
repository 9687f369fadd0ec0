"""A disk cache of the shapes manim parses out of SVG files (TeX formulas, Text), shared by every render.

Every render is a fresh process, and turning the already-compiled TeX SVGs into VMobjects
(svgelements parsing, then one VMobject per glyph) cost 0.4-1.0 s of CPU per render at 480p
(limit-climb, tangent-bases, zoom-linearity), paid again by every batch worker; manim's own cache (``SVG_HASH_TO_MOB_MAP``) only lives as long as the process.

While :func:`svg_disk_cache` is active, ``SVGMobject.generate_mobject`` -- the narrowest step whose
input is the SVG file and whose output is the submobjects (plus ``id_to_vgroup_dict``, which
MathTex uses to split a formula into its parts) -- first looks for a pickle of its result, keyed by
the sha256 of the SVG's bytes and of everything else the parse reads: ``svg_default`` (written into
the SVG as default style), ``path_string_config`` (VMobjectFromSVGPath keyword arguments), the
renderer, any ``Mobject.set_default`` defaults of the shape classes, and the versions of manim,
svgelements, numpy and this format. ``should_center``, ``height``, ``width`` and the colour
arguments are not in the key because manim applies them after ``generate_mobject`` returns
(``set_style``, ``move_into_position``, ``init_colors``), on cached shapes exactly as on parsed ones.

On a miss, manim parses as usual and the result is written atomically (temp file + ``os.replace``).
The pickle leaves out each glyph's svgelements ``path_obj``: manim reads it only while building the
glyph's points (``VMobjectFromSVGPath.generate_points``), never afterwards, so a cached glyph has
``path_obj = None``. A cache file that cannot be read or does not unpickle to what is expected is
ignored and replaced by a fresh parse: each file starts with its key and the sha256 of the pickle,
so a truncated or bit-flipped file is never unpickled. Pickles are loaded with an unpickler that
resolves only the few numpy and manim names a parsed SVG contains, from a folder owned by the user.

Nothing is ever evicted: each distinct SVG (formula, Text string and style) adds one file of
~10-45 KB, and files keyed by an older manim, svgelements, numpy or format are simply never read
again. Deleting the folder is always safe.

Set ``CALCANIM_SVG_CACHE=0`` to turn the cache off (manim parses every SVG again).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from calcanim.files import atomic_target

#: Bump when the pickled payload changes shape, so old files are simply never looked up again.
FORMAT_VERSION = 1
#: A cache file is this, its key (64 hex digits), the sha256 of the pickle (32 bytes), the pickle.
_MAGIC = b"calcanim svg cache\n"

#: The methods generate_mobject runs through. A class that overrides any of them parses its own way,
#: so it is not served from the cache (none of manim's TeX or Text classes do; Typst does).
_PARSE_METHODS = (
    "generate_mobject",
    "get_file_path",
    "modify_xml_tree",
    "generate_config_style_dict",
    "get_mobjects_from",
    "get_mob_from_shape_element",
    "handle_transform",
    "apply_style_to_mobject",
    "path_to_mobject",
    "line_to_mobject",
    "rect_to_mobject",
    "ellipse_to_mobject",
    "polygon_to_mobject",
    "polyline_to_mobject",
    "text_to_mobject",
    "get_mobject_type_class",
    "flip",
    "rotate",
    "rotate_sheen_direction",
)

#: numpy's own names in an array pickle (numpy 1.x and 2.x spell the module differently).
_NUMPY_MODULES = {"numpy", "numpy.core.multiarray", "numpy._core.multiarray", "numpy.core.numeric", "numpy._core.numeric"}
_NUMPY_NAMES = {"dtype", "ndarray", "_reconstruct", "_frombuffer", "scalar"}


def svg_cache_dir() -> Path | None:
    """~/.cache/calcanim/svg (or $XDG_CACHE_HOME/calcanim/svg), beside the TeX cache; a per-user
    folder under the temp dir if that is not writable; None if neither is usable."""
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    candidates = [base / "calcanim" / "svg"]
    uid = getattr(os, "getuid", lambda: None)()
    candidates.append(Path(tempfile.gettempdir()) / f"calcanim-svg-{uid if uid is not None else 'user'}")
    for folder in candidates:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not os.access(folder, os.W_OK) or not _owned_by_user(folder):
                continue
        except OSError:
            continue
        return folder
    return None


def _owned_by_user(folder: Path) -> bool:
    """Pickles run code when loaded, so only trust a folder that is ours and not writable by others."""
    if not hasattr(os, "getuid"):
        return True
    info = folder.stat()
    return info.st_uid == os.getuid() and not info.st_mode & 0o002


@contextlib.contextmanager
def svg_disk_cache(folder: Path | None = None) -> Iterator[None]:
    """While active, manim's SVG parse (``SVGMobject.generate_mobject``) is served from the disk cache."""
    from manim.mobject.svg.svg_mobject import SVGMobject

    if os.environ.get("CALCANIM_SVG_CACHE", "1").strip().lower() in ("0", "false", "no", "off"):
        yield
        return
    folder = folder if folder is not None else svg_cache_dir()
    if folder is None:
        yield
        return

    original = SVGMobject.__dict__["generate_mobject"]
    if getattr(original, "_calcanim_svg_cache", False):  # already active (nested): one lookup is enough
        yield
        return

    def generate_mobject_cached(self: Any) -> Any:
        return _generate_cached(self, original, folder)

    setattr(generate_mobject_cached, "_calcanim_svg_cache", True)  # a marker on the function: installed once
    SVGMobject.generate_mobject = generate_mobject_cached
    try:
        yield
    finally:
        SVGMobject.generate_mobject = original


def _generate_cached(mob: Any, original: Any, folder: Path) -> Any:
    key = _cache_key(mob)
    if key is None:
        return original(mob)
    path = folder / f"{key}.pickle"
    payload = _load(path, key)
    if payload is not None:
        from manim.constants import RIGHT

        mobjects, groups = payload
        # The parse ends with self.flip(RIGHT): the cached shapes are already flipped, but the flip
        # also turns the SVGMobject's own sheen_direction. Flipping it while still empty does just that.
        mob.flip(RIGHT)
        mob.add(*mobjects)
        mob.id_to_vgroup_dict = groups
        return mob
    result = original(mob)
    _store(path, key, list(mob.submobjects), mob.id_to_vgroup_dict)
    return result


def _cache_key(mob: Any) -> str | None:
    """The sha256 naming this parse's cache file, or None when the cache must not be used."""
    from manim import config
    from manim.constants import RendererType
    from manim.mobject.svg.svg_mobject import SVGMobject

    if config.renderer != RendererType.CAIRO or mob.submobjects or mob.has_points():
        return None  # the flip at the end of the parse turns about the centre of what is already there
    if any(_defined_in(type(mob), name) not in SVGMobject.__mro__ for name in _PARSE_METHODS):
        return None
    try:
        svg_bytes = mob.get_file_path().read_bytes()
    except (OSError, ValueError):
        return None  # let manim raise its own error
    settings = repr((
        sorted(mob.svg_default.items()),
        sorted(mob.path_string_config.items()),
        str(config.renderer),
        _class_defaults(),
    ))
    if " at 0x" in settings:  # an argument without a stable repr: it cannot name a file
        return None
    digest = hashlib.sha256()
    for part in (f"calcanim-svg-cache {FORMAT_VERSION}", *_versions(), settings):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(svg_bytes)
    return digest.hexdigest()


def _defined_in(cls: type, name: str) -> type | None:
    return next((owner for owner in cls.__mro__ if name in owner.__dict__), None)


@functools.cache
def _versions() -> tuple[str, ...]:
    from importlib.metadata import version

    return tuple(f"{name} {version(name)}" for name in ("manim", "svgelements", "numpy"))


def _shape_classes() -> tuple[type, ...]:
    """Every class the parse may instantiate (and so every class a cache file may name)."""
    from manim.mobject.geometry.arc import Circle
    from manim.mobject.geometry.line import Line
    from manim.mobject.geometry.polygram import Polygon, Rectangle, RoundedRectangle
    from manim.mobject.mobject import Mobject
    from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath
    from manim.mobject.types.vectorized_mobject import VGroup, VMobject

    return (Mobject, VMobject, VGroup, VMobjectFromSVGPath, Line, Rectangle, RoundedRectangle, Circle, Polygon)


def _class_defaults() -> list[tuple[str, str]]:
    """Defaults set with ``Mobject.set_default`` (it wraps ``__init__`` in a partialmethod) change the parse."""
    found = []
    for cls in _shape_classes():
        init = cls.__dict__.get("__init__")
        while isinstance(init, functools.partialmethod):
            found.append((cls.__qualname__, repr(sorted(init.keywords.items()))))
            init = init.func
    return found


@functools.cache
def _allowed_globals() -> frozenset[tuple[str, str]]:
    from manim.constants import CapStyleType, LineJointType
    from manim.utils.color import ManimColor

    classes = (*_shape_classes(), ManimColor, CapStyleType, LineJointType)
    manim_names = {(cls.__module__, cls.__qualname__) for cls in classes}
    numpy_names = {(module, name) for module in _NUMPY_MODULES for name in _NUMPY_NAMES}
    return frozenset(manim_names | numpy_names)


class _ShapeUnpickler(pickle.Unpickler):
    """Resolves only the numpy and manim names a parsed SVG is made of."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _allowed_globals():
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a parsed SVG")
        return super().find_class(module, name)


class _ShapePickler(pickle.Pickler):
    """Pickles the parsed shapes without the svgelements path each glyph was built from."""

    def reducer_override(self, obj: Any) -> Any:
        state = getattr(obj, "__dict__", None)
        if isinstance(state, dict) and state.get("path_obj") is not None:
            import copyreg

            new_object = getattr(copyreg, "__newobj__")  # what pickle itself uses; typeshed does not list it
            return new_object, (type(obj),), {**state, "path_obj": None}
        return NotImplemented


def _decode(data: bytes) -> tuple[list[Any], dict[str, Any]]:
    from manim.mobject.types.vectorized_mobject import VGroup, VMobject

    payload = _ShapeUnpickler(io.BytesIO(data)).load()
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
        raise ValueError("not a calcanim SVG cache file")
    mobjects, groups = payload["mobjects"], payload["groups"]
    if not (isinstance(mobjects, list) and all(isinstance(m, VMobject) for m in mobjects)):
        raise ValueError("cached shapes are not VMobjects")
    if not (isinstance(groups, dict) and all(isinstance(k, str) and isinstance(g, VGroup) for k, g in groups.items())):
        raise ValueError("cached groups are not VGroups")
    return mobjects, groups


def _frame(key: str, body: bytes) -> bytes:
    return _MAGIC + key.encode() + hashlib.sha256(body).digest() + body


def _unframe(key: str, data: bytes) -> bytes:
    head = _MAGIC + key.encode()
    digest, body = data[len(head) : len(head) + 32], data[len(head) + 32 :]
    if not data.startswith(head) or hashlib.sha256(body).digest() != digest:
        raise ValueError("cache file is damaged or belongs to another key")
    return body


def _load(path: Path, key: str) -> tuple[list[Any], dict[str, Any]] | None:
    if not path.is_file():  # never open a FIFO or a device in its place: reading it would block
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return _decode(_unframe(key, data))
    except Exception:  # noqa: BLE001 -- corrupt, truncated or foreign: parse again and overwrite it
        return None


def _store(path: Path, key: str, mobjects: list[Any], groups: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    try:
        _ShapePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(
            {"format": FORMAT_VERSION, "mobjects": mobjects, "groups": groups}
        )
        body = buffer.getvalue()
        _decode(body)  # never write what the restricted unpickler would refuse (it would miss forever)
    except Exception:  # noqa: BLE001 -- not picklable or not loadable: just do not cache it
        return
    with contextlib.suppress(OSError), atomic_target(path, ".pickle.partial") as temp:
        temp.write_bytes(_frame(key, body))


def tex_svg_looks_complete(path: Path) -> bool:
    """Whether a TeX-cache SVG (dvisvgm's output) has its start and its closing tag: an empty,
    truncated or overwritten file would break its formula in every later render, so the shared
    TeX cache drops it and the formula is compiled again.

    Reads only the first and last 256 bytes (the shared cache holds hundreds of formulas); never
    opens anything but a regular file (a FIFO in its place would block).
    """
    if not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(256)
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 256))
            tail = handle.read()
    except OSError:
        return False
    return b"<svg" in head and head.lstrip().startswith(b"<") and tail.rstrip().endswith(b"</svg>")
