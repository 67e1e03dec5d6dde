"""Related links after an edit: recomputed for the articles whose inputs changed.

Positions (newest first, then URL) are the snapshot's: the caller checks that
the articles, their dates and URLs are the same.  ranking.links_of(p) reads

1. for :func:`ranking.pick`: p's keys, for each key the window of its
   posting list around p (the whole list when it has at most 2·WINDOW+1
   entries, else p with its WINDOW nearest entries on either side), and the
   story of every article in those windows;
2. for :func:`ranking.score`: p's vector and stamp, and the vector and stamp
   of every article the pick returned;
3. for :func:`ranking.choose`: p's pins, exclusions and also_reported, the
   slugs and dates of all articles (unchanged: the caller checks slugs), the
   URL, slug and story of the ranked articles and of p's pins.

So p's links can change only if p is in one of these sets, and are
recomputed exactly then (with the same ranking code):

- ``P1`` (the pick may change): p's keys changed; or a posting list of one of
  its keys changed so that p's window did; or an article in one of p's
  windows changed story.  A list that changed from L to L': if either has at
  most 2·WINDOW+1 entries, every member of both; else the members within
  WINDOW entries of an inserted entry in L', or of a removed entry in L.
  (If no inserted entry is among p's WINDOW nearest predecessors in L', and
  no removed one among its WINDOW nearest in L, those nearest are the same
  entries: the first inserted or removed one among them would be nearer
  than one of the others in both lists.  The same on the other side.)
  An article ``q`` whose story changed is in p's window of key k exactly when
  p is within WINDOW entries of q in k's list, or the list is short.
- ``P2`` (the scores may change): p's vector changed, or the vector of one of
  the articles in p's stored shortlist did.  Outside P1 the shortlist is the
  stored one (ranking.Picked), so only those vectors are read.
- ``P3`` (the choice may change): p was edited (pins, exclusions), its story
  fields changed, or it has pins and some story changed (a pinned article's
  story dedups the rest; the stories of ranked articles are covered by P1,
  since they are in p's windows).

Outside P1 the stored shortlist is reused instead of picked again (it is the
same: its inputs did not change), and so are its stored dot products with
the articles whose vectors did not change, unless p's own did; inside P1
everything is computed afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from digest.engine.snapshot import Snapshot
from digest.site.enrich.ranking import WINDOW, Picked, dots, links_of

SHORT = 2 * WINDOW + 1  # lists this long are read whole


class Tables(NamedTuple):
    """ranking.Tables over the current site, each entry made on first use."""

    arts: Any
    stamps: Any
    vectors: Any
    dims: Any
    keys: Any
    postings: Any
    by_slug: Any


class Changes(NamedTuple):
    """What changed, by position (keys of posting lists: their strings)."""

    keys: set[int]  # the article's lookup keys (or their order)
    vectors: set[int]  # its combined vector
    lists: Mapping[str, tuple[Sequence[int], Sequence[int]]]  # key -> (old, new) list
    stories: set[int]  # story or also_reported
    edited: set[int]
    pinners: Callable[[], Iterable[int]]  # the articles with pins


def affected(snap: Snapshot, tables: Tables, changes: Changes) -> tuple[set[int], set[int]]:
    """``(every position whose links may change, those whose pick may change)``."""
    picked_again = set(changes.keys)
    for old, new in changes.lists.values():
        if len(old) <= SHORT or len(new) <= SHORT:
            picked_again.update(old)
            picked_again.update(new)
            continue
        _near(picked_again, new, set(new).difference(old))
        _near(picked_again, old, set(old).difference(new))
    for q in changes.stories:
        for key in tables.keys[q]:
            plist = tables.postings[key]
            if len(plist) <= SHORT:
                picked_again.update(plist)
            else:
                _near(picked_again, plist, (q,))
    rescored = set(changes.vectors)
    rescored.update(p for p, _ in snap.picks.find(changes.vectors))
    chosen_again = changes.edited | changes.stories
    if changes.stories:
        chosen_again.update(changes.pinners())
    return picked_again | rescored | chosen_again, picked_again


def _near(out: set[int], plist: Sequence[int], entries: Iterable[int]) -> None:
    """Add the members of ``plist`` within WINDOW entries of each of ``entries``."""
    from bisect import bisect_left

    for entry in entries:
        i = bisect_left(plist, entry)
        out.update(plist[max(0, i - WINDOW): i + WINDOW + 1])


def relink(snap: Snapshot, tables: Tables, stories: Sequence[str | None],
           also_at: Callable[[int], tuple[str, ...]], count: int, changes: Changes,
           ) -> dict[int, tuple[list[int], Picked]]:
    """Position -> (what it links to, its shortlist) for every position whose
    links may have changed (see the module docstring)."""
    redo, picked_again = affected(snap, tables, changes)
    out = {}
    for pos in sorted(redo):
        if pos in picked_again:
            out[pos] = links_of(pos, tables, stories, also_at(pos), count)
            continue
        known = Picked(snap.picks[pos], bool(snap.pick_done[pos]), snap.pick_size[pos],
                       snap.pick_dots[pos])
        dot_of = None if pos in changes.vectors else _stored_dots(pos, known, tables,
                                                                 changes.vectors)
        out[pos] = links_of(pos, tables, stories, also_at(pos), count, known, dot_of)
    return out


def _stored_dots(pos: int, known: Picked, tables: Tables, changed: set[int]
                 ) -> Callable[[Sequence[int]], list[int]]:
    """ranking.dots for ``pos`` from its stored shortlist's: a dot product is
    computed again only with an article whose vector changed, or one not in
    the stored shortlist (``pos``'s own vector did not change)."""
    stored = dict(zip(known.positions, known.dots, strict=True))

    def dot_of(picked: Sequence[int]) -> list[int]:
        need = [q for q in picked if q in changed or q not in stored]
        fresh = dict(zip(need, dots(pos, need, tables.vectors, tables.dims), strict=True))
        return [fresh[q] if q in fresh else stored[q] for q in picked]

    return dot_of
