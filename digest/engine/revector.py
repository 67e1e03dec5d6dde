"""Text and term vectors after an edit, recomputing only the ones it can change.

The set of articles is the same as in the snapshot (the caller checks), so
the document count n, and with it MAX_DF's cut, are unchanged: a term's idf
changes only when its document frequency does, and only documents that hold
such a term can get another vector.

Text vectors.  Let ``t`` be a term whose idf changed, ``d`` an unedited
document holding it, ``K`` the terms ``d`` keeps (top_vector) and ``f`` its
selection floor (every kept weight is ≥ f, every other weight ≤ f; the
30th largest weight, at least the smallest positive float).

- ``t`` in ``K``: recomputed.
- ``t`` not in ``K`` and its new weight ``w'`` < ``f``: no kept weight moved,
  every other weight is still ≤ f, so the 30 largest weights are still the
  kept ones, the 30th largest is still ``f``, and the terms at least ``f`` are
  the old ones, or fewer (``t`` left a tie at the floor): the tie-break by
  term picks the same 30, the norm is the same, the vector is the same.
  (With 30 terms or fewer, ``f`` is the smallest positive float and "not in
  K" means weight 0: the test says it stays 0.)
- The idf fell (df grew): ``w' <= w <= f``, so either ``w' == w`` (nothing
  changed) or ``w' < f``; only the documents that keep ``t`` are recomputed.
  The idf rose: ``w'`` is computed from the stored count and compared.

Recomputed vectors come from textvec.top_vector's own selection, so they are
bit for bit what a full pass computes; a vector counts as changed when its
items differ in value *or order* (its first keys are lookup keys).

Term vectors.  Weight ln(n/df) changes only with df: every article holding a
key whose weight changed is recomputed with related.term_vector.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

from digest.engine.rows import FLOAT, Rows, packed
from digest.engine.snapshot import Snapshot, Vocabulary
from digest.site.enrich.related import term_cut, term_vector, term_weight
from digest.site.enrich.textvec import (
    Counted,
    ensure_log_tf,
    idf_weight,
    max_df_of,
    top_vector_of,
)
from digest.site.enrich.textvec import term_weight as text_weight

Vector = dict[str, int]


class Revectored(NamedTuple):
    """New rows for the snapshot, and which vectors changed."""

    rows: dict[str, Rows]  # snapshot field -> its replacement
    tables: dict[str, array]  # df, floors, tdf
    text: dict[int, Vector]  # index -> text vector, every one recomputed
    terms: dict[int, Vector]  # index -> term vector, every one recomputed
    changed: set[int]  # indexes whose text or term vector changed (items or order)
    text_changed: set[int]  # ... whose text vector did


def vector_of(snap: Snapshot, words: list[str], i: int) -> Vector:
    """Article ``i``'s text vector as the snapshot holds it, in its order."""
    return dict(zip(map(words.__getitem__, snap.vec_ids[i]), snap.vec_w[i], strict=True))


def term_vector_of(snap: Snapshot, words: list[str], i: int) -> Vector:
    return dict(zip(map(words.__getitem__, snap.tv_ids[i]), snap.tv_w[i], strict=True))


def revector(snap: Snapshot, vocab: Vocabulary, counted: Mapping[int, Counted],
             keysets: Mapping[int, set[str]]) -> Revectored:
    """Vectors after the articles in ``counted`` (index -> new term counts) and
    ``keysets`` (index -> new taxonomy keys, related.term_keys) were edited."""
    rows: dict[str, Rows] = {}
    tables: dict[str, array] = {}
    text = _text(snap, vocab, counted, rows, tables)
    terms = _terms(snap, vocab, keysets, rows, tables)
    words = vocab.words
    text_changed = {i for i, v in text.items()
                    if list(v.items()) != list(vector_of(snap, words, i).items())}
    changed = text_changed | {i for i, v in terms.items()
                              if list(v.items()) != list(term_vector_of(snap, words, i).items())}
    return Revectored(rows, tables, text, terms, changed, text_changed)


def _text(snap: Snapshot, vocab: Vocabulary, counted: Mapping[int, Counted],
          rows: dict[str, Rows], tables: dict[str, array]) -> dict[int, Vector]:
    n = len(snap.keys)
    max_df = max_df_of(n)
    words = vocab.words
    known = len(snap.df)
    delta: dict[int, int] = {}
    new_ids: dict[int, list[int]] = {}
    new_tfs: dict[int, list[int]] = {}
    for e, (terms, counts) in counted.items():
        ids = list(map(vocab.id, terms))
        new_ids[e], new_tfs[e] = ids, list(counts)
        old, new = set(snap.counts_ids[e]), set(ids)
        for t in new - old:
            delta[t] = delta.get(t, 0) + 1
        for t in old - new:
            delta[t] = delta.get(t, 0) - 1
    df = snap.df.tolist() + [0] * (len(words) - known)
    rising, falling = set(), set()
    for t, d in delta.items():
        if not d:
            continue
        before = idf_weight(words[t], df[t], n, max_df) if t < known else None
        df[t] += d
        after = idf_weight(words[t], df[t], n, max_df)
        if before is None or after == before:
            continue  # a new term is on no other document
        (rising if after > before else falling).add(t)
    idf: dict[int, float] = {}

    def idf_of(t: int) -> float:
        found = idf.get(t)
        if found is None:
            found = idf[t] = idf_weight(words[t], df[t], n, max_df)
        return found

    def idfs(ids: Sequence[int]) -> Iterator[float]:
        for t in set(ids).difference(idf):
            idf[t] = idf_weight(words[t], df[t], n, max_df)
        return map(idf.__getitem__, ids)

    redo = set(counted)
    redo.update(row for row, _ in snap.vec_ids.find(rising | falling))
    if rising:
        ids_flat, tf_flat, floors = snap.counts_ids.flat, snap.counts_tf.flat, snap.floors
        for row, k in snap.counts_ids.find(rising):
            if row not in redo and text_weight(idf_of(ids_flat[k]), tf_flat[k]) >= floors[row]:
                redo.add(row)
    vectors: dict[int, Vector] = {}
    new_floors: dict[int, float] = {}
    for d in sorted(redo):
        ids = new_ids[d] if d in new_ids else snap.counts_ids[d]
        tfs = new_tfs[d] if d in new_tfs else snap.counts_tf[d]
        ensure_log_tf(max(tfs, default=0))
        vectors[d], new_floors[d] = top_vector_of(tuple(map(words.__getitem__, ids)), tfs,
                                                  idfs(ids))
    rows["counts_ids"] = snap.counts_ids.replaced(new_ids)
    rows["counts_tf"] = snap.counts_tf.replaced(new_tfs)
    ids_of = vocab.id
    rows["vec_ids"] = snap.vec_ids.replaced({d: [ids_of(t) for t in v] for d, v in vectors.items()})
    rows["vec_w"] = snap.vec_w.replaced({d: list(v.values()) for d, v in vectors.items()})
    floors_out = array(FLOAT, snap.floors)
    for d, floor in new_floors.items():
        floors_out[d] = floor
    tables["floors"] = floors_out
    tables["df"] = packed(df)
    return vectors


def _terms(snap: Snapshot, vocab: Vocabulary, keysets: Mapping[int, set[str]],
           rows: dict[str, Rows], tables: dict[str, array]) -> dict[int, Vector]:
    n = len(snap.keys)
    cut = term_cut(n)
    words = vocab.words
    tdf = snap.tdf.tolist()
    delta: dict[int, int] = {}
    new_rows: dict[int, list[int]] = {}
    for e, keys in keysets.items():
        ids = sorted(map(vocab.id, keys))
        new_rows[e] = ids
        old, new = set(snap.tax_ids[e]), set(ids)
        for k in new - old:
            delta[k] = delta.get(k, 0) + 1
        for k in old - new:
            delta[k] = delta.get(k, 0) - 1
    tdf += [0] * (len(words) - len(tdf))  # also the text terms the edit added
    changed = set()
    for k, d in delta.items():
        before = tdf[k]
        tdf[k] += d
        # A key new to the site, or gone from it, is on the edited articles only.
        if d and before and tdf[k] and term_weight(before, n, cut) != term_weight(tdf[k], n, cut):
            changed.add(k)
    redo = set(keysets)
    redo.update(row for row, _ in snap.tax_ids.find(changed))
    tax_ids = snap.tax_ids.replaced(new_rows)

    def weight_of(key: str) -> float:
        return term_weight(tdf[vocab.id(key)], n, cut)

    vectors = {d: term_vector(map(words.__getitem__, tax_ids[d]), weight_of)
               for d in sorted(redo)}
    rows["tax_ids"] = tax_ids
    rows["tv_ids"] = snap.tv_ids.replaced({d: [vocab.id(k) for k in v]
                                           for d, v in vectors.items()})
    rows["tv_w"] = snap.tv_w.replaced({d: list(v.values()) for d, v in vectors.items()})
    tables["tdf"] = packed(tdf)
    return vectors
