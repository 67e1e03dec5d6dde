"""digest.output.publish as a unit: ``prepare`` a target, ``publish`` a build
into it, the way ``digest build`` does (``publish(build(...))``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.engine.cache import BuildCache
from digest.engine.fast import FastEngine
from digest.output.publish import prepare, publish
from digest.output.write import read_stamp
from digest.pipeline import BuildOptions, build, configure
from tests.integration.conftest import EPOCH, leftovers, output_files, small_site

OPTIONS = BuildOptions(jobs=1, search=False)


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _publish(site: Path, options: BuildOptions = OPTIONS):  # noqa: ANN202
    config = configure(site, options)
    engine = FastEngine()
    target = prepare(site, config, options, engine)
    assert not target.up_to_date
    with target:
        result = build(site, options, engine=engine)
        report = publish(result, target)
    return target, result, report


def test_publish_swaps_the_site_in_and_saves_its_record(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    target, result, report = _publish(site)
    assert target.staged is not None  # a cold build: filled while it rendered
    assert target.published == "output"
    assert read_stamp(site / "output") == result.input_key != ""
    assert "index.html" in output_files(site) and leftovers(site) == []
    assert set(report.files) == set(output_files(site))
    pages = BuildCache(site, "").section_raw("pages")
    assert pages["stamp"] == result.input_key and pages["files"] == report.files
    # Nothing changed since: the next build has nothing to do, and makes no tree.
    again = prepare(site, configure(site, OPTIONS), OPTIONS, FastEngine())
    assert again.up_to_date and again.staged is None and leftovers(site) == []
    # Asked not to skip (--strict, --verbose), it reuses what the last build left.
    engine = FastEngine()
    warm = prepare(site, configure(site, OPTIONS), OPTIONS, engine, may_skip=False)
    assert not warm.up_to_date and warm.staged is None
    assert engine.reuse_from == site / "output" and engine.sink is None
    with warm:
        publish(build(site, OPTIONS, engine=engine), warm)
    assert warm.published == "output" and leftovers(site) == []


def test_an_interrupted_build_leaves_output_and_removes_its_tree(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    _publish(site)
    before = output_files(site)
    (site / "content" / "new.md").write_text(
        "---\ntitle: New\ndate: 2024-05-05T08:00:00+02:00\n---\n\nNew text.\n",
        encoding="utf-8")
    options = BuildOptions(jobs=1, search=False, cache=False)  # no record: a staging tree
    engine = FastEngine()
    target = prepare(site, configure(site, options), options, engine)
    assert target.staged is not None and target.staged.path.is_dir()
    assert engine.sink == target.staged.put
    with pytest.raises(KeyboardInterrupt), target:
        build(site, options, engine=engine)
        raise KeyboardInterrupt  # Ctrl-C between the build and the swap
    assert target.published == ""
    assert output_files(site) == before and leftovers(site) == []
