"""Worker processes change nothing: the example site built with forked workers
for every parallel step (parsing, local enrichment, related links, Markdown,
pages, feeds) equals the serial build byte for byte.

pmap runs inline below 64 items per worker, so the threshold is lowered here
to make even the small example site fork for each step.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest import parallel
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
