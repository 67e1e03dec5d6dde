"""Edge: running Pagefind over months' folders of article pages (digest.search).

Each month's folder (digest.searchfolders: kept from build to build) is
brought up to date, then Pagefind writes the month's bundle into a scratch
folder, from which digest.searchfolders.place_bundle moves it into the
cache.  :class:`Runs` runs Pagefind over several months, a few at a time,
from the build's main thread (no thread of its own).
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from digest.searchfiles import PageSource
from digest.searchfolders import PAGES_DIR, FileRecord, sync_pages
from digest.searchtool import TIMEOUT_S, finish_pagefind, start_pagefind, stop

STOP_POLL_S = 0.05  # how often Runs.results asks its ``should_stop`` while Pagefind runs


class Stopped(Exception):  # noqa: N818 - not an error: the caller asked for it
    """Runs.results was told to stop (its ``should_stop()`` said so) before every run ended."""


# A month's run once ended: its scratch folder (the bundle in <work>/bundle),
# the pages Pagefind indexed, and the files of the folder it read.
Made = tuple[Path, int, dict[str, tuple[int, int]]]


@dataclass
class _Queued:
    """A month waiting for a Pagefind run; ``files``: its folder's, once made ready."""

    month: str
    paths: list[str]
    source: PageSource
    digests: Mapping[str, str] | None
    record: FileRecord
    reuse: Path | None = None  # the month's last bundle (see start_pagefind)
    files: dict[str, tuple[int, int]] | None = None


class Runs:
    """Pagefind runs over months' folders of pages, at most ``jobs`` at a time,
    started and waited for by the calling thread alone: a signal always lands
    where the build's code runs (a thread waiting on a run could take it and
    leave the main one blocked until Pagefind ended), and :meth:`close` kills
    every run still going at once.

    :meth:`add` queues a month, :meth:`poll` starts and finishes runs without
    waiting, :meth:`results` waits for them all.  A run first brings the
    month's folder of pages up to date (:func:`sync_pages`: ``digests`` are
    the pages' indexed digests, with ``record`` telling which files still
    hold them; None, not known yet on a first build, makes the folder anew),
    then Pagefind writes the bundle into ``<work>/bundle``, ``work`` being a
    scratch folder of ``home`` (:func:`place_bundle` moves it where it
    belongs).  Runs are taken in the order they end (:func:`wait_any`), a
    freed slot is filled before the ended run's bundle is checked, and the
    next months' folders are made ready while Pagefind runs: no slot waits
    for the build's own work (about 0.4 s of it over a cold build's 24 months).
    ``taken(month, made)``, when given, receives each run as it ends (and
    owns its scratch folder), while the others go; else :meth:`results`
    returns them all at the end.

    ``should_stop()``, when given, is asked every few hundredths of a second while
    :meth:`results` waits: once it says True, :meth:`results` raises
    :class:`Stopped` (`digest serve` stops indexing when an edit arrives,
    see digest.serve.search); the caller then closes the runs.

    (Pointing Pagefind at the staging tree with a --glob of the shard's pages
    instead was no faster: it walks the whole tree for every shard.)"""

    def __init__(self, exe: Path, home: Path, jobs: int,
                 taken: Callable[[str, Made], None] | None = None,
                 should_stop: Callable[[], bool] | None = None) -> None:
        self.exe, self.home, self.jobs = exe, home, max(1, jobs)
        self.taken = taken
        self.should_stop = should_stop
        self.queued: list[_Queued] = []
        self.running: dict[str, tuple[subprocess.Popen, Path, dict[str, tuple[int, int]]]] = {}
        self.done: dict[str, Made] = {}

    def add(self, month: str, paths: list[str], source: PageSource,
            digests: Mapping[str, str] | None, record: FileRecord,
            reuse: Path | None = None) -> None:
        self.queued.append(_Queued(month, paths, source, digests, record, reuse))
        self.poll()

    def poll(self) -> None:
        """Finish the runs that have ended; start queued ones in their place."""
        ended = [month for month, (run, _, _) in self.running.items() if run.poll() is not None]
        self._end(ended)

    def results(self) -> dict[str, Made]:
        """Month -> (work folder, pages indexed, the folder's files) of every
        month added, once all ran.  Raises SearchError for a failed run."""
        while self.running or self.queued:
            if self.should_stop is not None and self.should_stop():
                raise Stopped
            if self.running:
                # While Pagefind runs, the next month's folder is made ready,
                # so that a slot that frees is filled at once.
                for item in self.queued[:self.jobs]:
                    self._ready(item)
                ended = wait_any([run for run, _, _ in self.running.values()],
                                 list(self.running),
                                 limit=STOP_POLL_S if self.should_stop else None)
                if ended is not None:
                    self._end([ended])
            else:
                self.poll()
        return self.done

    def close(self) -> None:
        """Kill the runs still going; remove every scratch folder not taken."""
        self.queued.clear()
        while self.running:
            run, work, _ = self.running.popitem()[1]
            stop(run)
            shutil.rmtree(work, ignore_errors=True)
        while self.done:
            shutil.rmtree(self.done.popitem()[1][0], ignore_errors=True)

    def _ready(self, item: _Queued) -> dict[str, tuple[int, int]]:
        """The queued month's folder brought up to date (once): its files."""
        if item.files is None:
            item.files = sync_pages(self.home / PAGES_DIR / item.month, item.paths, item.source,
                                    item.digests, item.record)
        return item.files

    def _end(self, ended: list[str]) -> None:
        """Take the ``ended`` runs out of their slots, start queued months in
        them, then finish the ended ones (their bundles' own work is done
        while the new runs go)."""
        runs = [(month, self.running.pop(month)) for month in ended]
        try:
            while self.queued and len(self.running) < self.jobs:
                item = self.queued[0]
                files = self._ready(item)
                month = item.month
                work = scratch(self.home)
                try:
                    self.running[month] = (
                        start_pagefind(self.exe, self.home / PAGES_DIR / month, work,
                                       reuse=item.reuse),
                        work, files)
                except BaseException:
                    shutil.rmtree(work, ignore_errors=True)
                    raise
                self.queued.pop(0)
            while runs:
                month, (run, work, files) = runs[0]
                pages = finish_pagefind(run, work)
                runs.pop(0)
                if self.taken is None:
                    self.done[month] = (work, pages, files)
                else:  # it owns ``work`` from here on
                    self.taken(month, (work, pages, files))
        finally:
            for _, (run, work, _) in runs:  # not finished (an error): nothing to keep
                stop(run)  # (one that wait_any gave up on may still run)
                shutil.rmtree(work, ignore_errors=True)


def scratch(home: Path) -> Path:
    """A new scratch folder in ``home`` for one Pagefind run (the index's
    _forget removes any a stopped build left)."""
    work = home / f".work-{uuid.uuid4().hex[:8]}"
    work.mkdir(parents=True)
    return work


def wait_any(runs: list[subprocess.Popen], names: list[str],
             limit: float | None = None) -> str | None:
    """The name of a run in ``runs`` that has ended, waiting for the first to
    end.  Not the oldest: months differ in size, and a slot left idle until
    the oldest run ends is a core idle (waiting for the oldest, both cores
    were 5-15% idle through a cold build's search stage).  A pidfd per run
    where the platform has them (one wait for all, no polling), else a poll
    every few milliseconds.  When none ends within TIMEOUT_S, the oldest:
    finish_pagefind's own wait then says that Pagefind did not finish.
    With ``limit``: None when none ended within that many seconds."""
    now = time.monotonic()
    deadline = now + TIMEOUT_S
    until = now + limit if limit is not None else None
    while True:
        for run, name in zip(runs, names, strict=True):
            if run.poll() is not None:
                return name
        now = time.monotonic()
        if until is not None and now >= until:
            return None
        left = deadline - now
        if left <= 0:
            return names[0]
        if until is not None:
            left = min(left, until - now)
        fds = []
        try:
            if hasattr(os, "pidfd_open"):
                fds = [os.pidfd_open(run.pid) for run in runs]
        except OSError:  # no pidfds here (an older kernel; a sandbox)
            for fd in fds:
                os.close(fd)
            fds = []
        try:
            if fds:
                select.select(fds, [], [], left)
            else:
                time.sleep(0.005)
        finally:
            for fd in fds:
                os.close(fd)
