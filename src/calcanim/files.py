"""Reading user files with one-line errors, and writing files atomically (hidden temp, then rename).

Every temporary file calcanim makes beside a destination is named ``.calcanim-<name>.PID~RAND<suffix>``
(:func:`temp_beside`; PID~RAND is 8 characters, the maker's process id in base 36), so a sweep after a
killed run (:func:`sweep_temp_files`) removes only calcanim's own leftovers, never a user's
``.something.tmp``, nor a file another live run is moving into place.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from calcanim.errors import ConfigFileError, RenderError

#: The largest config, lesson or theme file read (the biggest lesson in scenes/ is ~5 KB).
MAX_INPUT_BYTES = 1_000_000


def read_text_file(path: Path, what: str = "", hint: str = "check the path") -> str:
    """The file's UTF-8 text; any problem raises ConfigFileError naming the file and the fix.

    ``what`` names the kind of file in the message ("lesson"); ``hint`` is the fix for a missing file.
    """
    name = f"{what} '{path}'" if what else f"'{path}'"
    try:
        text = _read_regular_file(path, name).decode("utf-8")
    except FileNotFoundError:
        raise ConfigFileError(f"cannot read {name}: no such file; {hint}") from None
    except IsADirectoryError:
        raise ConfigFileError(f"cannot read {name}: it is a folder; give a .toml file") from None
    except PermissionError:
        raise ConfigFileError(f"cannot read {name}: permission denied; check the file's permissions") from None
    except UnicodeDecodeError:
        raise ConfigFileError(f"cannot read {name}: not UTF-8 text; save it as a UTF-8 TOML file") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ConfigFileError(f"cannot read {name}: a loop of symbolic links; point the path at a file") from None
        if error.errno == errno.ENAMETOOLONG:
            raise ConfigFileError(f"cannot read {name}: the path is too long; check the path") from None
        raise ConfigFileError(f"cannot read {name}: {error.strerror or error}") from None
    return text.removeprefix(UTF8_BOM)


#: The byte-order mark some Windows editors (Notepad) put at the start of a UTF-8 file; TOML does not allow it.
UTF8_BOM = "\ufeff"


def _read_regular_file(path: Path, name: str) -> bytes:
    """The bytes of a regular file of at most MAX_INPUT_BYTES. Opened without blocking and checked
    before reading, so a FIFO, a device such as /dev/zero or a socket is refused instead of hanging."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise ConfigFileError(f"cannot read {name}: not a regular file (a pipe, device or socket); give a .toml file")
        if info.st_size > MAX_INPUT_BYTES:
            raise ConfigFileError(
                f"cannot read {name}: {info.st_size} bytes is more than the {MAX_INPUT_BYTES} a calcanim file may have"
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_INPUT_BYTES:  # it grew while being read
        raise ConfigFileError(f"cannot read {name}: more than the {MAX_INPUT_BYTES} bytes a calcanim file may have")
    return data


#: The name prefix of every temporary file calcanim writes beside a destination.
TEMP_PREFIX = ".calcanim-"
#: The endings of those temporary files (a finished file never ends so).
TEMP_SUFFIXES = (".partial", ".tmp")


#: A temporary file older than this (untouched for an hour) is a leftover whoever made it: no move
#: into place takes that long, and its maker may be on another machine sharing the folder.
STALE_TEMP_SECONDS = 3600.0
#: The 8 characters between the name and the suffix: the maker's process id in base 36, "~", random.
TEMP_TOKEN_SIZE = 8
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_TOKEN = re.compile(r"\.([0-9a-z]{1,5})~[0-9a-z]+\.")
_CREATE_ATTEMPTS = 1000


def _base36(number: int) -> str:
    """
    >>> _base36(0), _base36(35), _base36(4194304)
    ('0', 'z', '2hwcg')
    """
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = _BASE36[digit] + digits
        if not number:
            return digits


def temp_token(pid: int) -> str:
    """The 8 characters that name a temporary file after the process making it (as long as mkstemp's
    XXXXXXXX, so names fit where they did); the rest is random.

    >>> token = temp_token(4194304)
    >>> token[:6], len(token), temp_owner(f".calcanim-a.mp4.{token}.partial")
    ('2hwcg~', 8, 4194304)
    """
    head = f"{_base36(pid)}~"
    return head + "".join(secrets.choice(_BASE36) for _ in range(TEMP_TOKEN_SIZE - len(head)))


def temp_owner(name: str) -> int | None:
    """The id of the process that made the temporary file ``name``; None when its name does not say."""
    found = _TOKEN.findall(name[len(TEMP_PREFIX):]) if name.startswith(TEMP_PREFIX) else []
    return int(found[-1], 36) if found else None


def temp_beside(path: Path, suffix: str = ".partial") -> Path:
    """A new empty hidden file next to ``path``, named as calcanim's own (see :data:`TEMP_PREFIX`) and
    after this process, so that a sweep by another run leaves it alone while this one lives."""
    if not suffix.endswith(TEMP_SUFFIXES):
        raise ValueError(f"temporary suffix {suffix!r} must end in one of {TEMP_SUFFIXES}")
    for _ in range(_CREATE_ATTEMPTS):
        name = path.parent / f"{TEMP_PREFIX}{path.name}.{temp_token(os.getpid())}{suffix}"
        try:
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return name
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(path.parent))


def process_is_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (a zombie, ended but not yet reaped, does not)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would end it there: trust the age rule alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, someone else's
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def is_leftover(path: Path, now: float | None = None) -> bool:
    """Whether calcanim's temporary file ``path`` is a leftover to sweep: untouched for
    STALE_TEMP_SECONDS, or made by a process (named in it) that has ended. A fresh file of a live
    process, such as another batch's clip being moved into place in the same folder, is not."""
    try:
        age = (time.time() if now is None else now) - path.lstat().st_mtime
    except OSError:
        return False
    if age > STALE_TEMP_SECONDS:
        return True
    owner = temp_owner(path.name)
    return owner is not None and owner != os.getpid() and not process_is_alive(owner)


def is_calcanim_temp(path: Path) -> bool:
    """Whether ``path`` is named like a temporary file of calcanim's (never a user's own file)."""
    return path.name.startswith(TEMP_PREFIX) and path.name.endswith(TEMP_SUFFIXES)


def sweep_temp_files(folder: Path) -> None:
    """Remove calcanim's own half-written leftovers from ``folder`` (a killed run may leave one, see
    :func:`is_leftover`); a live run's files and a user's files, whatever their names, are left alone."""
    for leftover in folder.glob(f"{TEMP_PREFIX}*"):
        if is_calcanim_temp(leftover) and is_leftover(leftover):
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
    """Write beside the target under a hidden name, then rename into place.

    A folder that cannot take the file (read-only, full, gone) raises RenderError with one line.
    """
    try:
        with atomic_target(path, suffix) as temp:
            temp.write_text(text, encoding="utf-8")
    except OSError as error:
        raise RenderError(f"cannot write {path}: {_reason(error)}; check the output folder") from None


def prepare_output_folder(folder: Path, what: str = "output folder") -> Path:
    """Make ``folder`` (and its parents) and check a file can be created in it, before any work:
    a path under a file, a read-only or full disk raise RenderError with one line."""
    if not str(folder).isprintable():  # a newline would split the printed paths (and every clip would fail)
        raise RenderError(f"cannot write to {what} {str(folder)!r}: it has a line break, tab or other control "
                          "character in it; choose a name without one")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".calcanim-probe-"):
            pass
    except OSError as error:
        raise RenderError(f"cannot write to {what} '{folder}': {_reason(error)}; choose another folder") from None
    return folder


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the folder is read-only"
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    return error.strerror or str(error)
