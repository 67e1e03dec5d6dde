"""Edge: an edited month's search bundle, started while the site is built (digest.search).

An edit's build spends most of its search stage in one Pagefind run over
the edited month's pages (0.4-0.5 s of an edit at 10,000 articles), which
could start only once every page was rendered.  Most edits change an
article's text and nothing else Pagefind reads of its page, so the new page
is, for Pagefind, the last build's page with the new Markdown body in place
of the old one.  The fast engine hands over such edits as soon as the
articles are parsed and have their URLs (:class:`Ahead`, called from
digest.engine.fastrun): that page is put into the month's folder of pages
(digest.searchfolders) and Pagefind starts on it, on the other core, while this
process enriches, assembles and renders.

Nothing is trusted for it.  The bundle is keyed like any other (the
indexed digests of the pages in the folder, digest.search._key), and the
search stage uses it only when the month's key, from the pages this build
rendered, is that one: then it is the bundle a cache hit would have given.
Otherwise (the edit changed the headline, a topic, a date...) it is thrown
away, and the month is indexed as without it.  :meth:`Ahead.close` kills a
run still going, so no Pagefind outlives the build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from digest.output.write import scan_output
from digest.searchdigest import indexed_digest
from digest.searchfiles import SearchError
from digest.searchfolders import PAGES_DIR, reusable
from digest.searchrun import scratch
from digest.searchtool import finish_pagefind, pagefind_version, start_pagefind, stop
from digest.site.model.urls import output_path


@dataclass
class _Run:
    key: str  # the month's bundle key this run makes
    work: Path  # its scratch folder (work/bundle, work/log)
    process: subprocess.Popen
    files: dict[str, tuple[int, int]]  # the folder's files: path -> (size, mtime ns)


class Ahead:
    """Bundles of edited months, started early (see the module's docstring):
    the fast engine's ``ahead`` hook for ``digest build`` over ``output``,
    the last build's output/ (whose article pages are rewritten for
    Pagefind).  digest.search.build_index takes what it can use; close()
    stops the rest."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.runs: dict[str, _Run] = {}
        self.used: list[str] = []  # months whose early bundle the search stage took

    def __call__(self, cache: object, articles: tuple, edits: Iterable[tuple]) -> None:
        """Start Pagefind for each month with edited articles whose page can
        be made from the last build's.  ``cache``: the build's BuildCache;
        ``articles``: the published ones, with their URLs; ``edits``:
        (article, old body HTML, new body HTML) of each article whose source
        changed.  A month it cannot make is left to the search stage; so is
        everything after a failure to start Pagefind."""
        from digest.search import (
            BUNDLE_DIR,
            SECTION,
            _key,
            find_pagefind,
            search_available,
            shard_pages,
        )

        if not search_available() or not getattr(cache, "enabled", False) \
                or cache.dir.is_symlink():  # type: ignore[attr-defined]
            return
        exe = find_pagefind()
        home = cache.dir / SECTION  # type: ignore[attr-defined]
        section = cache.section(SECTION)  # type: ignore[attr-defined]
        # shard_pages of the edited months' articles only (10,000 dates
        # formatted cost more than the rest of this)
        edited = {(art.date.year, art.date.month) for art, _, _ in edits}
        months = shard_pages(a for a in articles if (a.date.year, a.date.month) in edited)
        by_month: dict[str, dict[str, bytes] | None] = {}
        for art, old_html, new_html in edits:
            month, rel = art.date.strftime("%Y-%m"), output_path(art.url)
            page = self._page(rel, old_html, new_html)
            if page is None or rel not in months.get(month, ()) or by_month.get(month, {}) is None:
                by_month[month] = None  # one page it cannot make: not the month at all
            else:
                by_month.setdefault(month, {})[rel] = page  # type: ignore[index]
        try:
            version, _ = pagefind_version(exe, section.get("binary"))
        except SearchError:
            return
        bundles = section.get("bundles", {})
        sites = section.get("sites", {})
        for month, pages in sorted(by_month.items()):
            record = sites.get(month) if isinstance(sites, dict) else None
            if not pages or not isinstance(record, dict):
                continue
            folder = home / PAGES_DIR / month
            digests = _kept_digests(folder, months[month], pages, record)
            if digests is None:
                continue
            for rel, page in pages.items():
                digests[rel] = indexed_digest(page)
            key = _key(version, months[month], digests.__getitem__)
            entry = bundles.get(month) if isinstance(bundles, dict) else None
            # the month's last bundle: [its key, its folder]
            last = home / BUNDLE_DIR / str(entry[1]) \
                if isinstance(entry, list) and len(entry) == 2 else None
            if last is not None and entry[0] == key and last.is_dir():
                continue  # the cache has it (the same pages for Pagefind): nothing to make
            try:
                self.runs[month] = _start(exe, home, folder, key, pages,
                                          reusable(last, version) if last else None)
            except (OSError, SearchError):
                return

    def take(self, month: str, key: str) -> tuple[Path, int, dict[str, tuple[int, int]]] | None:
        """The early bundle of ``month`` if it is the one with ``key`` (work
        folder, pages indexed, the folder's files, as searchrun.Runs.results
        gives them), else None; either way, no run of it is left going.
        Raises SearchError when Pagefind failed on it."""
        run = self.runs.pop(month, None)
        if run is None:
            return None
        if run.key != key:
            _discard(run)
            return None
        try:
            pages = finish_pagefind(run.process, run.work)
        except BaseException:
            _discard(run)
            raise
        self.used.append(month)
        return run.work, pages, run.files

    def drop(self, month: str) -> None:
        """Stop and remove the run of ``month``, if any: the search stage
        remakes its folder."""
        run = self.runs.pop(month, None)
        if run is not None:
            _discard(run)

    def close(self) -> None:
        """Stop and remove every run not taken (the build failed, or did not need it)."""
        while self.runs:
            _discard(self.runs.popitem()[1])

    def _page(self, rel: str, old_html: str, new_html: str) -> bytes | None:
        """The last build's page at ``rel`` with the new body in place of the
        old one, when the old body is in it exactly once."""
        try:
            page = (self.output / rel).read_bytes()
        except OSError:
            return None
        old = old_html.encode()
        if not old or page.count(old) != 1:
            return None
        return page.replace(old, new_html.encode())


def _kept_digests(folder: Path, paths: list[str], edited: Mapping[str, bytes],
                  record: Mapping[str, object]) -> dict[str, str] | None:
    """The indexed digest of each page in the month's folder but the edited
    ones, when the folder holds exactly the month's pages and each file is
    as recorded (the digest recorded with its size and mtime); else None."""
    present = scan_output(folder)
    if set(present) != set(paths):
        return None  # an article came or went: the search stage makes the folder
    digests: dict[str, str] = {}
    for rel in paths:
        if rel in edited:
            continue
        was = record.get(rel)
        if not (isinstance(was, list) and len(was) == 3 and isinstance(was[0], str)
                and tuple(was[1:]) == present[rel]):
            return None
        digests[rel] = was[0]
    return digests


def _start(exe: Path, home: Path, folder: Path, key: str, pages: Mapping[str, bytes],
           reuse: Path | None) -> _Run:
    """Put ``pages`` into the month's ``folder`` and start Pagefind over it
    (from the fragments of ``reuse``, the month's last bundle: start_pagefind)."""
    files = scan_output(folder)
    for rel, page in pages.items():
        target = folder / rel
        target.unlink()  # a link may share its file with output/: never edited
        target.write_bytes(page)
        st = os.stat(target)
        files[rel] = (st.st_size, st.st_mtime_ns)
    work = scratch(home)
    try:
        return _Run(key, work, start_pagefind(exe, folder, work, threads=1, reuse=reuse),
                    files)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _discard(run: _Run) -> None:
    stop(run.process)
    shutil.rmtree(run.work, ignore_errors=True)
