"""Watching: filtering, debouncing, polling fallback (real watchdog observers)."""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

import pytest
from watchdog.events import (
    DirModifiedEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)
from watchdog.observers import Observer

from digest.serve.watch import Change, ChangeKind, Debouncer, Watcher, WatchFilter


def make_site(root: Path) -> Path:
    (root / "content" / "2024").mkdir(parents=True)
    (root / "content" / "2024" / "a.md").write_text("---\ntitle: A\n---\nbody\n")
    (root / "themes" / "mine" / "templates").mkdir(parents=True)
    (root / "output").mkdir()
    (root / "digest.yaml").write_text("title: T\n")
    return root.resolve()


class Batches:
    """Collects debounced batches; waits with timeouts instead of fixed sleeps."""

    def __init__(self) -> None:
        self.q: queue.Queue[list[Change]] = queue.Queue()
        self.all: list[list[Change]] = []
        self.warnings: list[str] = []

    def __call__(self, batch: list[Change]) -> None:
        self.all.append(batch)
        self.q.put(batch)

    def next(self, timeout: float = 5.0) -> list[Change]:
        return self.q.get(timeout=timeout)

    def none_within(self, seconds: float) -> bool:
        try:
            self.q.get(timeout=seconds)
        except queue.Empty:
            return True
        return False


# -- the filter --------------------------------------------------------------------


@pytest.fixture
def filt(tmp_path: Path) -> WatchFilter:
    return WatchFilter(make_site(tmp_path))


def test_only_content_changing_events_count(filt: WatchFilter) -> None:
    path = str(filt.site_root / "content" / "2024" / "a.md")
    for event in (FileOpenedEvent(path), FileClosedEvent(path), FileClosedNoWriteEvent(path),
                  DirModifiedEvent(str(filt.site_root / "content"))):
        assert filt.changes(event) == [], event
    for event in (FileCreatedEvent(path), FileModifiedEvent(path), FileDeletedEvent(path)):
        assert [c.kind for c in filt.changes(event)] == [ChangeKind.CONTENT]


@pytest.mark.parametrize("rel", [
    "content/2024/.a.md.swp", "content/2024/.a.md.swx", "content/2024/a.md~",
    "content/2024/4913", "content/2024/.#a.md", "content/2024/#a.md#", "content/.DS_Store",
    "content/.git/index", "output/index.html", "output/2024/x/index.html",
    "output.tmp-1234/index.html", "output.old-99/feed.xml", ".digest-cache/x",
    ".git/HEAD", "README.md", "themes/mine/templates/.base.html.swp", "digest.yaml~",
])
def test_ignored_paths(filt: WatchFilter, rel: str) -> None:
    assert filt.classify(str(filt.site_root / rel)) is None


@pytest.mark.parametrize(("rel", "kind"), [
    ("content/2024/a.md", ChangeKind.CONTENT),
    ("content/_posts/b.md", ChangeKind.CONTENT),
    ("content", ChangeKind.CONTENT),
    ("themes/mine/templates/_macros.html", ChangeKind.THEME),
    ("themes/mine/static/style.css", ChangeKind.THEME),
    ("digest.yaml", ChangeKind.CONFIG),
])
def test_relevant_paths(filt: WatchFilter, rel: str, kind: ChangeKind) -> None:
    assert filt.classify(str(filt.site_root / rel)) is kind


def test_rename_save_counts_destination(filt: WatchFilter) -> None:
    src = str(filt.site_root / "content" / "2024" / ".a.md.tmp")
    dest = str(filt.site_root / "content" / "2024" / "a.md")
    assert [c.path for c in filt.changes(FileMovedEvent(src, dest))] == [dest]


# -- the debouncer with synthetic events --------------------------------------------


def test_debouncer_burst_of_synthetic_events_is_one_batch(filt: WatchFilter) -> None:
    got = Batches()
    deb = Debouncer(got, quiet=0.2, max_wait=3.0)
    path = str(filt.site_root / "content" / "2024" / "a.md")
    try:
        for _ in range(20):  # 20 saves in ~1 s, each with the events an editor causes
            for event in (FileOpenedEvent(path), FileModifiedEvent(path),
                          FileClosedEvent(path)):
                deb.add(filt.changes(event))
            time.sleep(0.05)
        batch = got.next()
        assert len(batch) == 20 and {c.path for c in batch} == {path}
        assert got.none_within(0.4)
    finally:
        deb.stop()


def test_debouncer_max_wait_flushes_a_steady_stream() -> None:
    got = Batches()
    deb = Debouncer(got, quiet=0.2, max_wait=0.5)
    change = Change(ChangeKind.CONTENT, "/x/a.md", "modified")
    try:
        started = time.monotonic()
        first = None
        while time.monotonic() - started < 1.5:
            deb.add([change])
            if first is None and not got.q.empty():
                first = time.monotonic() - started
            time.sleep(0.05)
        assert first is not None and first < 1.0
        assert len(got.all) >= 2
    finally:
        deb.stop()


def test_debouncer_ignores_empty_additions() -> None:
    got = Batches()
    deb = Debouncer(got, quiet=0.05)
    try:
        deb.add([])
        assert got.none_within(0.2)
    finally:
        deb.stop()


# -- real observers on real files ---------------------------------------------------


def start_watcher(site: Path, got: Batches, **kwargs: object) -> Watcher:
    watcher = Watcher(site, got, warn=got.warnings.append, **kwargs)  # type: ignore[arg-type]
    watcher.start()
    return watcher


def test_twenty_saves_in_one_second_is_one_batch(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    got = Batches()
    watcher = start_watcher(site, got)
    article = site / "content" / "2024" / "a.md"
    try:
        for i in range(20):
            article.write_text(f"---\ntitle: A{i}\n---\nbody\n")
            time.sleep(0.05)
        batch = got.next()
        assert {c.path for c in batch} == {str(article)}
        assert got.none_within(0.5)
        assert len(got.all) == 1
    finally:
        watcher.stop()


def test_ignored_files_trigger_nothing(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    got = Batches()
    watcher = start_watcher(site, got)
    try:
        folder = site / "content" / "2024"
        for name in (".a.md.swp", ".a.md.swx", "a.md~", "4913", ".#a.md", "#a.md#"):
            (folder / name).write_text("x")
            (folder / name).unlink()
        (site / "output" / "index.html").write_text("<html></html>")
        (site / "output.tmp-42").mkdir()
        (site / "output.tmp-42" / "index.html").write_text("x")
        (site / ".digest-cache").mkdir()
        (site / ".digest-cache" / "x").write_text("x")
        (site / "notes.txt").write_text("not watched")
        with (folder / "a.md").open("rb") as fh:  # opens/closes are not changes
            fh.read()
        # A real change last: the first batch must contain only it, which proves
        # that the ignored events above were seen and dropped.
        (site / "digest.yaml").write_text("title: U\n")
        batch = got.next()
        assert {c.path for c in batch} == {str(site / "digest.yaml")}
        assert [c.kind for c in batch][0] is ChangeKind.CONFIG
    finally:
        watcher.stop()


def test_poll_option_uses_polling_observer(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    got = Batches()
    watcher = start_watcher(site, got, poll=True)
    try:
        assert watcher.polling
        (site / "themes" / "mine" / "templates" / "base.html").write_text("<html></html>")
        batch = got.next()
        assert batch[0].kind is ChangeKind.THEME
    finally:
        watcher.stop()


class RefusingObserver(Observer):  # type: ignore[misc,valid-type]
    """A native observer whose start fails like an exhausted inotify limit."""

    def start(self) -> None:
        raise OSError(28, "inotify watch limit reached")


class RefusedWatcher(Watcher):
    native_observer = RefusingObserver


def test_falls_back_to_polling_when_native_observer_fails(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    got = Batches()
    warnings: list[str] = []
    watcher = RefusedWatcher(site, got, warn=warnings.append)
    watcher.start()
    try:
        assert watcher.polling
        assert warnings and "polling" in warnings[0]
        (site / "content" / "2024" / "b.md").write_text("---\ntitle: B\n---\n")
        assert got.next().pop().path.endswith("b.md")
    finally:
        watcher.stop()


def test_content_dir_created_later_is_watched(tmp_path: Path) -> None:
    site = tmp_path.resolve()
    got = Batches()
    watcher = start_watcher(site, got)
    try:
        (site / "content").mkdir()
        assert got.next()[0].kind is ChangeKind.CONTENT
        (site / "content" / "a.md").write_text("x")
        assert any(c.path.endswith("a.md") for c in got.next())
    finally:
        watcher.stop()


def test_stop_joins_threads(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    before = set(threading.enumerate())
    watcher = start_watcher(site, Batches())
    watcher.stop()
    deadline = time.monotonic() + 5
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not [t for t in set(threading.enumerate()) - before if t.is_alive()]
