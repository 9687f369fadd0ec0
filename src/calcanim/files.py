"""Reading user files with one-line errors, and writing files atomically (hidden temp, then rename).

Every temporary file calcanim makes beside a destination is named ``.calcanim-<name>.XXXXXXXX<suffix>``
(:func:`temp_beside`), so a sweep after a killed run (:func:`sweep_temp_files`) removes only
calcanim's own leftovers, never a user's ``.something.tmp``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from calcanim.errors import ConfigFileError


def read_text_file(path: Path, what: str = "", hint: str = "check the path") -> str:
    """The file's UTF-8 text; any problem raises ConfigFileError naming the file and the fix.

    ``what`` names the kind of file in the message ("lesson"); ``hint`` is the fix for a missing file.
    """
    name = f"{what} '{path}'" if what else f"'{path}'"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigFileError(f"cannot read {name}: no such file; {hint}") from None
    except IsADirectoryError:
        raise ConfigFileError(f"cannot read {name}: it is a folder; give a .toml file") from None
    except PermissionError:
        raise ConfigFileError(f"cannot read {name}: permission denied; check the file's permissions") from None
    except UnicodeDecodeError:
        raise ConfigFileError(f"cannot read {name}: not UTF-8 text; save it as a UTF-8 TOML file") from None
    except OSError as error:
        raise ConfigFileError(f"cannot read {name}: {error.strerror or error}") from None


#: The name prefix of every temporary file calcanim writes beside a destination.
TEMP_PREFIX = ".calcanim-"
#: The endings of those temporary files (a finished file never ends so).
TEMP_SUFFIXES = (".partial", ".tmp")


def temp_beside(path: Path, suffix: str = ".partial") -> Path:
    """A new empty hidden file next to ``path``, named as calcanim's own (see :data:`TEMP_PREFIX`)."""
    if not suffix.endswith(TEMP_SUFFIXES):
        raise ValueError(f"temporary suffix {suffix!r} must end in one of {TEMP_SUFFIXES}")
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(name)


def is_calcanim_temp(path: Path) -> bool:
    """Whether ``path`` is named like a temporary file of calcanim's (never a user's own file)."""
    return path.name.startswith(TEMP_PREFIX) and path.name.endswith(TEMP_SUFFIXES)


def sweep_temp_files(folder: Path) -> None:
    """Remove calcanim's own half-written files from ``folder`` (a killed run may leave one); a
    user's files, whatever their names, are left alone."""
    for leftover in folder.glob(f"{TEMP_PREFIX}*"):
        if is_calcanim_temp(leftover):
            with contextlib.suppress(OSError):
                if leftover.is_file() and not leftover.is_symlink():
                    leftover.unlink()


@contextlib.contextmanager
def atomic_target(path: Path, suffix: str = ".partial") -> Iterator[Path]:
    """A hidden temporary file beside ``path`` to fill; when the block ends it is renamed onto
    ``path`` (readable by a web server), and on any error it is removed, so ``path`` is only ever
    absent, the old file or the whole new one."""
    temp = temp_beside(path, suffix)
    try:
        yield temp
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def write_text_atomically(path: Path, text: str, suffix: str = ".tmp") -> None:
    """Write beside the target under a hidden name, then rename into place."""
    with atomic_target(path, suffix) as temp:
        temp.write_text(text, encoding="utf-8")
