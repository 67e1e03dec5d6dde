"""Worker processes change nothing: the example site built with forked workers
for every parallel step (parsing, local enrichment, related links, Markdown,
pages, feeds) equals the serial build byte for byte.

pmap runs inline below 64 items per worker, so the threshold is lowered here
to make even the small example site fork for each step.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.engine import parallel
from digest.pipeline import BuildOptions, build
from tests.tools import REPO_ROOT

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def test_forked_steps_give_the_serial_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = build(REPO_ROOT, BuildOptions(now=NOW, cache=False, search=False, jobs=1))
    pools: list[str] = []
    real = parallel.multiprocessing.get_context

    def counting(method):  # noqa: ANN001, ANN202
        pools.append(method)
        return real(method)

    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    monkeypatch.setattr(parallel.multiprocessing, "get_context", counting)
    forked = build(REPO_ROOT, BuildOptions(now=NOW, cache=False, search=False, jobs=2))
    assert len(pools) >= 6, f"only {len(pools)} steps ran in worker processes"
    assert dict(forked.rendered) == dict(serial.rendered)
    assert len(serial.rendered) > 100


def test_a_failing_stage_stops_the_body_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bodies render in workers while enrichment runs: when enrichment fails, the
    workers are stopped, not left running after the build has given up."""
    import multiprocessing

    from digest.engine import incremental

    started: list[object] = []
    real_start = parallel.pmap_start

    def recording(fn, items, jobs, what):  # noqa: ANN001, ANN202
        pending = real_start(fn, items, jobs, what)
        started.append(pending)
        return pending

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("enrichment broke")

    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    monkeypatch.setattr("digest.engine.bodies.pmap_start", recording)  # start_bodies
    monkeypatch.setattr(incremental, "enrich_with_cache", broken)
    with pytest.raises(RuntimeError, match="enrichment broke"):
        build(REPO_ROOT, BuildOptions(now=NOW, cache=False, search=False, jobs=2))
    assert started and started[0]._crew is None  # cancelled
    assert multiprocessing.active_children() == []
