"""Where a render's files go: the checked output path, the key stamp beside it, the captions,
and moving finished files into place so nothing partial ever appears under renders/."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from calcanim.clip import RenderOptions
from calcanim.errors import ParamError, RenderError
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
    """Check the output path before any work: right extension, and a folder we can write to (made if missing)."""
    if path.suffix.lower() != f".{options.format}":
        raise ParamError(
            f"output '{path}' does not end in .{options.format}; use -o NAME.{options.format} or --format {path.suffix.lstrip('.') or '...'}"
        )
    folder = path.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise RenderError(f"cannot write to output folder '{folder}': {existing} is not a writable folder; choose another -o path")
    if path.is_dir():
        raise RenderError(f"output '{path}' is a folder; give a file name such as {path / ('clip.' + options.format)}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".calcanim-probe-"):
            pass
    except OSError as error:
        raise RenderError(
            f"cannot write to output folder '{folder}': {error.strerror or error}; choose another -o path"
        ) from None
    return path


def wants_captions(options: RenderOptions) -> bool:
    """Caption files go beside videos that a player shows with a captions track (not png or gif)."""
    return options.captions and options.format in CAPTIONED_FORMATS


def stamp_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.key")


def caption_paths(output: Path) -> tuple[Path, Path]:
    return output.with_suffix(".srt"), output.with_suffix(".vtt")


def cached_result(output: Path, key: str, options: RenderOptions, poster: Path | None = None) -> RenderResult | None:
    """The finished files of an identical earlier render, if they are all still there."""
    stamp = stamp_path(output)
    try:
        if not output.is_file() or stamp.read_text(encoding="utf-8").strip() != key:
            return None
    except OSError:
        return None
    captions = tuple(p for p in caption_paths(output) if p.is_file()) if wants_captions(options) else ()
    if poster is not None and not poster.is_file():
        return None
    return RenderResult(path=output, captions=captions, poster=poster, cached=True, key=key)


def move_all_into_place(pairs: list[tuple[Path, Path]]) -> None:
    """Copy each finished file next to its destination under a hidden name, then rename it into place."""
    staged: list[Path] = []
    try:
        for source, destination in pairs:
            destination.parent.mkdir(parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent)
            os.close(fd)
            staged.append(Path(temp_name))
            shutil.copyfile(source, temp_name)
            os.chmod(temp_name, 0o666 & ~_umask())  # mkstemp makes 0600; a web server must read clips
        for temp, (_, destination) in zip(staged, pairs, strict=True):
            os.replace(temp, destination)
    except OSError as error:
        raise RenderError(f"cannot write {pairs[0][1]}: {error.strerror or error}; check the output folder") from error
    finally:
        for temp in staged:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
