"""A build with nothing to reuse writes its pages while it still renders.

``digest build`` without a previous build hands each batch of rendered pages
to a staging tree (digest.output.staging.Staging) as the render workers finish it, so
the disk work overlaps the rendering.  The promises stay: the result is the
same tree as writing everything at the end, and a build that fails after some
batches were written leaves output/ as it was and no staging tree behind.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.engine import parallel
from digest.engine.fast import FastEngine
from digest.errors import OutputError
from digest.output.staging import Staging
from digest.output.write import scan_output, write_site
from digest.pipeline import BuildOptions, build
from tests.hardening.conftest import assert_failed_cleanly
from tests.integration.conftest import (
    EPOCH,
    cli,
    copy_example_site,
    leftovers,
    tree_hash,
    write_files,
)
from tests.integration.test_parallel_render import NOW


def test_streamed_cold_build_equals_writing_at_the_end(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    site = copy_example_site(tmp_path / "site")
    batches: list[int] = []
    real_put = Staging.put

    def counting(self: Staging, files):  # noqa: ANN001, ANN202
        batches.append(len(files))
        return real_put(self, files)

    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)  # several batches even here
    monkeypatch.setattr(Staging, "put", counting)
    run = cli(site, "build", "-q", "--no-search", "--jobs", "2")
    assert run.code == 0, run
    assert len(batches) > 3, batches  # pages arrived in parts, before the final write
    streamed = tree_hash(site / "output")

    plain = build(site, BuildOptions(now=datetime.fromtimestamp(int(EPOCH), tz=UTC),
                                     cache=False, search=False, jobs=1))
    reference = tmp_path / "reference" / "output"
    write_site(plain.rendered, reference, stamp="x")
    expected = tree_hash(reference)
    for tree in (streamed, expected):
        tree.pop(".digest-build")
    assert streamed == expected
    assert leftovers(site) == []


def test_staging_filled_in_part_is_completed_and_swapped_in(tmp_path: Path) -> None:
    """Pages handed over are part of the site even though the build's result
    left their bytes out (they are only on disk)."""
    site = copy_example_site(tmp_path / "site")
    result = build(site, BuildOptions(now=NOW, cache=False, jobs=1))
    files = dict(result.rendered)
    output = site / "output"
    staged = Staging(output)
    first = dict(list(sorted(files.items()))[: len(files) // 2])
    assert staged.put(first) is True
    rest = {rel: data for rel, data in files.items() if rel not in first}
    report = write_site(rest, output, stamp="s", staged=staged)
    got = tree_hash(output)
    assert got.pop(".digest-build")
    assert {p: h for p, h in got.items() if h != "dir"} == {
        rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}
    assert report.files == scan_output(output)  # what the next build compares with
    assert not staged.path.exists() and leftovers(site) == []


def test_a_staging_that_could_not_be_written_is_reported_and_removed(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    assert cli(site, "build", "-q", "--no-search").code == 0
    before = tree_hash(site / "output")
    result = build(site, BuildOptions(now=NOW, cache=False, jobs=1))
    staged = Staging(site / "output")
    (staged.path / "blocked").write_bytes(b"a file where a folder is needed")
    staged.put({"blocked/index.html": b"x"})
    staged.finish()  # written by the staging's threads: wait for them
    assert isinstance(staged.failed, OSError)
    assert staged.put({"later.html": b"y"}) is False  # nothing more after a failure
    with pytest.raises(OutputError, match="could not write the site"):
        write_site(dict(result.rendered), site / "output", stamp="s", staged=staged)
    assert tree_hash(site / "output") == before
    assert not staged.path.exists() and leftovers(site) == []


def test_failure_after_some_batches_were_written_leaves_output(
        built_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checklist 27 (failure at item k) for the streamed write: the theme fails
    on the 404 page, the last page rendered, after the others were written to
    the staging tree."""
    before = tree_hash(built_site / "output")
    write_files(built_site, {
        "themes/late/templates/404.html": "{{ 1 // 0 }}",
        "digest.yaml": "theme: late\n",
    })
    written: list[int] = []
    real_put = Staging.put

    def counting(self: Staging, files):  # noqa: ANN001, ANN202
        written.append(len(files))
        return real_put(self, files)

    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    monkeypatch.setattr(Staging, "put", counting)
    run = cli(built_site, "build", "--no-cache", "--jobs", "2")
    assert written and sum(written) > 0, ("no batch reached the staging tree first", run)
    assert_failed_cleanly(run, built_site, before)
    assert "ZeroDivisionError" in run.err, run


def test_pages_a_sink_keeps_leave_the_result(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages are most of a build's memory: those on disk are not held twice."""
    site = copy_example_site(tmp_path / "site")
    monkeypatch.setattr(parallel, "MIN_PER_WORKER", 1)
    options = BuildOptions(now=NOW, cache=False, search=False, jobs=2)
    full = build(site, options)
    handed: dict[str, bytes] = {}

    def keeping(batch):  # noqa: ANN001, ANN202
        handed.update(batch)
        return True

    kept = build(site, options, engine=FastEngine(sink=keeping))
    pages = {p.path for p in kept.site.pages}
    feeds = {f.path for f in kept.site.feeds}
    assert pages and not pages & set(kept.rendered)
    assert feeds <= set(kept.rendered)  # still there for the feed check
    assert {**dict(kept.rendered), **handed} == dict(full.rendered)


def test_a_bug_in_a_writer_thread_is_raised_not_hung(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer thread that fails unexpectedly keeps taking parts (so put() and
    finish() never wait forever) and finish() raises what went wrong."""
    staged = Staging(tmp_path / "output")
    calls: list[int] = []

    def broken(items):  # noqa: ANN001, ANN202
        calls.append(len(items))
        raise RuntimeError("writer bug")

    monkeypatch.setattr(staged, "_write", broken)
    for k in range(40):  # more parts than the queue holds
        staged.put({f"p{k}/index.html": b"x", f"q{k}/index.html": b"y"})
    with pytest.raises(RuntimeError, match="writer bug"):
        staged.finish()
    staged.discard()
    assert not staged.path.exists()


def test_a_signal_while_the_writer_threads_start_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C landing between two writer threads' starts (issue 22, point 4):
    discard() used to join a thread never started (RuntimeError, exit 70) and
    left output.tmp-* behind."""
    import threading

    staged = Staging(tmp_path / "output")
    real_start = threading.Thread.start
    started: list[threading.Thread] = []

    def start_then_signal(thread: threading.Thread) -> None:
        if started:  # the second writer: the signal arrives before it runs
            raise KeyboardInterrupt
        real_start(thread)
        started.append(thread)

    monkeypatch.setattr(threading.Thread, "start", start_then_signal)
    with pytest.raises(KeyboardInterrupt):
        staged.put({"index.html": b"<p>x</p>"})
    monkeypatch.setattr(threading.Thread, "start", real_start)
    staged.discard()
    assert not staged.path.exists()
    assert list(tmp_path.iterdir()) == []
    assert not started[0].is_alive()
