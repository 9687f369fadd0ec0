"""Where a render's files go: the checked output path, the key stamp beside it, the captions,
and moving finished files into place so nothing partial ever appears under renders/.

The key stamp (``.NAME.key`` beside the output) holds the clip's key and, for every file that
render wrote, its sha256 and size. A cached clip is served only when every one of those files
still matches (a truncated, emptied or edited video is rendered again), and the stamp is also
how a later render knows which files beside an output are calcanim's own to remove.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from calcanim.clip import RenderOptions
from calcanim.errors import ParamError, RenderError, quoted
from calcanim.files import TEMP_PREFIX, temp_beside
from calcanim.formats import CAPTIONED_FORMATS


@dataclass(frozen=True)
class RenderResult:
    """The finished files of one render."""

    path: Path
    captions: tuple[Path, ...] = ()
    poster: Path | None = None
    cached: bool = False
    key: str = ""

    @property
    def extras(self) -> tuple[Path, ...]:
        return self.captions + ((self.poster,) if self.poster else ())


def resolve_output(path: Path, options: RenderOptions) -> Path:
    """Check the output path before any work: right extension, and a folder we can write to.

    Nothing is created here: a missing folder is made only when finished files move into place,
    so a render that fails leaves no empty folders behind."""
    if path.suffix.lower() != f".{options.format}":
        raise ParamError(
            f"output '{path}' does not end in .{options.format}; use -o NAME.{options.format} or --format {path.suffix.lstrip('.') or '...'}"
        )
    if not str(path).isprintable():  # a newline would split the printed path and the key stamp's lines
        raise ParamError(f"output {quoted(str(path))} has a line break, tab or other control character in it; "
                         "choose a name without one")
    folder = path.parent
    try:
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise RenderError(f"cannot write to output folder '{folder}': {existing} is not a writable folder; choose another -o path")
        _check_name_length(path, existing)
        if path.is_dir():
            raise RenderError(f"output '{path}' is a folder; give a file name such as {path / ('clip.' + options.format)}")
        with tempfile.NamedTemporaryFile(dir=existing, prefix=f"{TEMP_PREFIX}probe-", suffix=".tmp"):
            pass
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise RenderError(f"output path '{path}' is too long for the file system; choose a shorter -o path") from None
        raise RenderError(
            f"cannot write to output folder '{folder}': {error.strerror or error}; choose another -o path"
        ) from None
    return path


#: How much longer than the output's name the longest file written beside it is: the hidden
#: temporary ``.calcanim-NAME.XXXXXXXX.partial`` (see calcanim.files.temp_beside).
HIDDEN_NAME_EXTRA = len(f"{TEMP_PREFIX}.XXXXXXXX.partial")


def _check_name_length(path: Path, folder: Path) -> None:
    """Refuse, before any work, a name the folder would take but the hidden files beside it would not."""
    try:
        most = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        most = 255
    size = len(os.fsencode(path.name))
    if size + HIDDEN_NAME_EXTRA > most:
        raise RenderError(
            f"output file name is too long ({size} bytes; at most {most - HIDDEN_NAME_EXTRA} here, since calcanim "
            f"writes hidden files named after it beside it); choose a shorter -o name"
        )


def wants_captions(options: RenderOptions) -> bool:
    """Caption files go beside videos that a player shows with a captions track (not png or gif)."""
    return options.captions and options.format in CAPTIONED_FORMATS


def stamp_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.key")


def caption_paths(output: Path) -> tuple[Path, Path]:
    return output.with_suffix(".srt"), output.with_suffix(".vtt")


@dataclass(frozen=True)
class Stamp:
    """What a key stamp records: the clip's key and each written file's (sha256, size), by its path
    relative to the output's folder (or absolute, for a file elsewhere)."""

    key: str
    files: Mapping[str, tuple[str, int]]

    def paths(self, output: Path) -> list[Path]:
        return [output.parent / name for name in self.files]

    def holds(self, output: Path, path: Path) -> bool:
        """``path`` is one of the stamp's files and still exactly what calcanim wrote there."""
        name = _stamp_name(output, path)
        return name in self.files and file_digest(path) == self.files[name]

    def verified(self, output: Path) -> bool:
        """Every file the stamp lists (the output first among them) is there, whole and unchanged."""
        return _stamp_name(output, output) in self.files and all(self.holds(output, p) for p in self.paths(output))


def file_digest(path: Path) -> tuple[str, int] | None:
    """(sha256 hex, size) of a regular file; None when it is missing or unreadable."""
    if not os.path.isfile(path):  # never open a FIFO or a device: it may block
        return None
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            size = 0
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except OSError:
        return None
    return digest.hexdigest(), size


def stamp_text(key: str, output: Path, written: Sequence[tuple[Path, Path]]) -> str:
    """The stamp of a render: the key, then ``sha256 size name`` for each (finished file, destination)."""
    lines = [key]
    for source, destination in written:
        found = file_digest(source)
        if found is None:
            raise RenderError(f"cannot read the finished file {source}")
        lines.append(f"{found[0]} {found[1]} {_stamp_name(output, destination)}")
    return "\n".join(lines) + "\n"


def read_stamp(output: Path) -> Stamp | None:
    """The stamp beside ``output``; None when there is none or it is not one calcanim wrote."""
    stamp = stamp_path(output)
    if not stamp.is_file():  # never open a FIFO or a device in its place: reading it would block
        return None
    try:
        lines = stamp.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if not lines or len(lines[0]) != 64:
        return None
    files: dict[str, tuple[str, int]] = {}
    for line in lines[1:]:
        parts = line.split(" ", 2)
        if len(parts) != 3 or len(parts[0]) != 64 or not parts[1].isdigit():
            return None
        files[parts[2]] = (parts[0], int(parts[1]))
    return Stamp(lines[0], files)


def _stamp_name(output: Path, path: Path) -> str:
    return path.name if path.parent == output.parent else str(path.absolute())


def cached_result(output: Path, key: str, options: RenderOptions, poster: Path | None = None) -> RenderResult | None:
    """The finished files of an identical earlier render, if they are all still there and unchanged
    (each file's sha256 and size against the stamp): a damaged file is never served."""
    stamp = read_stamp(output)
    if stamp is None or stamp.key != key or not stamp.verified(output):
        return None
    if poster is not None and _stamp_name(output, poster) not in stamp.files:
        return None
    captions = tuple(p for p in caption_paths(output) if _stamp_name(output, p) in stamp.files) if wants_captions(options) else ()
    return RenderResult(path=output, captions=captions, poster=poster, cached=True, key=key)


def remove_stale_files(output: Path, earlier: Stamp | None, written: Sequence[Path]) -> list[Path]:
    """Remove the files an earlier render wrote for ``output`` (its captions, say) that this render
    did not write again, if they are still exactly as calcanim wrote them; return those removed.
    A file someone changed or put there is left alone."""
    if earlier is None:
        return []
    removed = []
    for path in earlier.paths(output):
        if path in written or path == output or path.parent != output.parent:
            continue
        if earlier.holds(output, path):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def check_destinations(output: Path, options: RenderOptions, poster: Path | None) -> None:
    """Before any work: none of the paths a render writes (the output, its captions, poster and key
    stamp) is a folder, which no finished file could replace."""
    paths = [output, stamp_path(output), *(caption_paths(output) if wants_captions(options) else ()), poster]
    for path in paths:
        if path is not None and path.is_dir() and not path.is_symlink():
            raise RenderError(f"'{path}' is a folder, where calcanim writes a file of the clip {output.name}; "
                              "move the folder away or choose another -o name")


def move_all_into_place(pairs: list[tuple[Path, Path]]) -> None:
    """Copy each finished file next to its destination under a hidden name, then rename it into place."""
    staged: list[Path] = []
    destination = pairs[0][1]
    try:
        for source, destination in pairs:
            destination.parent.mkdir(parents=True, exist_ok=True)
            temp = temp_beside(destination, ".partial")
            staged.append(temp)
            shutil.copyfile(source, temp)
            os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; a web server must read clips
        for temp, (_, destination) in zip(staged, pairs, strict=True):
            os.replace(temp, destination)
    except OSError as error:
        raise RenderError(f"cannot write {destination}: {error.strerror or error}; check the output folder") from error
    finally:
        for temp in staged:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
