"""Helpers comparing the fast engine with the plain one (digest.engine)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from digest.engine import FastEngine, PlainEngine
from digest.pipeline import BuildOptions, build
from tests.integration.conftest import write_files


def files_of(result) -> dict[str, bytes]:  # noqa: ANN001 - a BuildResult
    return {path: bytes(result.rendered[path]) for path in result.rendered}


def edits_stay_exact(site: Path, options: BuildOptions,
                     edits: Iterable[Mapping[str, str | None]]) -> dict[str, bytes]:
    """Build ``site`` with a FastEngine kept across builds (as ``digest serve``
    does), then after each edit (files to write; None: a file to delete)
    rebuild it incrementally and check the bytes equal the plain engine's cold
    build; the last site's files."""
    engine = FastEngine()
    last = build(site, options, engine=engine)
    got = files_of(last)
    for edit in edits:
        for rel, text in edit.items():
            if text is None:
                (site / rel).unlink()
        write_files(site, {rel: text for rel, text in edit.items() if text is not None})
        engine.reuse(last.fingerprints, last.digests.to_data() if last.digests else None,
                      last.rendered)
        last = build(site, options, engine=engine)
        got, want = files_of(last), files_of(build(site, options, engine=PlainEngine()))
        assert sorted(got) == sorted(want), f"after writing {sorted(edit)}"
        assert [p for p in want if got[p] != want[p]] == [], f"after writing {sorted(edit)}"
    return got
