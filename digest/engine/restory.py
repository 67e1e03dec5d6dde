"""Story clusters after an edit: partners recomputed where they can change,
then the single-link pass replayed from the first article whose partners did
(cheap: no similarity is computed in it).

stories.story_pass splits the pass in two: each article's *partners* (the
earlier articles of other sources within PAIR_WINDOW that share one of its
lookup tokens, with a similarity at least the threshold, in the order met),
and :func:`stories.join`, which walks them in time order and alone depends on
the stories formed so far.  Article ``i``'s partners are a function of

- its own vector (lookup tokens and cosine), terms and source, and
- for each of its tokens, the earlier articles within PAIR_WINDOW whose
  lookup tokens hold it (in time order), with their vectors, terms, sources.

So with the same articles, dates and URLs (time order fixed), they can change
only for an article that changed itself (``changed``: its text vector, or the
article was edited), or for one published within PAIR_WINDOW after a changed
article ``c`` sharing a token with ``c``'s old or new lookup tokens (``c``
appeared in, left, or changed in one of its runs).  Those are recomputed with
stories.partners itself; every other article keeps its stored partners.
The runs come from related links' posting lists (the same strongest tokens,
LOOKUP_TOKENS == CANDIDATE_TOKENS), sorted into the order the pass meets them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from itertools import islice
from typing import Any, NamedTuple

from digest.engine.snapshot import Snapshot
from digest.site.enrich.related import CANDIDATE_TOKENS
from digest.site.enrich.stories import (
    LOOKUP_TOKENS,
    PAIR_WINDOW,
    Pairs,
    join,
    next_story_id,
    partners,
    similarity,
)

# The lookup tokens of stories are the first CANDIDATE_TOKENS keys of related
# links' posting lists: the update reads the one for the other.
SHARED_TOKENS = LOOKUP_TOKENS == CANDIDATE_TOKENS
_MARGIN = 1.0  # seconds: the posting-list ranges below are cut wide, then tested exactly


class Lazy:
    """``lazy[i]`` is ``fn(i)``, computed once."""

    __slots__ = ("_fn", "_memo")

    def __init__(self, fn: Callable[[int], Any]) -> None:
        self._fn = fn
        self._memo: dict[int, Any] = {}

    def __getitem__(self, i: int) -> Any:
        memo = self._memo
        if i in memo:
            return memo[i]
        value = memo[i] = self._fn(i)
        return value


class StoredPairs:
    """Partners by index: the new ones where recomputed, else the snapshot's."""

    __slots__ = ("_off", "_j", "_sim", "_new")

    def __init__(self, snap: Snapshot, new: Mapping[int, Pairs]) -> None:
        self._off, self._j, self._sim = snap.pair_j.off, snap.pair_j.flat, snap.pair_sim.flat
        self._new = new

    def __getitem__(self, i: int) -> Sequence[tuple[int, float]]:
        if i in self._new:
            return self._new[i]
        a, b = self._off[i], self._off[i + 1]
        if a == b:
            return ()
        return list(zip(self._j[a:b], self._sim[a:b], strict=True))


class Restoried(NamedTuple):
    pairs: dict[int, Pairs]  # index -> recomputed partners
    stories: list[str | None]
    also: list[tuple[str, ...]]
    members: list[list[int]]  # stories.join's
    changed: set[int]  # indexes whose story or also_reported changed


class Site(NamedTuple):
    """The current site as the update sees it (lazy where costly)."""

    snap: Snapshot
    threshold: float
    text: Any  # index -> text vector (new where recomputed)
    old_text: Callable[[int], Mapping[str, int]]  # index -> the snapshot's text vector
    terms: Any  # index -> stories.story_terms
    sources: Sequence[str]  # index -> stories.source_key
    postings: Callable[[str], Sequence[int]]  # key -> ascending positions (new)
    pos_of: Sequence[int]  # index -> position
    negated_stamps: Sequence[float]  # by position: -stamp in seconds (ascending)


def restory(site: Site, changed: set[int], edited: set[int]) -> Restoried:
    """Stories after the articles in ``changed`` changed (see the module
    docstring); ``edited`` (a subset) are the edited articles."""
    snap = site.snap
    stamps = snap.stamps
    redo = set(changed)
    for c in list(redo):
        tokens = set(islice(site.text[c], LOOKUP_TOKENS)) | set(
            islice(site.old_text(c), LOOKUP_TOKENS))
        for token in tokens:
            plist = site.postings(token)
            for pos in _between(site, plist, stamps[c] - _MARGIN,
                                stamps[c] + PAIR_WINDOW + _MARGIN):
                redo.add(snap.order[pos])
    new: dict[int, Pairs] = {}
    for i in sorted(redo):
        known = None if i in changed else _known(site, i, changed)
        new[i] = partners(i, _runs(site, i), site.sources, site.text, site.terms,
                          site.threshold, known)
    members = _replayed(snap, new)
    stories, also = _labels(snap, members, site.sources, edited)
    moved = {i for i in range(len(stories))
             if stories[i] != snap.story[i] or also[i] != snap.also[i]}
    return Restoried(new, stories, also, members, moved)


def _replayed(snap: Snapshot, new: Mapping[int, Pairs]) -> list[list[int]]:
    """stories.join over the partners after the edit, from the first article
    whose partners changed: every decision before it is the one stored, so
    the stories it meets are the stored ones, cut to the articles before it."""
    old = StoredPairs(snap, {})
    moved = [i for i, found in new.items() if found != list(old[i])]
    if not moved:
        return [list(group) for group in snap.members]
    rank = [0] * len(snap.keys)
    for r, i in enumerate(snap.time_order):
        rank[i] = r
    start = min(rank[i] for i in moved)
    members = []
    for group in snap.members:  # in the order formed: by the rank of the second member
        if rank[group[1]] >= start:
            break
        members.append([i for i in group if rank[i] < start])
    off = snap.pair_j.off
    # join() skips articles without partners: only the others are walked.
    active = [i for i in snap.time_order[start:] if (new[i] if i in new
                                                     else off[i] != off[i + 1])]
    return join(active, StoredPairs(snap, new), snap.stamps, members)


def _known(site: Site, i: int, changed: set[int]) -> Callable[[int], float | None]:
    """Similarities of an unchanged ``i`` for stories.partners: computed again
    with a changed article; with any other, the stored partner's (an article
    that was not a partner still is not: neither it nor ``i`` changed)."""
    snap = site.snap
    a, b = snap.pair_j.off[i], snap.pair_j.off[i + 1]
    stored = dict(zip(snap.pair_j.flat[a:b], snap.pair_sim.flat[a:b], strict=True))

    def known(j: int) -> float | None:
        if j in changed:
            return similarity(site.text[i], site.text[j], site.terms[i], site.terms[j])
        return stored.get(j)

    return known


def _labels(snap: Snapshot, members: Sequence[Sequence[int]], sources: Sequence[str],
            edited: set[int]) -> tuple[list[str | None], list[tuple[str, ...]]]:
    """stories.story_ids, reusing the stored also_reported of a story whose
    members and id did not change and that has no edited member (whose
    source may have changed): the same members, URLs and sources."""
    n = len(snap.keys)
    stories: list[str | None] = [None] * n
    also: list[tuple[str, ...]] = [()] * n
    old = {row[0]: row for row in snap.members if row}
    urls, slugs = snap.urls, snap.slugs
    used: set[str] = set()
    for group in members:
        first = group[0]
        story_id = next_story_id(slugs[first], used)
        before = old.get(first)
        if (before is not None and snap.story[first] == story_id and len(before) == len(group)
                and list(before) == group and edited.isdisjoint(group)):
            for i in group:
                stories[i], also[i] = story_id, snap.also[i]
            continue
        for i in group:
            stories[i] = story_id
            also[i] = tuple([urls[j] for j in group if j != i and sources[j] != sources[i]])
    return stories, also


def _between(site: Site, plist: Sequence[int], low: float, high: float) -> Sequence[int]:
    """The positions in ``plist`` of articles published in ``[low, high]`` (seconds)."""
    # Positions run newest first: negated, the stamps ascend, for bisect.
    first = bisect_left(site.negated_stamps, -high)  # the first stamp <= high
    last = bisect_right(site.negated_stamps, -low)  # the first stamp < low
    return plist[bisect_left(plist, first):bisect_left(plist, last)]


def _runs(site: Site, i: int) -> list[list[int]]:
    """What stories.story_pass meets for ``i``: per lookup token, the earlier
    articles within PAIR_WINDOW that hold it, newest first (ties: URL, last first)."""
    snap = site.snap
    stamps, urls, order = snap.stamps, snap.urls, snap.order
    now = stamps[i]
    me = (now, urls[i])
    runs = []
    for token in islice(site.text[i], LOOKUP_TOKENS):
        found = []
        for pos in _between(site, site.postings(token), now - PAIR_WINDOW - _MARGIN, now):
            j = order[pos]
            # exactly story_pass's tests: earlier in (time, URL) order, and its break
            if (stamps[j], urls[j]) < me and not now - stamps[j] > PAIR_WINDOW:
                found.append(j)
        found.sort(key=lambda j: (stamps[j], urls[j]), reverse=True)
        runs.append(found)
    return runs

