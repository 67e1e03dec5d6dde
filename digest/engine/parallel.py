"""Spread independent work over the cores with forked worker processes.

Why fork: the workers inherit the parent's memory (the parsed site, the
compiled Jinja templates) copy-on-write, so nothing big is pickled on the way
in; only the results (articles, HTML strings, page bytes) travel back.  Work is
handed out as index ranges over a sequence the parent set before forking.

Results come back in input order, so the output never depends on which worker
was faster.  With ``jobs == 1``, few items, or no ``fork`` on this platform,
the work runs inline in this process.

:func:`share_map` is the variant where this process works too (``jobs - 1``
workers): the parse and enrich stages use it, so no core idles while the
parent waits, and the parent's share of the results never has to be pickled.
:func:`pmap_start` and :func:`pmap_parts` let the parent go on with work of
its own while the workers run (the render stage and the Markdown bodies).
Their workers are a :class:`~digest.engine.crew.Crew`: a worker that dies fails the
call with :class:`~digest.engine.crew.WorkerDied` instead of hanging it, and any
exception here (Ctrl-C and SIGTERM included) ends the workers.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from digest.engine.crew import MAX_CHUNKS, POLL, Crew, WorkerDied, end, fork, worker_init

T = TypeVar("T")
R = TypeVar("R")

MIN_PER_WORKER = 64  # below this, starting processes costs more than it saves
WHAT = "working in parallel"  # what workers do, for WorkerDied's message

# start's function, set in the parent just before the fork; read by the child.
_SHARED: tuple[Any, ...] | None = None


def default_jobs() -> int:
    """Cores this process may use (respects CPU affinity, e.g. in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC for a stage that builds many objects and few cycles.

    Parsing and enriching 10,000 articles make millions of containers: the
    collector ran hundreds of times, rescanning the survivors (0.1-0.2 s a
    stage), and in a forked worker every collection writes to the headers of
    the objects it scans, copying pages the worker would otherwise share.
    Nothing is lost: cycles made meanwhile are collected once it resumes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def pmap(fn: Callable[[T], R], items: Sequence[T], jobs: int, what: str = WHAT) -> list[R]:
    """``[fn(x) for x in items]``, on up to ``jobs`` processes, in input order.

    ``fn`` must not raise for expected problems: return them as data (an
    exception's traceback and custom attributes do not survive the trip back).
    ``what`` says what the workers do, for the message if one dies
    (:class:`~digest.engine.crew.WorkerDied`: "... while rendering feeds").
    """
    return pmap_start(fn, items, jobs, what).result()


def pmap_parts(fn: Callable[[T], R], items: Sequence[T], jobs: int,
               meanwhile: Callable[[], None] | None = None,
               what: str = WHAT) -> Iterator[list[R]]:
    """:func:`pmap`'s results as consecutive parts, each as soon as it and all
    before it are done: the caller uses the first parts (e.g. writes them to
    disk) while workers still compute the later ones.

    ``meanwhile`` runs in this process while the workers run (inline: first),
    on a thread, for work of the caller's own that the workers do not need;
    its exception, if any, is raised at the end.  Parts are small (many per
    worker) so that few wait in memory for the caller.  A caller that stops
    early must ``close()`` the iterator: that ends the workers.
    """
    split = _split(len(items), jobs, PARTS_PER_WORKER)
    if split is None:
        if meanwhile:
            meanwhile()
        yield [fn(x) for x in items]
        return
    workers, ranges = split
    crew = Crew(fn, items, ranges, workers, what)
    helper = _Background(meanwhile) if meanwhile else None  # after the fork: never copied
    try:
        for i in range(len(ranges)):
            yield crew.part(i)
        crew.finish()
    except BaseException:  # includes GeneratorExit: the caller stopped early
        # The helper's work is not wanted either: it is left to end on its
        # own (a daemon thread), so that an interrupted build stops at once.
        crew.stop()
        raise
    if helper:
        helper.join()


class _Background:
    """Run a function on a thread; ``join`` waits and re-raises what it raised."""

    def __init__(self, fn: Callable[[], None]) -> None:
        self._error: BaseException | None = None

        def run() -> None:
            try:
                fn()
            except BaseException as exc:  # handed to join()
                self._error = exc

        self._thread = threading.Thread(target=run, name="digest-meanwhile", daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


PARTS_PER_WORKER = 16  # pmap_parts: small parts, so that few wait in memory
CHUNKS_PER_WORKER = 4  # several chunks per worker even out slow and fast items


def _split(n: int, jobs: int, per_worker: int = CHUNKS_PER_WORKER
           ) -> tuple[int, list[tuple[int, int]]] | None:
    """(workers, index ranges) for ``n`` items, or None: run inline (one job,
    few items, or no ``fork`` on this platform)."""
    jobs = min(jobs, n // MIN_PER_WORKER)
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    step = max(-(-n // (jobs * per_worker)), -(-n // MAX_CHUNKS))
    return jobs, [(i, min(i + step, n)) for i in range(0, n, step)]


class Pending(Generic[R]):
    """The results of :func:`pmap_start`, in input order, once :meth:`result` is called."""

    def __init__(self, values: list[R] | None = None, crew: Crew | None = None) -> None:
        self._values = values
        self._crew = crew

    def result(self) -> list[R]:
        """Wait for the workers (if any) and return the results."""
        if self._crew is not None:
            crew, self._crew = self._crew, None
            try:
                parts = crew.finish()
            except BaseException:
                crew.stop()
                raise
            self._values = [r for i in range(len(parts)) for r in parts[i]]
        assert self._values is not None
        return self._values

    def cancel(self) -> None:
        """End the workers when the results are no longer wanted (a failed build)."""
        if self._crew is not None:
            crew, self._crew = self._crew, None
            crew.stop()


def pmap_start(fn: Callable[[T], R], items: Sequence[T], jobs: int,
               what: str = WHAT) -> Pending[R]:
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
    return Pending(crew=Crew(fn, items, ranges, workers, what))


def share_map(fn: Callable[[T], R], items: Sequence[T], jobs: int, *,
              pack: Callable[[list[R]], Any] | None = None,
              unpack: Callable[[Any], list[R]] | None = None,
              what: str = WHAT) -> list[R]:
    """:func:`pmap` with this process as one of the ``jobs``.

    ``jobs - 1`` forked workers and this process take chunks of ``items`` in
    turn (a slow worker, or a core busy with something else, just takes
    fewer), and every chunk's results go to its place: the output is in input
    order whoever computed what.  A worker's chunk travels back as
    ``pack(results)`` and is restored with ``unpack`` here: a compact form can
    be much cheaper to pickle than the results themselves.
    """
    split = _split(len(items), jobs)
    if split is None:
        return [fn(x) for x in items]
    jobs, ranges = split
    parts: list[list[R] | None] = [None] * len(ranges)
    crew = Crew(fn, items, ranges, jobs - 1, what, claim=True, pack=pack)
    try:
        while (mine := crew.claim()) is not None:
            parts[mine[0]] = mine[1]
        for i, part in crew.finish().items():
            parts[i] = unpack(part) if unpack is not None else part
    except BaseException:
        crew.stop()
        raise
    return [r for part in parts for r in part]  # type: ignore[union-attr]


def _receive(proc: Any, recv: Any, what: str) -> tuple[str, Any]:
    """A process's ("ok", result) or ("error", exception), also when it died."""
    while not recv.poll(POLL):  # a poll, not a blocking recv: signals get through
        pass
    try:
        return recv.recv()
    except EOFError:  # killed (the OOM killer, a signal) before it could answer
        proc.join(POLL * 4)
        return "error", WorkerDied(proc.exitcode, what)


def _reply(send: Any, compute: Callable[[], Any]) -> None:
    """In a forked process: send ("ok", compute()) or ("error", the exception)."""
    worker_init()
    try:
        send.send(("ok", compute()))
    except BaseException as exc:  # re-raised in the parent
        try:
            send.send(("error", exc))
        except Exception:  # an exception that does not pickle
            send.send(("error", RuntimeError(f"worker failed: {exc!r}")))
    finally:
        send.close()


def alongside(other: Callable[[], T], here: Callable[[], R], jobs: int) -> tuple[T, R]:
    """``(other(), here())``, with ``other`` in a forked process while this one
    runs ``here`` (inline, one after the other, with ``jobs`` == 1 or no fork).

    For two independent serial steps: the second core would idle otherwise.
    ``other``'s result travels back pickled, so it should be small.
    """
    later = start(other, jobs)
    try:
        mine = here()
    except BaseException:
        later.cancel()
        raise
    return later.result(), mine


class Later(Generic[T]):
    """The result of :func:`start`: ``fn()``, computed in a forked process."""

    def __init__(self, proc: Any = None, recv: Any = None, value: Any = None,
                 what: str = WHAT) -> None:
        self._proc, self._recv, self._value, self._what = proc, recv, value, what

    def result(self) -> T:
        """Wait for the process (if any) and return ``fn()``'s value, or raise
        what it raised (also: that it died without answering)."""
        if self._proc is not None:
            proc, recv, self._proc = self._proc, self._recv, None
            try:
                status, payload = _receive(proc, recv, self._what)
                proc.join(POLL * 4)  # it exits once it has answered
            finally:
                end([proc])  # only does something when interrupted, or it is stuck
                recv.close()
            self._value = (status, payload)
        status, payload = self._value
        if status != "ok":
            raise payload
        return payload

    def cancel(self) -> None:
        """Stop the process when its result is no longer wanted (a failed build)."""
        if self._proc is not None:
            proc, recv, self._proc = self._proc, self._recv, None
            end([proc])
            recv.close()
            self._value = ("error", RuntimeError("cancelled"))


def start(fn: Callable[[], T], jobs: int, *, daemon: bool = True,
          what: str = WHAT) -> Later[T]:
    """``fn()`` in a forked process while this one goes on; ``result()`` waits for it.

    For a serial step whose result is needed later (the scans of the last
    build's trees, while this process parses and enriches).  The process is
    forked here and sees the parent's memory as it is now.  With ``jobs`` == 1
    or no ``fork``, ``fn`` runs inline before this returns.  ``fn``'s result
    travels back pickled, so it should be small.  ``daemon=False``: an
    interpreter that exits meanwhile waits for it (work that must not be cut
    short, such as writing files) instead of killing it.
    """
    global _SHARED
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        try:
            return Later(value=("ok", fn()))
        except Exception as exc:  # raised by result(), as from a process
            return Later(value=("error", exc))
    ctx = multiprocessing.get_context("fork")
    _SHARED = (fn,)
    try:
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_other_worker, args=(send,), daemon=daemon)
        fork(proc)
        send.close()
    finally:
        _SHARED = None
    return Later(proc=proc, recv=recv, what=what)


def _other_worker(send: Any) -> None:
    assert _SHARED is not None
    _reply(send, _SHARED[0])
