"""A CPU-time limit around symbolic work, so a function that is short to write but huge to work
out (a limit sympy cannot settle, a deep composition) ends in one line instead of a hang.

CPU time, not wall time: a busy machine (parallel batch workers, CI) must not fail a clip that
is only slow because it waits for a core. The limit uses ``setitimer(ITIMER_VIRTUAL)``, so it
works in the main thread of a Unix process (the CLI, batch workers, pytest); elsewhere (another
thread, Windows) the work runs unlimited, bounded only by the expression caps of calcanim.expr.

>>> with symbolic_work_limit("adding", seconds=5.0):
...     1 + 1
2
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

from calcanim.errors import CalcanimError

#: CPU seconds one symbolic step (checking a clip's parameters, or planning its numbers) may take.
#: The slowest documented inputs take about 1 s (little-o on a degree-100 polynomial).
SYMBOLIC_SECONDS = 10.0
#: After the limit, the signal repeats this often in case a library swallowed the first one.
_REPEAT_SECONDS = 0.25


class WorkLimitError(CalcanimError):
    """Symbolic work took longer than its CPU-time limit."""


class _Expired(BaseException):
    """Raised by the timer inside the work; a BaseException so that sympy's broad
    ``except Exception`` clauses cannot swallow it."""


_active = threading.local()


def limit_available() -> bool:
    """Whether a limit can be set here (a Unix main thread)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def symbolic_work_limit(what: str, seconds: float | None = None, hint: str = "") -> Iterator[None]:
    """Run the body with at most ``seconds`` of CPU time; past it, raise WorkLimitError whose
    message is ``what``, the limit and ``hint`` (the fix). Nested limits keep the outer one.
    ``seconds`` defaults to SYMBOLIC_SECONDS (read at each call, so tests can lower it)."""
    seconds = SYMBOLIC_SECONDS if seconds is None else seconds
    if not limit_available() or getattr(_active, "armed", False):
        yield
        return
    previous = signal.signal(signal.SIGVTALRM, _on_timer)
    _active.armed = True
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds, _REPEAT_SECONDS)
    try:
        yield
    except _Expired:
        message = f"{what} took more than {seconds:g} s of computing, so it was stopped"
        raise WorkLimitError(message + (f"; {hint}" if hint else "")) from None
    finally:
        _active.armed = False
        signal.setitimer(signal.ITIMER_VIRTUAL, 0, 0)
        signal.signal(signal.SIGVTALRM, previous)


def _on_timer(signum: int, frame: Any) -> None:
    if getattr(_active, "armed", False):
        raise _Expired()
