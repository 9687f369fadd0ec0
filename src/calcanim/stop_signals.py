"""Stopping cleanly on a signal: SIGTERM and SIGHUP are handled like Ctrl-C (temp folders removed,
a batch's manifest written), a short stretch of work (writing the manifest) can hold them until it
is done, and a batch worker process exits when its parent does.

Signal handlers can only be set from the main thread; elsewhere these helpers do nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

#: The signals that stop calcanim like a Ctrl-C that does not wait for clips in progress.
STOP_SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)
#: How long a stopping process may take to clean up before it exits regardless (a thread that
#: never ends must not keep a stopped process alive).
CLEANUP_SECONDS = 10.0


class Terminated(KeyboardInterrupt):
    """A stop signal (SIGTERM, SIGHUP), raised where Ctrl-C's KeyboardInterrupt would be."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated(signum)


def _raise_terminated_and_exit(signum: int, frame: Any) -> None:
    ignore_further_stops()
    exit_after(CLEANUP_SECONDS, 128 + signum)
    raise Terminated(signum)


def ignore_further_stops() -> None:
    """Once a process is stopping, ignore SIGTERM and SIGHUP: a second one (the process group's, then
    a parent's or the batch runner's) would raise again inside the cleanup and cut it short, leaving a
    temporary folder behind. :func:`exit_after` still bounds how long the cleanup may take."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def exit_after(seconds: float, code: int) -> None:
    """Exit the process with ``code`` after ``seconds`` whatever is still running (a daemon timer)."""

    def force_exit() -> None:
        time.sleep(seconds)
        os._exit(code)

    threading.Thread(target=force_exit, name="calcanim-exit-after", daemon=True).start()


@contextlib.contextmanager
def stop_signals_raise(*, then_exit: bool = False) -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated` (a KeyboardInterrupt), so
    ``finally`` blocks and temporary folders are cleaned up as on Ctrl-C. With ``then_exit`` (the
    command line, which exits on a stop signal), the process also exits at most
    :data:`CLEANUP_SECONDS` later, whatever thread is still running."""
    if not _in_main_thread():
        yield
        return
    with _handled_by(_raise_terminated_and_exit if then_exit else _raise_terminated, STOP_SIGNALS):
        yield


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP while the block runs (a manifest being written must be
    whole), then deliver the first one that came to whatever handled it before."""
    if not _in_main_thread():
        yield
        return
    arrived: list[int] = []

    def hold(signum: int, frame: Any) -> None:
        arrived.append(signum)

    try:
        with _handled_by(hold, (signal.SIGINT, *STOP_SIGNALS)):
            yield
    finally:
        if arrived:
            signal.raise_signal(arrived[0])


@contextlib.contextmanager
def _handled_by(handler: Callable[[int, Any], None], signums: tuple[int, ...]) -> Iterator[None]:
    """Within the block ``handler`` handles each of ``signums``; after it, the handlers before it again."""
    previous = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield
    finally:
        for signum, earlier in previous.items():
            signal.signal(signum, earlier)


def die_with_parent(parent: int) -> None:
    """Make this process get SIGTERM when ``parent`` (the process that started it) dies, so a killed
    batch leaves no idle worker behind: prctl(PR_SET_PDEATHSIG) on Linux, a watcher thread
    elsewhere. A parent already gone by now stops this process at once."""
    armed = False
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            pr_set_pdeathsig = 1
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0) == 0
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), name="calcanim-parent-watch", daemon=True).start()
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


def _watch_parent(parent: int, every: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os.kill(os.getpid(), signal.SIGTERM)
