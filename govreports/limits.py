"""Time limits on one file's parse, in the main thread (SIGALRM) and in worker threads (Dask).

A signal timer only works in a process's main thread; a Dask worker runs tasks in threads, where
the limit is enforced by raising :class:`FileTimeout` asynchronously in the parsing thread
(``PyThreadState_SetAsyncExc``). Either way the parse stops at its next Python instruction: a
single long call into C (lxml on a huge document) ends first, which is why the readers cap sizes.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Callable

TIMEOUT = "source.timeout"  # the problem code of a parse that ran out of time (never cached)


class FileTimeout(BaseException):  # noqa: N818 - BaseException: a reader's `except Exception` must not swallow it
    """Raised inside a parse that takes longer than its limit."""


def run_within(seconds: float, function: Callable, *args):
    """Return ``function(*args)``, raising :class:`FileTimeout` after ``seconds`` (0 or less: no limit)."""
    if seconds <= 0:
        return function(*args)
    if threading.current_thread() is threading.main_thread():
        return _with_alarm(seconds, function, args)
    return _with_thread_timer(seconds, function, args)


def _on_alarm(signum, frame):
    raise FileTimeout


def _with_alarm(seconds: float, function: Callable, args: tuple):
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _set_async_exception(thread_id: int, exception) -> None:
    # No argtypes: None must reach C as NULL (which clears a pending exception), not as Py_None.
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exception) if exception else None)


def _with_thread_timer(seconds: float, function: Callable, args: tuple):
    target = threading.get_ident()
    lock = threading.Lock()
    armed = [True]

    def expire() -> None:
        with lock:
            if armed[0]:
                _set_async_exception(target, FileTimeout)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        return function(*args)
    finally:
        with lock:
            armed[0] = False
        timer.cancel()
        _set_async_exception(target, None)  # one raised just as the parse ended must not fire later
