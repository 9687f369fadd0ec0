"""A time limit for one call by SIGALRM, for the sympy calls that can run for ever (limits, domains).

sympy catches ``Exception`` in many places, so the alarm raises :class:`TimeUp`, a ``BaseException``.
An alarm can only be set on the main thread, where ``setitimer`` exists and no other timer runs:
ask :func:`alarm_available` first and fall back as the caller sees fit.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")


class TimeUp(BaseException):
    """Raised by the alarm inside sympy; a BaseException so sympy's `except Exception` cannot eat it."""


def alarm_available() -> bool:
    """True on the main thread of a system with setitimer when no interval timer is running."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return False
    return signal.getitimer(signal.ITIMER_REAL)[0] == 0.0


def call_with_alarm(func: Callable[[], _T], seconds: float) -> _T:
    """func() under a SIGALRM time limit of ``seconds``; raises TimeUp when it runs out.
    Call only where :func:`alarm_available` is true."""

    def on_alarm(signum: int, frame: Any) -> None:
        raise TimeUp

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        # Repeats every 0.1 s after the first: if code under func swallows one TimeUp (a bare except,
        # a __del__), the next one still ends the work instead of letting it run on forever.
        signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
        return func()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)
