"""One article's related links, from the tables digest.site.enrich.related builds.

Split in three steps so that an incremental update (digest.engine.relink) can
tell which inputs each one reads, and reuse the first when its inputs did not
change:

- :func:`pick`: the shortlist, from the article's keys, the posting lists'
  windows around it and the candidates' stories (no weights read);
- :func:`dots` and :func:`rank`: the shortlist ranked by exact integer dot
  products and time;
- :func:`choose`: pins first, then the best-ranked, one per story.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import chain, repeat
from operator import mul
from typing import NamedTuple, Protocol

from digest.site.enrich.textvec import SCALE_SQUARED
from digest.site.records import Article

TERMS_WEIGHT = 0.45
TEXT_WEIGHT = 0.45
TIME_WEIGHT = 0.10  # a tie-breaker between similar articles, never a reason to link
TAU_DAYS = 30.0
MIN_RELEVANCE = 0.05  # terms + text part; below it an article is not related at all
WINDOW = 8  # per key: this many nearest-in-time articles on each side
SHORTLIST_FACTOR = 2  # exact scoring for count × this many candidates ...
MIN_SHORTLIST = 10  # ... but at least this many


class Tables(Protocol):
    """What :func:`links_of` reads, by position (newest first, then URL):
    digest.site.enrich.related.Prepared, or an incremental update's lazy view."""

    @property
    def arts(self) -> Sequence[Article]: ...
    @property
    def stamps(self) -> Sequence[float]: ...  # days
    @property
    def vectors(self) -> Sequence[Mapping[str, int]]: ...  # text and term vector in one
    @property
    def dims(self) -> Sequence[tuple[Sequence[str], Sequence[int]]]: ...  # their items
    @property
    def keys(self) -> Sequence[Sequence[str]]: ...  # the keys candidates are looked up by
    @property
    def postings(self) -> Mapping[str, Sequence[int]]: ...  # key -> ascending positions
    @property
    def by_slug(self) -> Mapping[str, list[int]]: ...


class Picked(NamedTuple):
    """:func:`pick`'s answer for the largest shortlist asked (see :func:`links_of`)."""

    positions: Sequence[int]
    complete: bool  # no candidate was cut
    size: int  # the shortlist length asked for
    dots: Sequence[int] = ()  # :func:`dots` of ``positions``

    def prefix(self, size: int) -> tuple[Sequence[int], bool]:
        """:func:`pick` for a shortlist of ``size`` <= ``self.size``: candidates
        come in a fixed order, so it is the first ``size`` of them."""
        return self.positions[:size], self.complete and len(self.positions) <= size


def links_of(pos: int, tables: Tables, stories: Sequence[str | None],
             also_reported: tuple[str, ...], count: int, known: Picked | None = None,
             dot_of: Callable[[Sequence[int]], Sequence[int]] | None = None,
             ) -> tuple[list[int], Picked]:
    """The positions ``pos`` links to, in order; and the shortlist they came from.

    ``known``: this article's last :class:`Picked`, when none of :func:`pick`'s
    inputs changed since (its keys, the windows around it, their stories);
    ``dot_of``: :func:`dots` of ``pos`` with given positions, when the caller
    knows some of them (digest.engine.relink).
    """
    shortlist = max(MIN_SHORTLIST, count * SHORTLIST_FACTOR)
    while True:
        if known is not None and shortlist <= known.size:
            picked, complete = known.prefix(shortlist)
        else:
            picked, complete = pick(pos, stories, tables.keys[pos], tables.postings, shortlist)
        raw = (dot_of(picked) if dot_of is not None
               else dots(pos, picked, tables.vectors, tables.dims))
        ranked = rank(pos, picked, raw, tables.stamps)
        chosen = choose(pos, tables.arts, stories, also_reported, ranked, tables.by_slug, count)
        # Widen only when exclusions, not weak candidates, emptied the list:
        # candidates come in order of shared keys, so later ones are weaker.
        if complete or len(chosen) >= count or len(ranked) < shortlist:
            return chosen, Picked(picked, complete, shortlist, raw)
        shortlist *= 4


def pick(pos: int, stories: Sequence[str | None], own_keys: Sequence[str],
         postings: Mapping[str, Sequence[int]], shortlist: int) -> tuple[list[int], bool]:
    """Candidate positions for ``pos``, most shared keys first, one per story;
    and whether none were cut."""
    windows = []
    for key in own_keys:
        plist = postings[key]
        if len(plist) <= 2 * WINDOW + 1:
            windows.append(plist)
        else:
            i = bisect_left(plist, pos)
            windows.append(plist[max(0, i - WINDOW): i + WINDOW + 1])
    shared = Counter(chain.from_iterable(windows))  # counted in C
    del shared[pos]
    # A stable sort: equal counts keep first-seen order, which depends on
    # positions only, never on the input order.  Keys only, no item tuples.
    candidates = sorted(shared, key=shared.__getitem__, reverse=True)
    # One candidate per story, the one sharing most keys: near-duplicates of
    # one event would otherwise fill the shortlist (and then the list).
    picked: list[int] = []
    seen: set[str] = set()
    for q in candidates:
        story = stories[q]
        if story is not None:
            if story in seen:
                continue
            seen.add(story)
        if len(picked) == shortlist:
            return picked, False
        picked.append(q)
    return picked, True


_ZEROS = repeat(0)  # endless: the default for every key a dict.get lookup misses


def dots(pos: int, picked: Sequence[int], vectors: Sequence[Mapping[str, int]],
         dims: Sequence[tuple[Sequence[str], Sequence[int]]]) -> list[int]:
    """The integer dot product of ``pos``'s vector with each of ``picked``'s.

    ``dims[q]`` holds the keys and weights of ``vectors[q]``, in its order.
    """
    vec_get: Callable[[str, int], int] = vectors[pos].get  # type: ignore[assignment]
    out = []
    for q in picked:
        other_keys, other_weights = dims[q]
        # Every key of the candidate looked up with a default costs less than
        # building the set of shared keys (candidates share many keys by
        # construction).  Integers: exact in any order, see textvec.dot().
        out.append(sum(map(mul, other_weights, map(vec_get, other_keys, _ZEROS))))
    return out


def rank(pos: int, picked: Sequence[int], raw: Sequence[int], stamps: Sequence[float]
         ) -> list[int]:
    """``picked``, best first, without the ones below MIN_RELEVANCE (``raw``:
    their :func:`dots` with ``pos``)."""
    day = stamps[pos]
    floor = MIN_RELEVANCE / TEXT_WEIGHT * SCALE_SQUARED
    scored = []
    for q, dot in zip(picked, raw, strict=True):
        if dot < floor:
            continue
        value = dot * (TEXT_WEIGHT / SCALE_SQUARED) + TIME_WEIGHT * math.exp(
            -abs(day - stamps[q]) / TAU_DAYS)
        scored.append((-value, q))  # ties: smaller pos = newer, then URL
    scored.sort()
    return [q for _, q in scored]


def choose(
    pos: int, arts: Sequence[Article], stories: Sequence[str | None],
    also_reported: tuple[str, ...], ranked: Sequence[int],
    by_slug: Mapping[str, list[int]], count: int,
) -> list[int]:
    """Pins first, then the best-ranked candidates, one per story."""
    art = arts[pos]
    excluded = set(art.related_exclude)
    chosen: list[int] = []
    for slug in art.related_pins:
        if slug in excluded or slug not in by_slug:
            continue  # unknown slugs are reported by `digest check`
        # A slug reused on several dates: the namesake closest in time.
        q = min(by_slug[slug], key=lambda c: (abs(arts[c].date - art.date), c))
        if q != pos and q not in chosen:
            chosen.append(q)
    # Near-duplicates of one event crowd a list: one link per story, and none
    # to the other reports of this article's own event (shown as also_reported).
    also = set(also_reported)
    seen_stories = {stories[q] for q in chosen if stories[q]}
    for q in ranked:
        if len(chosen) >= count:  # pins fill slots too; all pins are always kept
            break
        other = arts[q]
        if q in chosen or (excluded and other.slug in excluded) or other.url in also:
            continue
        story = stories[q]
        if story:
            if story in seen_stories:
                continue
            seen_stories.add(story)
        chosen.append(q)
    return chosen


def split_links(pos: int, chosen: Sequence[int], url_of: Callable[[int], str]
                ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """``(related, earlier, later)`` URLs of the positions ``pos`` links to."""
    earlier = [q for q in chosen if q > pos]  # larger pos = older (same time: URL after)
    later = [q for q in chosen if q < pos]
    earlier.sort()  # newest first
    later.sort(reverse=True)  # oldest first
    return (tuple(map(url_of, chosen)), tuple(map(url_of, earlier)),
            tuple(map(url_of, later)))
