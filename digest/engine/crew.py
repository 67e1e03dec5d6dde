"""Forked workers that take chunks of one task in turn and send each chunk back.

This replaces ``multiprocessing.Pool``, which a signal to the process group
(Ctrl-C, ``timeout``, a cancelled CI job, a stopped container) turned into a
hang: a worker killed while it waited for a task still held the task queue's
lock, and the pool replaced dead workers but waited forever for the tasks
they took with them.  Here nothing a worker holds can block anyone else:

- chunk numbers are written into a pipe before the fork, whose write end is
  then closed: taking one is a 4-byte ``read`` (atomic in the kernel; no lock
  a dying worker could keep), and an empty pipe reads as end-of-file;
- each worker sends its chunks through a pipe of its own, read at once by a
  collector thread here (so workers never wait for this process, which is
  busy with work of its own meanwhile); a pipe that ends before the worker
  said it was done means the worker died, and the crew fails with
  :class:`WorkerDied` saying how;
- this process never waits without a timeout, and on any exception, Ctrl-C
  and SIGTERM included, it ends the workers itself (:meth:`Crew.stop`).

Workers ignore SIGINT and die of SIGTERM (the default action): the process
that forked them decides what an interruption means.  Both signals stay
blocked from just before the fork until the worker has set this up, so a
signal to the group that arrives during a fork can neither run the parent's
handlers in the child nor be lost.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait as wait_for
from typing import Any

from digest.engine.orphans import die_with_parent
from digest.errors import Diagnostic, DigestError

MAX_CHUNKS = 1024  # 4 bytes each: one page, the least any pipe holds (see Crew)
POLL = 0.5  # seconds between checks while waiting (never a blocking wait)
_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_DONE, _ERROR = -1, -2  # message tags besides a chunk's number

# Set here just before the fork; read by the workers: fn, items, ranges, pack.
_TASK: tuple[Any, ...] | None = None


class WorkerDied(DigestError):
    """A worker process ended without finishing its work (killed, or it exited)."""

    def __init__(self, exitcode: int | None, what: str) -> None:
        self.exitcode = exitcode
        if exitcode is not None and exitcode < 0:
            try:
                how = f"signal {-exitcode}, {signal.Signals(-exitcode).name}"
            except ValueError:
                how = f"signal {-exitcode}"
            if exitcode == -signal.SIGKILL:
                hint = ("a worker killed by the system usually ran out of memory (see "
                        "`dmesg`): build again, with fewer workers (--jobs 1 uses none) "
                        "if it happens again")
            else:
                hint = ("another program signalled the worker: build again once it has "
                        "stopped (--jobs 1 builds without workers)")
        else:
            how = f"exit code {exitcode}"
            hint = ("something in the worker ended its process (a crash in a library, "
                    "or an exit): build again with --jobs 1, where it happens in the "
                    "main process and can be seen with --debug")
        super().__init__(Diagnostic(
            severity="error", code="worker-died",
            message=f"a worker process died ({how}) while {what}; its work was "
                    "lost, so the build stopped",
            hint=hint))


def worker_init() -> None:
    """In a freshly forked worker: die with the parent, leave SIGINT to the
    parent, die of SIGTERM; then take the signals blocked by :func:`fork`."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)


def fork(proc: Any) -> None:
    """``proc.start()`` with SIGINT and SIGTERM blocked across the fork (the
    child unblocks them in :func:`worker_init`; here they arrive after it)."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        proc.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def end(procs: Sequence[Any]) -> None:
    """SIGTERM each live process, then SIGKILL what is still there a second later."""
    for proc in procs:
        if proc.exitcode is None:
            proc.terminate()
    for proc in procs:
        proc.join(1.0)
        if proc.exitcode is None:
            proc.kill()
            proc.join()


class Crew:
    """``workers`` forked processes computing ``fn`` over chunks of ``items``.

    ``ranges`` are the chunks (index ranges), at most :data:`MAX_CHUNKS`.
    With ``claim=True`` this process takes chunks too (:meth:`claim`).  A
    chunk's results travel back as ``pack(results)`` when ``pack`` is given.
    """

    def __init__(self, fn: Callable[[Any], Any], items: Sequence[Any],
                 ranges: list[tuple[int, int]], workers: int, what: str, *,
                 claim: bool = False, pack: Callable[[list[Any]], Any] | None = None) -> None:
        global _TASK
        assert len(ranges) <= MAX_CHUNKS
        self.what = what
        self._ranges, self._fn, self._items = ranges, fn, items
        self._parts: dict[int, Any] = {}
        self._error: BaseException | None = None
        self._cond = threading.Condition()
        tokens, fill = os.pipe()
        # At most one page: fits in any pipe, so this never blocks.
        os.write(fill, b"".join(i.to_bytes(4, "little") for i in range(len(ranges))))
        os.close(fill)
        self._tokens: int | None = tokens
        ctx = multiprocessing.get_context("fork")
        self._procs: list[Any] = []
        self._conns: dict[Any, Any] = {}  # read end -> process
        _TASK = (fn, items, ranges, pack)
        try:
            for _ in range(workers):
                recv, send = ctx.Pipe(duplex=False)
                # The earlier workers' read ends are this process's alone.
                proc = ctx.Process(target=_work, daemon=True,
                                   args=(send, tokens, list(self._conns) + [recv]))
                fork(proc)
                send.close()
                self._procs.append(proc)
                self._conns[recv] = proc
        except BaseException:
            self.stop()
            raise
        finally:
            _TASK = None  # this process's copy only: the workers have theirs
        if not claim:
            os.close(tokens)
            self._tokens = None
        self._collector = threading.Thread(target=self._collect, daemon=True,
                                           name="digest-crew")
        self._collector.start()

    def claim(self) -> tuple[int, list[Any]] | None:
        """In this process: take the next chunk and compute it, or None when
        none is left.  Raises at once when a worker failed."""
        if self._error is not None:
            raise self._error
        assert self._tokens is not None
        token = os.read(self._tokens, 4)
        if not token:
            return None
        i = int.from_bytes(token, "little")
        return i, [self._fn(self._items[k]) for k in range(*self._ranges[i])]

    def part(self, i: int) -> Any:
        """Chunk ``i`` as a worker sent it, once it is there."""
        with self._cond:
            while i not in self._parts:
                self._check()
                if not self._collector.is_alive():  # pragma: no cover - a bug, not a hang
                    raise RuntimeError(f"chunk {i} never came back from the workers")
                self._cond.wait(POLL)
            return self._parts.pop(i)

    def finish(self) -> dict[int, Any]:
        """Wait until every worker has sent all its chunks; chunk -> what was sent."""
        with self._cond:
            while self._collector.is_alive() and self._error is None:
                self._cond.wait(POLL)
            self._check()
        self._close()
        return self._parts

    def stop(self) -> None:
        """End the workers now (the results are not wanted, or the caller was
        interrupted); harmless when they are gone already."""
        end(self._procs)
        self._close()

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def _close(self) -> None:
        for proc in self._procs:
            proc.join(1.0)
        end(self._procs)  # only does something if a worker is stuck after its work
        if hasattr(self, "_collector"):
            self._collector.join(POLL * 4)
        if self._tokens is not None:
            os.close(self._tokens)
            self._tokens = None

    def _collect(self) -> None:
        """The collector thread: file each chunk as it arrives, and notice a
        worker whose pipe ends before it said it was done."""
        live = dict(self._conns)
        try:
            while live:
                for conn in wait_for(list(live)):
                    try:
                        tag, payload = conn.recv()
                    except (EOFError, OSError):
                        proc = live.pop(conn)
                        conn.close()
                        proc.join(POLL * 4)
                        self._fail(WorkerDied(proc.exitcode, self.what))
                        return
                    with self._cond:
                        if tag == _DONE:
                            del live[conn]
                            conn.close()
                        elif tag == _ERROR:
                            self._fail(payload)
                            return
                        else:
                            self._parts[tag] = payload
                        self._cond.notify_all()
        except BaseException as exc:  # pragma: no cover - a bug here must not hang the build
            self._fail(exc)
        finally:
            with self._cond:
                self._conns.clear()
                self._cond.notify_all()
            for conn in live:
                conn.close()

    def _fail(self, error: BaseException) -> None:
        with self._cond:
            if self._error is None:
                self._error = error
            self._cond.notify_all()
        for proc in self._procs:  # the others' work is wasted now: stop them
            if proc.exitcode is None:
                proc.terminate()


def _work(send: Any, tokens: int, parents_ends: list[Any]) -> None:
    """A worker: take chunks until none is left, sending each one's results."""
    worker_init()
    for end_ in parents_ends:
        end_.close()
    assert _TASK is not None
    fn, items, ranges, pack = _TASK
    try:
        while token := os.read(tokens, 4):
            i = int.from_bytes(token, "little")
            part = [fn(items[k]) for k in range(*ranges[i])]
            send.send((i, pack(part) if pack is not None else part))
        send.send((_DONE, None))
    except BaseException as exc:  # raised in the parent
        try:
            send.send((_ERROR, exc))
        except Exception:  # an exception that does not pickle
            send.send((_ERROR, RuntimeError(f"worker failed: {exc!r}")))
    finally:
        send.close()
