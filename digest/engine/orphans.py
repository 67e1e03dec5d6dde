"""Forked workers end when the process that forked them dies.

A build killed with SIGKILL (or by the OOM killer) runs no clean-up: its
pool workers, blocked writing results that nobody will read, would live on
forever, holding the build's stdout open (``digest build | tee log`` never
finished).  So every worker asks the kernel to kill it when its parent dies
(Linux: ``prctl(PR_SET_PDEATHSIG)``), and checks right after that the parent
is still the one that forked it: a parent that died before the request took
effect would otherwise be missed.  Elsewhere, or where the kernel would tie
the signal to the wrong thing, a watchdog thread polls ``getppid()``.

PR_SET_PDEATHSIG fires when the *thread* that forked exits, not the process:
a worker forked from a short-lived thread would die early.  So it is used
only for forks from the main thread; the others get the watchdog.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_EVERY = 0.5  # seconds between the watchdog's checks

# Set in the forking process just before each fork (os.register_at_fork), so a
# worker knows who its parent was and whether the main thread forked it.
_parent: int | None = None
_from_main = True

try:  # resolved once in the parent, not in every worker
    import ctypes

    _prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") \
        else None
except (ImportError, OSError, AttributeError):  # pragma: no cover - no libc prctl
    _prctl = None


def _before_fork() -> None:
    global _parent, _from_main
    _parent = os.getpid()
    _from_main = threading.current_thread() is threading.main_thread()


os.register_at_fork(before=_before_fork)


def die_with_parent() -> None:
    """In a freshly forked worker: end this process when its parent ends."""
    parent = _parent
    if parent is None:  # not forked by os.fork (nothing to watch)
        return
    if _prctl is not None and _from_main and _prctl(PR_SET_PDEATHSIG, signal.SIGKILL,
                                                    0, 0, 0) == 0:
        if os.getppid() != parent:  # it died before the request took effect
            os._exit(1)
        return
    threading.Thread(target=_watch, args=(parent,), name="digest-orphan-watch",
                     daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY)
    os._exit(1)  # adopted by another process: the parent is gone
