"""Reading user files with one-line errors, and writing files atomically (hidden temp, then rename)."""

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


@contextlib.contextmanager
def atomic_target(path: Path, suffix: str = ".partial") -> Iterator[Path]:
    """A hidden temporary file beside ``path`` to fill; when the block ends it is renamed onto
    ``path`` (readable by a web server), and on any error it is removed, so ``path`` is only ever
    absent, the old file or the whole new one."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    temp = Path(name)
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
