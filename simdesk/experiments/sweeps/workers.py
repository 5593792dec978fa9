"""Worker processes that start safely and never outlive their parent.

- Between ``fork`` and the worker's own setup no signal can arrive: SIGINT and SIGTERM
  are blocked in the forking thread just before the fork (the child inherits the mask),
  the child sets its dispositions — Ctrl-C ignored (the parent stops its workers), SIGTERM
  to its default — and only then unblocks them. A Ctrl-C sent to the whole process
  group at that moment is discarded by the worker instead of raising
  ``KeyboardInterrupt`` half-way through its start-up.
- A worker dies with its parent: on Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``; and
  everywhere a watchdog thread that exits when the parent process is gone (SIGKILL of
  the parent included).

:func:`guard_forks` installs the fork hooks for every process this one forks (the
sweep's and the replications' pools); :func:`worker_started` is the pool initializer.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_SIGNALS = {signal.SIGINT, signal.SIGTERM}
PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5


class _State:
    guarded = False
    parent: int | None = None
    previous_mask: set[int] | None = None


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def _before_fork() -> None:
    _State.parent = os.getpid()
    _State.previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)


def _after_fork_in_parent() -> None:
    if _State.previous_mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, _State.previous_mask)


def _after_fork_in_child() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _State.parent is not None:
        _die_with_parent(_State.parent)
    previous = _State.previous_mask or set()
    signal.pthread_sigmask(signal.SIG_SETMASK, previous - _SIGNALS)


def guard_forks() -> None:
    """From now on, every fork of this process starts a guarded worker (once)."""
    if _State.guarded or not hasattr(os, "register_at_fork"):
        return
    _State.guarded = True
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                        after_in_child=_after_fork_in_child)


def worker_started(parent: int) -> None:
    """Pool initializer: Ctrl-C is the parent's business; die with ``parent``. The
    objects inherited from the parent are frozen: the worker's garbage collections skip
    them (they are the parent's to free), so they cost no time and their pages stay
    shared rather than copied."""
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    threading.Thread(target=_watch, args=(parent,), name="simdesk-parent-watch",
                     daemon=True).start()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """SIGINT and SIGTERM held back in this thread meanwhile (delivered after): no
    interrupt can land half-way through starting worker processes."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
