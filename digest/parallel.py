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
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

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
    return pmap_start(fn, items, jobs).result()


def pmap_parts(fn: Callable[[T], R], items: Sequence[T], jobs: int,
               meanwhile: Callable[[], None] | None = None) -> Iterator[list[R]]:
    """:func:`pmap`'s results as consecutive parts, each as soon as it and all
    before it are done: the caller uses the first parts (e.g. writes them to
    disk) while workers still compute the later ones.

    ``meanwhile`` runs in this process once the workers have started (inline:
    first), for work of the caller's own that the workers do not need.
    """
    split = _split(len(items), jobs)
    if split is None:
        if meanwhile:
            meanwhile()
        yield [fn(x) for x in items]
        return
    workers, ranges = split
    pool = _fork_pool(fn, items, workers)
    try:
        parts = pool.imap(_run_range, ranges, chunksize=1)
        if meanwhile:
            meanwhile()
        yield from parts
        pool.close()
    except BaseException:  # includes GeneratorExit: the caller stopped early
        pool.terminate()
        raise
    finally:
        pool.join()


CHUNKS_PER_WORKER = 4  # several chunks per worker even out slow and fast items


def _split(n: int, jobs: int) -> tuple[int, list[tuple[int, int]]] | None:
    """(workers, index ranges) for ``n`` items, or None: run inline (one job,
    few items, or no ``fork`` on this platform)."""
    jobs = min(jobs, n // MIN_PER_WORKER)
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    step = -(-n // (jobs * CHUNKS_PER_WORKER))
    return jobs, [(i, min(i + step, n)) for i in range(0, n, step)]


def _fork_pool(fn: Callable[[Any], Any], items: Sequence[Any], workers: int) -> Any:
    """A pool whose workers, forked here, hold ``(fn, items)`` as their task."""
    global _TASK
    _TASK = (fn, items)
    try:
        return multiprocessing.get_context("fork").Pool(workers, initializer=_worker_init)
    finally:
        _TASK = None  # the parent's copy only: the workers have theirs


class Pending(Generic[R]):
    """The results of :func:`pmap_start`, in input order, once :meth:`result` is called."""

    def __init__(self, values: list[R] | None = None, pool: Any = None,
                 waiting: Any = None) -> None:
        self._values = values
        self._pool = pool
        self._waiting = waiting

    def result(self) -> list[R]:
        """Wait for the workers (if any) and return the results."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                parts = self._waiting.get()
                pool.close()
            except BaseException:
                pool.terminate()
                raise
            finally:
                pool.join()
            self._values = [r for part in parts for r in part]
        assert self._values is not None
        return self._values

    def cancel(self) -> None:
        """Stop the workers without waiting for their results (a failed build)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.terminate()
            pool.join()


def pmap_start(fn: Callable[[T], R], items: Sequence[T], jobs: int) -> Pending[R]:
    """:func:`pmap` without waiting: the workers run while this process goes on
    with other work (the cores would otherwise idle through serial steps).

    The workers are forked here, so they see the parent's memory as it is now;
    later changes in the parent do not reach them.  Below the worker
    threshold the work runs inline, before this returns.  Call ``result()``
    (or ``cancel()`` on failure) on what it returns.
    """
    split = _split(len(items), jobs)
    if split is None:
        return Pending(values=[fn(x) for x in items])
    workers, ranges = split
    pool = _fork_pool(fn, items, workers)
    try:
        waiting = pool.map_async(_run_range, ranges, chunksize=1)
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    return Pending(pool=pool, waiting=waiting)
