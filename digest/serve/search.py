"""Search in `digest serve`: the Pagefind index of the site in memory.

After each good build (and only when no other build is pending: the
builder's ``after`` step), the index is brought up to date the way
``digest build`` does it (digest.search): one Pagefind bundle per month of
articles, cached by the digest of what Pagefind reads of the month's pages,
so that an edit re-runs Pagefind on its own month only.  The bundles live in
``.digest-cache/search-serve/`` (a section of their own: the ``search`` one
describes the pages in output/, which serve never writes), under the site's
lock like the build.  Their files are read into memory and served beside the
pages (SiteState.publish_files): the HTTP server still answers only from
memory.  A bundle's folder is named by its key, so the files of the months
that did not change are the ones already held.

The pages are published first: a page reload never waits for Pagefind,
and an edit's build does not wait for an index being made (``update``'s
``should_stop``: the months finished are kept, the rest is made after that build).  When
the index changes, tabs on the search page reload (and search again: the
words and filters are in its URL).  Until the first index is ready, the list
of bundles says ``pending`` and the search page says so.  A failed index
keeps the last one and prints the error; the site itself is unaffected.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from digest.errors import DigestError
from digest.output.lock import lock_site
from digest.search import SKIPPED_WARNING, build_index, page_source, search_available
from digest.searchrun import Stopped
from digest.serve.builder import SiteState

PLACE = "search-serve"  # cache section and folder of .digest-cache
SEARCH_PAGE = "search/index.html"
LIST = "pagefind/shards.json"
PENDING = {LIST: json.dumps({"shards": [], "pending": True}).encode() + b"\n"}


class ServeIndex:
    """The search index of the served site, kept up to date after builds."""

    def __init__(self, site_root: Path, state: SiteState, *, tell: Callable[[str], None],
                 warn: Callable[[str], None]) -> None:
        self.site_root, self.state = site_root, state
        self.tell, self.warn = tell, warn  # progress lines; problems
        self.result = None  # the last good build (BuildResult), set by ready()
        self.files: dict[str, bytes] = {}  # what is served now
        self.memo: dict[str, tuple[bytes, str]] = {}  # page -> (bytes, digest)
        self._told = False

    def wanted(self, result) -> bool:  # noqa: ANN001 - BuildResult
        if not result.config.search:  # `search: false`, or serve --no-search
            return False
        if not search_available():
            if not self._told:
                self.warn(f"warning: {SKIPPED_WARNING}")
                self._told = True
            return False
        return True

    def ready(self, result) -> None:  # noqa: ANN001 - BuildResult
        """Called with each good build before its pages are published: until a
        first index exists, the search page is told one is being made."""
        self.result = result
        if not self.wanted(result):
            if self.files:
                self.files = {}
                self.memo.clear()
                self.state.publish_files({}, also=(SEARCH_PAGE,))
            return
        if not self.files:
            self.state.publish_files(PENDING)

    def update(self, should_stop: Callable[[], bool] | None = None) -> None:
        """The builder's ``after`` step: index the last good build.

        ``should_stop()`` says that another build is waiting (an edit, or the
        server stopping): Pagefind is then stopped and the index left for
        the next build's turn, keeping the months done so far in the cache.
        The first index of a large site takes a while (about 9 s of
        Pagefind at 10,000 articles), and an edit saved meanwhile would
        wait for it all before its preview."""
        result = self.result
        if result is None or not self.wanted(result):
            return
        try:
            with lock_site(self.site_root, wait=None):
                try:
                    index = build_index(result.site.articles, page_source(result.rendered),
                                        result.cache, jobs=min(4, os.cpu_count() or 1),
                                        place=PLACE, memo=self.memo,
                                        fingerprints=result.fingerprints,
                                        should_stop=should_stop)
                except Stopped:
                    if result.cache is not None:
                        result.cache.flush()
                    return
                try:
                    files = {rel: self.files.get(rel) or path.read_bytes()
                             for rel, path in index.linked.items()}
                finally:
                    index.close()
                if result.cache is not None:
                    result.cache.flush()
        except (DigestError, OSError) as exc:
            if not self.files:  # no index to keep: the page says search is not available
                self.state.publish_files({}, also=(SEARCH_PAGE,))
            lines = [d.format() for d in exc.diagnostics] if isinstance(exc, DigestError) \
                else [f"search index: {exc}"]
            for line in lines:
                self.warn(line)
            if self.files:
                self.warn("the search page keeps the last index")
            return
        files.update(index.data)
        self.files = files
        self.state.publish_files(files, also=(SEARCH_PAGE,))
        report = index.report
        if report.rebuilt:
            self.tell(f"search index: {report.line()} in {report.seconds:.2f} s")
