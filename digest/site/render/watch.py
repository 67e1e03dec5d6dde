"""Watching a page while it renders: what its template's source could not show.

See engine/access.py for the levels.  A :class:`Watch` holds the URLs the
page links (it may look them up in ``by_url``) and the level its render was
seen to need: SITE for a lookup of another article or iterating ``by_url``,
TAINT (every page of the build SITE) for an article turned into text whole
or a lookup inside a ``memo`` piece (render/fragments.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from digest.site.records import SHOWN_WHOLE, Article

# What a page's fingerprint must cover, lowest first (the fast engine's page
# fingerprints, digest.engine.access and digest.engine.fingerprint): its
# articles' card fields; + their links; + everything of them; + any other
# article of the site; TAINT: SITE for every page of the build.
CARD, LINKS, FULL, SITE, TAINT = 0, 1, 2, 3, 4


class Watch:
    """One page's render: the URLs it may look up, and the level it needed."""

    __slots__ = ("allowed", "in_memo", "need")

    def __init__(self, allowed: Collection[str]) -> None:
        self.allowed = allowed
        self.need = CARD
        self.in_memo = 0  # depth of memo pieces being rendered

    def shown_whole(self) -> None:
        """An article was turned into text whole (records.SHOWN_WHOLE): its
        repr shows every field, and a memo piece may hold it."""
        self.need = TAINT


# The page being rendered in this thread's context (set by watching()).
_WATCH: ContextVar[Watch | None] = ContextVar("_WATCH", default=None)


@contextmanager
def watching(allowed: Collection[str]) -> Iterator[Watch]:
    """Watch the render of one page, which links the URLs ``allowed``.

    Every way a template turns an article into text (str(), format(), %, ~,
    escape) ends in its repr, which tells records.SHOWN_WHOLE: set here, in
    this thread's context only (fingerprints' own repr calls happen outside
    renders, where nothing is watched)."""
    watch = Watch(allowed)
    token, shown = _WATCH.set(watch), SHOWN_WHOLE.set(watch.shown_whole)
    try:
        yield watch
    finally:
        SHOWN_WHOLE.reset(shown)
        _WATCH.reset(token)


@contextmanager
def memo_piece() -> Iterator[None]:
    """Around the first render of a remembered piece (fragments.memo)."""
    watch = _WATCH.get()
    if watch is None:
        yield
        return
    watch.in_memo += 1
    try:
        yield
    finally:
        watch.in_memo -= 1


def _looked_up(url: object) -> None:
    watch = _WATCH.get()
    if watch is None:
        return
    if watch.in_memo:
        watch.need = TAINT
    elif watch.need < SITE and url not in watch.allowed:
        watch.need = SITE


def _whole_index() -> None:
    watch = _WATCH.get()
    if watch is not None:
        watch.need = TAINT if watch.in_memo else max(watch.need, SITE)


class WatchedIndex(Mapping[str, Article]):
    """``by_url`` as templates see it: a read-only URL -> article mapping that
    tells the page's :class:`Watch` what was looked up."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Article]) -> None:
        self._data = data

    def __getitem__(self, url: str) -> Article:
        _looked_up(url)
        return self._data[url]

    def __contains__(self, url: object) -> bool:
        _looked_up(url)
        return url in self._data

    def __iter__(self) -> Iterator[str]:
        _whole_index()
        return iter(self._data)

    def __len__(self) -> int:
        _whole_index()
        return len(self._data)
