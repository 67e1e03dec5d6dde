"""digest.engine.parallel: results in input order whatever the workers, inline below
the threshold, a started map that is cancelled leaves no worker behind, and a
worker that dies (os._exit in a task, SIGKILL, SIGTERM) fails the call with
WorkerDied instead of hanging it."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

import pytest

from digest.engine import parallel
from digest.engine.crew import WorkerDied


def test_started_map_returns_input_order_while_the_parent_works() -> None:
    items = list(range(400))
    pending = parallel.pmap_start(lambda x: (x * x, os.getpid()), items, 2)
    parent_work = sum(range(10_000))  # the parent goes on meanwhile
    results = pending.result()
    assert [r for r, _ in results] == [x * x for x in items]
    assert os.getpid() not in {pid for _, pid in results}  # really in workers
    assert parent_work == 49_995_000
    assert pending.result() is results  # asking twice does not run it twice


def test_few_items_run_inline_before_start_returns() -> None:
    seen: list[int] = []
    pending = parallel.pmap_start(lambda x: seen.append(x) or os.getpid(), [1, 2, 3], 2)
    assert seen == [1, 2, 3]  # already done, in this process
    assert pending.result() == [os.getpid()] * 3


def test_cancel_ends_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """cancel() ends the workers at once, in the middle of their work."""
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    pending = parallel.pmap_start(lambda x: time.sleep(30), list(range(8)), 2)
    workers = list(pending._crew._procs)
    pending.cancel()
    assert all(not w.is_alive() for w in workers)
    assert multiprocessing.active_children() == []
    pending.cancel()  # twice is harmless


def test_pmap_matches_a_list_comprehension(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    items = [f"item-{i}" for i in range(37)]
    assert parallel.pmap(str.upper, items, 3) == [s.upper() for s in items]


@pytest.mark.parametrize("jobs", [1, 2])
def test_parts_come_in_order_and_meanwhile_runs_once(monkeypatch: pytest.MonkeyPatch,
                                                     jobs: int) -> None:
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    calls: list[int] = []
    parts = list(parallel.pmap_parts(lambda x: x + 1, list(range(50)), jobs,
                                     meanwhile=lambda: calls.append(os.getpid())))
    assert [x for part in parts for x in part] == list(range(1, 51))
    assert len(parts) == 1 if jobs == 1 else len(parts) > 8  # many small parts when forked
    assert calls == [os.getpid()]  # in this process (a thread when forked), once


def test_stopping_early_ends_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    parts = parallel.pmap_parts(lambda x: x, list(range(40)), 2)
    assert next(parts) == [0, 1]
    parts.close()  # e.g. a template error in the first part
    assert multiprocessing.active_children() == []


def test_an_error_in_meanwhile_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)

    def broken() -> None:
        raise ValueError("meanwhile broke")

    with pytest.raises(ValueError, match="meanwhile broke"):
        list(parallel.pmap_parts(lambda x: x, list(range(40)), 2, meanwhile=broken))


def test_start_computes_in_another_process_while_this_one_goes_on() -> None:
    later = parallel.start(lambda: (os.getpid(), sum(range(1000))), 2)
    mine = sum(range(10_000))  # the parent goes on meanwhile
    pid, value = later.result()
    assert pid != os.getpid() and value == 499_500 and mine == 49_995_000
    assert later.result() == (pid, value)  # asking twice does not run it twice


def test_start_with_one_job_runs_inline_at_once() -> None:
    seen: list[int] = []
    later = parallel.start(lambda: seen.append(1) or os.getpid(), 1)
    assert seen == [1]
    assert later.result() == os.getpid()


@pytest.mark.parametrize("jobs", [1, 2])
def test_start_raises_what_the_function_raised_on_result(jobs: int) -> None:
    def boom() -> None:
        raise ValueError("scan failed")

    later = parallel.start(boom, jobs)
    with pytest.raises(ValueError, match="scan failed"):
        later.result()


def test_start_reports_a_process_that_died() -> None:
    later = parallel.start(lambda: os._exit(3), 2)
    with pytest.raises(WorkerDied, match="exit code 3"):
        later.result()


def test_cancelled_start_leaves_no_process() -> None:
    later = parallel.start(lambda: time.sleep(30), 2)
    proc = later._proc
    started = time.monotonic()
    later.cancel()
    assert not proc.is_alive() and time.monotonic() - started < 10
    with pytest.raises(RuntimeError, match="cancelled"):
        later.result()


# A worker that dies fails the call with WorkerDied, saying how and while
# doing what, and leaves no worker behind; nothing hangs (the only timeouts
# in these tests are pytest's own; the calls themselves must return).

def _exit_on(x: int) -> int:
    if x == 13:
        os._exit(7)  # as a crash in C code or os._exit in a task would
    return x


def test_pmap_fails_when_a_task_exits_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    with pytest.raises(WorkerDied, match=r"a worker process died \(exit code 7\) "
                                         r"while rendering feeds") as caught:
        parallel.pmap(_exit_on, list(range(40)), 2, "rendering feeds")
    assert caught.value.exitcode == 7
    assert "hint: something in the worker ended its process" in str(caught.value)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("jobs", [2, 3])
def test_share_map_fails_when_a_task_exits_the_worker(monkeypatch: pytest.MonkeyPatch,
                                                      jobs: int) -> None:
    """Whether this process or a worker reaches the fatal item first: the
    parent keeps computing its own chunks and then reports the death."""
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    parent = os.getpid()

    def fn(x: int) -> int:
        if os.getpid() == parent:
            time.sleep(0.005)  # slow here, so that the workers get chunks too
        elif x >= 20:
            os._exit(3)
        return x

    with pytest.raises(WorkerDied, match=r"exit code 3\) while parsing"):
        parallel.share_map(fn, list(range(400)), jobs, what="parsing")
    assert multiprocessing.active_children() == []


def test_pmap_parts_fails_when_a_task_exits_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    got = []
    with pytest.raises(WorkerDied, match="while rendering pages"):
        for part in parallel.pmap_parts(_exit_on, list(range(40)), 2, what="rendering pages"):
            got.extend(part)
    assert 13 not in got and got == list(range(len(got)))  # the parts before, in order
    assert multiprocessing.active_children() == []


def test_a_worker_killed_by_sigkill_is_reported_with_its_signal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    pending = parallel.pmap_start(lambda x: time.sleep(30), list(range(8)), 2,
                                  "rendering Markdown bodies")
    os.kill(pending._crew._procs[0].pid, signal.SIGKILL)
    with pytest.raises(WorkerDied, match=r"\(signal 9, SIGKILL\) while rendering Markdown"
                       r"(.|\n)*hint: .*ran out of memory"):
        pending.result()
    assert multiprocessing.active_children() == []  # the other one was ended too


def test_workers_ignore_sigint_and_die_of_sigterm(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent decides what an interruption means: Ctrl-C to the group
    leaves the workers working; SIGTERM to a worker kills it."""
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    pending = parallel.pmap_start(lambda x: time.sleep(0.05) or x, list(range(40)), 2)
    first, second = pending._crew._procs
    os.kill(first.pid, signal.SIGINT)
    os.kill(second.pid, signal.SIGTERM)
    with pytest.raises(WorkerDied, match=r"\(signal 15, SIGTERM\)"):
        pending.result()
    assert first.exitcode == -signal.SIGTERM  # ended by the parent, not by the SIGINT


def test_an_exception_in_the_parent_ends_pending_workers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """KeyboardInterrupt while the parent waits: the workers end, no join hangs."""
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(KeyboardInterrupt):
            parallel.pmap(lambda x: time.sleep(30), list(range(8)), 2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert multiprocessing.active_children() == []


def test_start_reports_a_killed_process_with_its_signal() -> None:
    later = parallel.start(lambda: time.sleep(30), 2, what="checking output/")
    os.kill(later._proc.pid, signal.SIGKILL)
    with pytest.raises(WorkerDied, match=r"\(signal 9, SIGKILL\) while checking output/"):
        later.result()


def test_workers_killed_while_the_parent_waits_for_a_part_fail_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What a SIGTERM to the process group does to the workers: one is busy
    with the first part, the other has finished the rest and is idle.
    multiprocessing.Pool waited forever here for the part that died."""
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    workers: list = []
    real_crew = parallel.Crew

    def crew_kept(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - a handle on the workers
        crew = real_crew(*args, **kwargs)
        workers.extend(crew._procs)
        return crew

    def kill_all() -> None:
        while not workers:
            time.sleep(0.01)
        time.sleep(0.3)  # the second worker has done the other parts by now
        for proc in workers:
            os.kill(proc.pid, signal.SIGTERM)

    monkeypatch.setattr(parallel, "Crew", crew_kept)
    threading.Thread(target=kill_all, daemon=True).start()
    parts = parallel.pmap_parts(lambda x: time.sleep(30) if x == 0 else x, list(range(40)), 2,
                                what="rendering pages")
    with pytest.raises(WorkerDied, match=r"\(signal 15, SIGTERM\) while rendering pages"):
        next(parts)  # starts the workers, then waits for the first part
    assert multiprocessing.active_children() == []
