"""Edge: running Pagefind over months' folders of article pages (digest.search).

Each month's folder (digest.searchfolders: kept from build to build) is
brought up to date, then Pagefind writes the month's bundle into a scratch
folder, from which digest.searchfolders.place_bundle moves it into the
cache.  :class:`Runs` runs Pagefind over several months, a few at a time,
from the build's main thread (no thread of its own).
"""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from digest.searchfiles import PageSource, _error
from digest.searchfolders import PAGES_DIR, FileRecord, seed_fragments, sync_pages

# A month's run once ended: its scratch folder (the bundle in <work>/bundle),
# the pages Pagefind indexed, and the files of the folder it read.
Made = tuple[Path, int, dict[str, tuple[int, int]]]

TIMEOUT_S = 600
UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.",
          "pagefind-highlight.")  # 0.6 MB per bundle the theme never loads


def pagefind_version(exe: Path, known: object = None) -> tuple[str, list]:
    """Pagefind's version, e.g. "1.5.2", and the record to pass as ``known``
    next time: the binary's path, size and mtime with it (running it takes
    a tenth of a second)."""
    try:
        st = os.stat(exe)
    except OSError as exc:
        raise _error(f"could not run Pagefind ({exe}): {exc}") from None
    mark = [os.fspath(exe), st.st_size, st.st_mtime_ns]
    if isinstance(known, list) and len(known) == 4 and known[:3] == mark \
            and isinstance(known[3], str):
        return known[3], known
    try:
        out = subprocess.run([str(exe), "--version"], capture_output=True, text=True,
                             timeout=60, check=False, stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _error(f"could not run Pagefind ({exe}): {exc}") from None
    found = re.search(r"(\d+\.\d+[\w.\-]*)", out)
    if not found:
        raise _error(f"could not run Pagefind ({exe}): no version in {out!r}")
    return found.group(1), [*mark, found.group(1)]


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

    (Pointing Pagefind at the staging tree with a --glob of the shard's pages
    instead was no faster: it walks the whole tree for every shard.)"""

    def __init__(self, exe: Path, home: Path, jobs: int,
                 taken: Callable[[str, Made], None] | None = None) -> None:
        self.exe, self.home, self.jobs = exe, home, max(1, jobs)
        self.taken = taken
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
            if self.running:
                # While Pagefind runs, the next month's folder is made ready,
                # so that a slot that frees is filled at once.
                for item in self.queued[:self.jobs]:
                    self._ready(item)
                self._end([wait_any([run for run, _, _ in self.running.values()],
                                    list(self.running))])
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


def wait_any(runs: list[subprocess.Popen], names: list[str]) -> str:
    """The name of a run in ``runs`` that has ended, waiting for the first to
    end.  Not the oldest: months differ in size, and a slot left idle until
    the oldest run ends is a core idle (waiting for the oldest, both cores
    were 5-15% idle through a cold build's search stage).  A pidfd per run
    where the platform has them (one wait for all, no polling), else a poll
    every few milliseconds.  When none ends within TIMEOUT_S, the oldest:
    finish_pagefind's own wait then says that Pagefind did not finish."""
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        for run, name in zip(runs, names, strict=True):
            if run.poll() is not None:
                return name
        left = deadline - time.monotonic()
        if left <= 0:
            return names[0]
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


def start_pagefind(exe: Path, site: Path, work: Path, threads: int = 0,
                   reuse: Path | None = None) -> subprocess.Popen:
    """Pagefind started over the pages in ``site``, writing ``work/bundle``
    (with ``threads``: at most that many of its own); what it prints goes to
    ``work/log`` (a file, not a pipe: nothing has to read it while Pagefind
    runs).  ``reuse``: the month's last bundle, made by this Pagefind
    (searchfolders.reusable), whose page fragments the new one starts from
    (searchfolders.seed_fragments).  :func:`finish_pagefind` waits for it."""
    if reuse is not None:
        seed_fragments(reuse, work / "bundle")
    cmd = [os.path.abspath(exe), "--site", os.path.abspath(site),
           "--output-path", os.path.abspath(work / "bundle")]
    try:
        with open(work / "log", "wb") as log:
            return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=pagefind_env(threads),
                                    cwd=work)
    except OSError as exc:
        raise _error(f"could not run Pagefind ({exe}): {exc}") from None


def pagefind_env(threads: int = 0) -> dict[str, str]:
    """The environment of a Pagefind run: this one without PAGEFIND_*
    variables.  Pagefind takes its settings from those and from a
    pagefind.yml (.toml, .json) in its working folder too; a curator's own,
    left where digest runs by a Hugo + Pagefind setup, would reach digest's
    runs (a ``glob`` of theirs: no page indexed, the build fails; selectors
    or a forced language: another index).  So a run has none of them, and
    works in its scratch folder, which holds no settings file.  ``threads``:
    the size of Pagefind's thread pool (0: its default)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    env["NO_COLOR"] = "1"
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
    return env


def finish_pagefind(run: subprocess.Popen, work: Path) -> int:
    """Wait for the Pagefind ``run`` writing ``work/bundle``, check it and put
    the bundle in digest's canonical form; the number of pages it indexed.
    Raises SearchError when it failed."""
    try:
        run.wait(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise _error(f"Pagefind did not finish within {TIMEOUT_S} s") from None
    log = (work / "log").read_text("utf-8", errors="replace")
    bundle = work / "bundle"
    if run.returncode != 0 or not (bundle / "pagefind.js").is_file():
        raise _error(f"Pagefind failed (exit {run.returncode}): {_tail(log)}")
    pages = _number(r"Indexed (\d+) pages?", log)
    if not pages:
        raise _error("Pagefind indexed no pages",
                     hint="the theme must mark the text of article pages with "
                          "data-pagefind-body")
    for unused in bundle.iterdir():  # the search page loads none of Pagefind's UIs
        if unused.name.startswith(UNUSED):
            unused.unlink()
    from digest.searchbundle import BundleShapeError, make_canonical  # needs cbor2

    try:
        make_canonical(bundle)  # filter values in a fixed order: the same bytes
    except (BundleShapeError, OSError) as exc:
        raise _error(f"Pagefind's bundle is not as digest expects ({exc})",
                     hint="install a Pagefind 1.x release (pip install "
                          "'pagefind[bin]>=1.1,<2'), or build with --no-search") from None
    return pages


def stop(run: subprocess.Popen) -> None:
    """Kill the Pagefind ``run`` unless it has ended, and reap it: none
    outlives the build that started it."""
    if run.poll() is None:
        run.kill()
    run.wait()


def _number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


def _tail(log: str, lines: int = 12) -> str:
    kept = [line for line in log.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept) or "no output"
