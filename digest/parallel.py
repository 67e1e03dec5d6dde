"""Spread independent work over the cores with forked worker processes.

Why fork: the workers inherit the parent's memory (the parsed site, the
compiled Jinja templates) copy-on-write, so nothing big is pickled on the way
in; only the results (articles, HTML strings, page bytes) travel back.  Work is
handed out as index ranges over a sequence the parent set before forking.

Results come back in input order, so the output never depends on which worker
was faster.  With ``jobs == 1``, few items, or no ``fork`` on this platform,
the work runs inline in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PER_WORKER = 64  # below this, starting processes costs more than it saves

# Set in the parent just before the pool forks; read by the workers.
_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def default_jobs() -> int:
    """Cores this process may use (respects CPU affinity, e.g. in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _worker_init() -> None:
    """Workers leave signals to the parent: Ctrl-C and SIGTERM stop the parent,
    which then ends the pool (the CLI's SIGTERM handler must not run here)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_range(bounds: tuple[int, int]) -> list[Any]:
    assert _TASK is not None
    fn, items = _TASK
    return [fn(items[i]) for i in range(*bounds)]


def pmap(fn: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """``[fn(x) for x in items]``, on up to ``jobs`` processes, in input order.

    ``fn`` must not raise for expected problems: return them as data (an
    exception's traceback and custom attributes do not survive the trip back).
    """
    global _TASK
    n = len(items)
    jobs = min(jobs, n // MIN_PER_WORKER)
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [fn(x) for x in items]
    # Several chunks per worker evens out slow and fast items.
    chunks = jobs * 4
    step = -(-n // chunks)
    ranges = [(i, min(i + step, n)) for i in range(0, n, step)]
    _TASK = (fn, items)
    try:
        ctx = multiprocessing.get_context("fork")
        pool = ctx.Pool(jobs, initializer=_worker_init)
        try:
            parts = pool.map(_run_range, ranges, chunksize=1)
            pool.close()
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()
    finally:
        _TASK = None
    return [r for part in parts for r in part]
