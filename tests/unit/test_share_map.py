"""digest.engine.parallel.share_map: the parent works as one of the jobs; order, packing
and errors are as with pmap."""

from __future__ import annotations

import os
import time

import pytest

from digest.engine import parallel
from digest.engine.crew import WorkerDied

PARENT = os.getpid()

def _square_with_pid(x: int) -> tuple[int, int]:
    time.sleep(0.002)  # slow enough that every process gets some of the work
    return x * x, os.getpid()


def test_results_in_input_order_from_parent_and_workers() -> None:
    items = list(range(1000))
    out = parallel.share_map(_square_with_pid, items, 3)
    assert [r for r, _ in out] == [x * x for x in items]
    assert len({pid for _, pid in out}) >= 2  # the work was shared


def _plus_one_with_pid(x: int) -> tuple[int, int]:
    return x + 1, os.getpid()


def test_pack_and_unpack_apply_to_worker_chunks_only() -> None:
    packed: list[int] = []

    def unpack(part: tuple[str, list[tuple[int, int]]]) -> list[tuple[int, int]]:
        assert part[0] == "packed"
        packed.append(len(part[1]))
        return part[1]

    items = list(range(640))
    out = parallel.share_map(_plus_one_with_pid, items, 2,
                             pack=lambda part: ("packed", part), unpack=unpack)
    assert [r for r, _ in out] == [x + 1 for x in items]
    # exactly the chunks computed elsewhere came packed
    assert sum(packed) == sum(1 for _, pid in out if pid != PARENT)


def test_inline_when_few_items_or_one_job() -> None:
    pid = os.getpid()
    assert {p for _, p in parallel.share_map(_square_with_pid, list(range(10)), 4)} == {pid}
    assert {p for _, p in parallel.share_map(_square_with_pid, list(range(500)), 1)} == {pid}


def _fails_in_workers(x: int) -> int:
    if os.getpid() != PARENT:
        raise ValueError(f"boom at {x}")
    time.sleep(0.0005)  # the parent is slow enough that a worker gets a chunk
    return x


def test_a_worker_error_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="boom at"):
        parallel.share_map(_fails_in_workers, list(range(1000)), 2)


def test_a_parent_error_stops_the_workers() -> None:
    def fail(x: int) -> int:
        if x == 5:
            raise KeyError("parent")
        return x

    with pytest.raises(KeyError):
        parallel.share_map(fail, list(range(1000)), 2)


def test_alongside_runs_the_other_step_in_another_process() -> None:
    other, here = parallel.alongside(os.getpid, os.getpid, 2)
    assert here == PARENT and other != PARENT
    assert parallel.alongside(os.getpid, os.getpid, 1) == (PARENT, PARENT)


def test_alongside_errors_reach_the_caller() -> None:
    def boom() -> None:
        raise ValueError("boom in the other process")

    with pytest.raises(ValueError, match="other process"):
        parallel.alongside(boom, lambda: 1, 2)
    with pytest.raises(KeyError):
        parallel.alongside(lambda: 1, lambda: {}["missing"], 2)


def test_gc_paused_restores_the_collector() -> None:
    import gc

    assert gc.isenabled()
    with parallel.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with parallel.gc_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def _dies_in_workers(x: int) -> int:
    if os.getpid() != PARENT:
        os._exit(3)  # as if killed: no answer at all
    time.sleep(0.0005)
    return x


def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    with pytest.raises(WorkerDied, match="exit code 3"):
        parallel.share_map(_dies_in_workers, list(range(1000)), 2)
