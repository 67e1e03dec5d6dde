"""The site-wide enrichment's persisted state: what the next build needs to
update it exactly (digest.engine.update) instead of recomputing it.

Everything is indexed by the article's place in the published tuple (its
*index*), except what related links keep by *position* (newest first, then
URL, see digest.site.enrich.related.prepare).  Text terms and taxonomy keys share
one vocabulary (a taxonomy key contains TERM_SEP, a text term never does);
ids are places in it.  Rows of numbers are packed in flat arrays
(digest.engine.rows): 10,000 articles load in milliseconds, not the third of
a second tuples of strings cost.

Only builtins, arrays and Mention records are stored (the cache's safe
unpickler accepts nothing else), and :meth:`Snapshot.from_data` checks every
field's type and every row table's shape: a state that does not fit is
refused, never half used.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, fields
from itertools import accumulate, chain
from typing import Any, NamedTuple

from digest.engine.rows import FLOAT, Rows, packed, typecode_for
from digest.site.enrich.stories import StoryPass
from digest.site.enrich.textvec import Weighed
from digest.site.records import Mention

FORMAT = 1
Links = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # related, earlier, later

_ROWS_BY_INDEX = ("counts_ids", "counts_tf", "vec_ids", "vec_w", "tax_ids", "tv_ids",
                  "tv_w", "pair_j", "pair_sim")
_ROWS_BY_POSITION = ("picks", "pick_dots")
_PAIRED = (("counts_ids", "counts_tf"), ("vec_ids", "vec_w"), ("tv_ids", "tv_w"),
           ("pair_j", "pair_sim"), ("picks", "pick_dots"))  # rows of the same lengths
_CHECKED = tuple(name for name in (*_ROWS_BY_INDEX, *_ROWS_BY_POSITION)
                 if name not in {b for _, b in _PAIRED})
_LISTS = ("keys", "tags", "urls", "slugs", "related", "earlier", "later", "story", "also",
          "titles", "sources")


@dataclass(slots=True)
class Snapshot:
    """See the module docstring; ``tags`` are the caller's, one per article
    (a hash of what its record was made from: equal tag, equal record)."""

    # identity, by index
    keys: list[str]
    tags: list[Hashable]
    urls: list[str]
    slugs: list[str]
    stamps: array[float]  # date.timestamp()
    order: array[int]  # position -> index
    time_order: array[int]  # indexes in publication order (stories)
    # text: vocabulary, each document's term ids and counts, document frequencies
    vocab: list[str]
    counts_ids: Rows
    counts_tf: Rows
    df: array[int]  # by id: documents whose text has the term
    vec_ids: Rows  # text vector: ids strongest first ...
    vec_w: Rows  # ... and their integer weights
    floors: array[float]  # textvec.top_vector's selection floor
    # taxonomy terms: every key of each article, df, term vectors (sorted keys)
    tax_ids: Rows
    tdf: array[int]
    tv_ids: Rows
    tv_w: Rows
    # related links: posting lists by id (ascending positions), shortlists by position
    postings: Rows
    picks: Rows
    pick_dots: Rows  # ranking.dots of each pick
    pick_size: array[int]
    pick_done: array[int]
    # stories: partners (index, similarity) of each article, the stories'
    # members (in the order formed), each article's stories.source_key
    pair_j: Rows
    pair_sim: Rows
    members: Rows
    sources: list[str]
    # the site-wide fields, by index
    related: list[tuple[str, ...]]
    earlier: list[tuple[str, ...]]
    later: list[tuple[str, ...]]
    story: list[str | None]
    also: list[tuple[str, ...]]
    # mentions: normalised headlines, those of each article's mentions, resolved mentions
    titles: list[str]
    mention_titles: dict[int, tuple[str, ...]]
    mentions: dict[int, tuple[Mention, ...]]

    def to_data(self) -> dict[str, Any]:
        """The persisted form: builtins and arrays only."""
        data: dict[str, Any] = {"format": FORMAT}
        for f in fields(self):
            value = getattr(self, f.name)
            data[f.name] = (value.off, value.flat) if isinstance(value, Rows) else value
        return data

    @classmethod
    def from_data(cls, data: object) -> Snapshot | None:
        """The state :meth:`to_data` wrote, or None when it does not fit."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = data.get(f.name)
            if f.type == "Rows":
                if not (isinstance(value, tuple) and len(value) == 2):
                    return None
                value = Rows(*value)
            values[f.name] = value
        snap = cls(**values)
        return snap if snap._fits() else None

    def _fits(self) -> bool:
        n = len(self.keys)
        v = len(self.vocab)
        lists_ok = all(isinstance(getattr(self, name), list) and len(getattr(self, name)) == n
                       for name in _LISTS)
        arrays = (self.stamps, self.order, self.time_order, self.df, self.floors, self.tdf,
                  self.pick_size, self.pick_done)
        arrays_ok = all(isinstance(a, array) for a in arrays) and (
            self.stamps.typecode == FLOAT and self.floors.typecode == FLOAT
            and len(self.stamps) == len(self.order) == len(self.time_order) == n
            and len(self.floors) == len(self.pick_size) == len(self.pick_done) == n
            and len(self.df) == len(self.tdf) == v)
        return (lists_ok and arrays_ok and isinstance(self.vocab, list)
                and isinstance(self.mention_titles, dict) and isinstance(self.mentions, dict)
                and all(getattr(self, name).valid(n) for name in _CHECKED)
                and self.postings.valid(v) and self.members.valid()
                # the second of a pair: the same offsets (compared in C), its own length
                and all(getattr(self, b).valid_like(getattr(self, a)) for a, b in _PAIRED)
                and _permutation(self.order, n) and _permutation(self.time_order, n))


def _permutation(values: array[int], n: int) -> bool:
    """``values`` holds each of 0..n-1 once."""
    return len(values) == n and (not n or (len(set(values)) == n and min(values) == 0
                                           and max(values) == n - 1))


class Vocabulary:
    """Ids of terms and keys: the snapshot's list, grown by an update."""

    __slots__ = ("words", "_ids")

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self._ids: dict[str, int] | None = None

    def id(self, word: str) -> int:
        """The id of ``word``, a new one if it has none yet."""
        found = self.get(word)
        if found is None:
            found = self._ids[word] = len(self.words)  # type: ignore[index]
            self.words.append(word)
        return found

    def get(self, word: str) -> int | None:
        if self._ids is None:
            self._ids = {w: i for i, w in enumerate(self.words)}
        return self._ids.get(word)


class TextState(NamedTuple):
    """The text part of a snapshot (see :func:`text_state`)."""

    vocab: list[str]
    index: dict[str, int]
    counts_ids: Rows
    counts_tf: Rows
    df: list[int]
    vec_ids: Rows
    vec_w: Rows
    floors: array[float]


def text_state(weighed: Weighed) -> TextState:
    """Term ids, counts and vectors of every document, packed.

    Flat arrays made in a few passes over all 1.7 M (document, term) pairs of
    10,000 articles rather than per document: this is most of what keeping a
    snapshot costs a full build (digest.site.enrich.site_values runs it while the
    stories are clustered on the other core).  Lists first, then arrays: an
    array grows from an iterator much more slowly than from a list.
    """
    vocab = list(weighed.df)
    index = dict(zip(vocab, range(len(vocab))))
    ids = array(typecode_for(len(vocab)),
                list(map(index.__getitem__, chain.from_iterable(weighed.terms))))
    counts = weighed.counts
    if all(isinstance(c, array) and c.typecode == "I" for c in counts):
        tfs = _narrow(b"".join(map(array.tobytes, counts)))  # type: ignore[arg-type]
    else:
        tfs = array("I", list(chain.from_iterable(counts)))
    off = _offsets(map(len, weighed.terms))
    vec_off = _offsets(map(len, weighed.vectors))
    vec_ids = array(typecode_for(len(vocab)),
                    list(map(index.__getitem__, chain.from_iterable(weighed.vectors))))
    vec_w = array("I", list(chain.from_iterable(map(dict.values, weighed.vectors))))
    return TextState(vocab, index, Rows(off, ids), Rows(array(off.typecode, off), tfs),
                     list(weighed.df.values()), Rows(vec_off, vec_ids),
                     Rows(array(vec_off.typecode, vec_off), vec_w),
                     array(FLOAT, weighed.floors))


def _offsets(lengths: Iterable[int]) -> array[int]:
    ends = list(accumulate(lengths, initial=0))
    return array(typecode_for(ends[-1]), ends)


def _narrow(raw: bytes) -> array[int]:
    """The 32-bit counts in ``raw`` as one byte each when they all fit (most
    documents: a quarter of the bytes), by slicing the bytes, in C."""
    low = sys.byteorder == "little"
    high = b"".join((raw[1::4], raw[2::4], raw[3::4]) if low else
                    (raw[0::4], raw[1::4], raw[2::4]))
    if high.count(0) == len(high):
        return array("B", raw[0::4] if low else raw[3::4])
    wide = array("I")
    wide.frombytes(raw)
    return wide


def capture(articles: Sequence[Any], tags: Sequence[Hashable], weighed: Weighed,
            prep: Any, clustered: StoryPass, found: Sequence[tuple[Sequence[int], Any]],
            links: Sequence[Links], stories: Sequence[str | None],
            also: Sequence[tuple[str, ...]], titles: list[str],
            mentions: Sequence[tuple[Mention, ...]], text: TextState | None = None
            ) -> Snapshot:
    """The snapshot of a full enrichment (digest.site.enrich.site_values' parts;
    ``text``: :func:`text_state` of ``weighed`` when already made)."""
    from digest.site.enrich.mentions import normalize_title

    n = len(articles)
    mention_titles = {i: tuple(normalize_title(m.title) for m in a.mentions)
                      for i, a in enumerate(articles) if a.mentions}
    text = text_state(weighed) if text is None else text
    words, index = text.vocab, text.index
    order = list(prep.order)
    index_of = [0] * n
    for pos, i in enumerate(order):
        index_of[i] = pos
    for key in sorted(set().union(*prep.keysets)):
        # sorted: the same ids whatever the sets' (hash-seeded) order
        index[key] = len(words)
        words.append(key)
    tax_rows = [sorted(map(index.__getitem__, prep.keysets[index_of[i]])) for i in range(n)]
    tv_rows = [list(map(index.__getitem__, prep.term_vecs[index_of[i]])) for i in range(n)]
    plists: list[Sequence[int]] = [()] * len(words)
    for key, plist in prep.postings.items():
        plists[index[key]] = plist
    v = len(words)
    tdf = [0] * v
    for row in tax_rows:
        for k in row:
            tdf[k] += 1
    stamps = array(FLOAT, [a.date.timestamp() for a in articles])
    urls = [a.url for a in articles]
    time_order = sorted(range(n), key=lambda i: (stamps[i], urls[i]))
    return Snapshot(
        keys=[a.key for a in articles], tags=list(tags), urls=urls,
        slugs=[a.slug for a in articles], stamps=stamps, order=packed(order, n),
        time_order=packed(time_order, n), vocab=words,
        counts_ids=text.counts_ids, counts_tf=text.counts_tf,
        df=packed(text.df + [0] * (v - len(text.df))), vec_ids=text.vec_ids,
        vec_w=text.vec_w, floors=text.floors, tax_ids=Rows.build(tax_rows), tdf=packed(tdf),
        tv_ids=Rows.build(tv_rows),
        tv_w=Rows.build([list(prep.term_vecs[index_of[i]].values()) for i in range(n)]),
        postings=Rows.build(plists), picks=Rows.build([p.positions for _, p in found]),
        pick_dots=Rows.build([p.dots for _, p in found]),
        pick_size=packed([p.size for _, p in found]),
        pick_done=packed([int(p.complete) for _, p in found]),
        pair_j=Rows.build([[j for j, _ in found_i] for found_i in clustered.pairs]),
        pair_sim=Rows.build([[s for _, s in found_i] for found_i in clustered.pairs],
                            floats=True),
        members=Rows.build(clustered.members), sources=list(clustered.sources),
        related=[lk[0] for lk in links], earlier=[lk[1] for lk in links],
        later=[lk[2] for lk in links], story=list(stories), also=list(also),
        titles=titles, mention_titles=mention_titles,
        mentions={i: mentions[i] for i in mention_titles})


class Keeper:
    """enrich.site_values' ``keep``: the snapshot of a from-scratch enrichment,
    each article tagged (``tags``: what its source and "now" were)."""

    def __init__(self, tags: Sequence[Hashable]) -> None:
        self.tags = tags

    def text(self, weighed: Weighed) -> TextState:
        return text_state(weighed)

    def capture(self, articles: Sequence[Any], weighed: Weighed, *parts: Any) -> Snapshot:
        return capture(articles, self.tags, weighed, *parts)
