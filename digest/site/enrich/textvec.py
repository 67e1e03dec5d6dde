"""Tokenising and pruned TF-IDF vectors, shared by related links and stories.

Pure Python on purpose (numpy is not a dependency).  The hot paths lean on
C-implemented builtins (``str.translate``, ``str.split``, ``Counter``,
``map``) because a per-token Python loop over a 10,000-article site costs
seconds.  Each article keeps only its ``TOP_TERMS`` most distinctive terms:
pruned vectors keep cosine cheap and drop the long tail that adds noise.
"""

from __future__ import annotations

import math
import string
from array import array
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import chain, compress
from operator import mul
from sys import intern
from typing import Any, NamedTuple

from digest.site.work import SERIAL, Work

TOP_TERMS = 30
# Vectors hold integers: unit-length weights times SCALE (see dot()).
SCALE = 1 << 15
SCALE_SQUARED = SCALE * SCALE
MAX_DF = 0.5  # terms on more than half of the articles say nothing about relatedness
MIN_DOCS_FOR_MAX_DF = 10  # on tiny sites "more than half" is two articles: keep them

# Punctuation and digits become spaces so that one C-level split() yields the
# words; ё/е are one letter for matching purposes (as in tagging).
_TABLE = str.maketrans(
    {
        **{c: " " for c in string.punctuation + string.digits},
        **{c: " " for c in "«»“”‘’„‚‹›—–―‐‑−…·•§©®°№\u00a0"},
        "ё": "е",
    }
)

# A small list: idf already discounts common words on real sites, but a
# three-article site (or test fixture) has no statistics to speak of, and
# URL fragments from Markdown links must never look distinctive.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because
    been before being below between both but by can could did do does doing down
    during each few for from further had has have having he her here hers him his
    how i if in into is it its itself just me more most my no nor not now of off on
    once only or other our ours out over own same she should so some such than that
    the their theirs them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with
    would you your yours said says say new one two
    http https www com org net html htm php
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы
    по только ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг
    ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом
    себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам
    чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого
    какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда
    зачем всех никогда можно при наконец два об другой хоть после над больше тот
    через эти нас про всего них какая много разве три эту моя впрочем хорошо свою
    этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между
    это также заявил сообщил
    """.split()
)

_LOG_TF: list[float] = [0.0]  # sublinear tf, 1 + ln(tf), memoised by count


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens; punctuation and digits separate words."""
    return text.lower().translate(_TABLE).split()


def _log_tf(upto: int) -> list[float]:
    while len(_LOG_TF) <= upto:
        _LOG_TF.append(1.0 + math.log(len(_LOG_TF)))
    return _LOG_TF


def _counts(title: str, body: str) -> Counter[str]:
    # The headline is the densest summary of an article: it counts twice.
    return Counter(tokenize(f"{title}\n{title}\n{body}"))


Counted = tuple[tuple[str, ...], Sequence[int]]  # a document's terms and their counts


def count_terms(title: str, body: str) -> Counted:
    """A document's distinct terms (first-seen order) and how often each occurs:
    all :func:`compute_vectors` needs of its text, and small enough to cache
    (counting every word of a big site is most of the vector cost)."""
    c = _counts(title, body)
    return tuple(map(intern, c)), array("I", c.values())


def pack_counts(counted: Sequence[Counted | None]) -> tuple[list[str], list[Any]]:
    """Term counts made compact for the trip from a worker process.

    Each distinct term once (a chunk of articles shares most of its words),
    then per document the positions of its terms in that list, so that the
    receiving process interns each term once (:func:`unpack_counts`) rather
    than each of its occurrences.
    """
    vocab = list(dict.fromkeys(chain.from_iterable(c[0] for c in counted if c is not None)))
    position = dict(zip(vocab, range(len(vocab)))).__getitem__
    return vocab, [None if c is None else (array("I", map(position, c[0])), c[1])
                   for c in counted]


def unpack_counts(packed: tuple[list[str], list[Any]]) -> list[Counted | None]:
    """:func:`pack_counts`' input back, its terms interned here (see count_terms)."""
    words, docs = packed
    vocab = list(map(intern, words)).__getitem__
    return [None if d is None else (tuple(map(vocab, d[0])), d[1]) for d in docs]


def vectorize(docs: Sequence[tuple[str, str]], top: int = TOP_TERMS) -> list[dict[str, int]]:
    """TF-IDF vectors of ``(title, body)`` pairs, top terms only, unit length × SCALE.

    Each vector's keys come strongest first (ties: alphabetical).

    Sublinear tf (1 + ln tf), smooth idf (ln((1+N)/(1+df)) + 1), stop words and
    terms on more than half of the documents dropped.  Memoised on the exact
    input, because cluster_stories() and relate() called on their own both
    need the same vectors (enrich_site computes them once with
    :func:`compute_vectors` and passes them on instead).
    """
    return _vectorize_cached(tuple(docs), top)


def clear_cache() -> None:
    """Forget memoised vectors (benchmarks time the cold path)."""
    _vectorize_cached.cache_clear()


@lru_cache(maxsize=2)
def _vectorize_cached(docs: tuple[tuple[str, str], ...], top: int) -> list[dict[str, int]]:
    return compute_vectors(docs, top)


def compute_vectors(docs: Sequence[tuple[str, str]], top: int = TOP_TERMS,
                    counted: Sequence[Counted | None] | None = None, work: Work = SERIAL,
                    ) -> list[dict[str, int]]:
    """:func:`vectorize` without the memo, for a caller that shares the vectors itself.

    ``counted[i]``, when given and not None, is :func:`count_terms` of
    ``docs[i]`` (from a cache): the same vectors, without counting again.
    Its terms should be interned (see below); any that are not only cost speed.
    """
    return weigh(docs, top, counted, work).vectors


class Weighed(NamedTuple):
    """:func:`weigh`'s result: the vectors and what they were computed from."""

    vectors: list[dict[str, int]]
    floors: list[float]  # per document: the selection floor of top_vector
    terms: list[tuple[str, ...]]  # per document: its distinct terms (interned) ...
    counts: list[Sequence[int]]  # ... and how often each occurs
    df: Counter[str]  # documents per term


def weigh(docs: Sequence[tuple[str, str]], top: int = TOP_TERMS,
          counted: Sequence[Counted | None] | None = None, work: Work = SERIAL) -> Weighed:
    """:func:`compute_vectors`, plus the inputs and floors an incremental
    update needs to tell which vectors a change of the idf can touch
    (digest.engine.revector)."""
    # Per document only (interned terms, their counts) is kept until the idf
    # is known: a Counter per document plus its own copy of every term string
    # held ~175 MiB at 10,000 articles; interned, equal terms share one object.
    terms: list[tuple[str, ...]] = []
    counts: list[Sequence[int]] = []
    df: Counter[str] = Counter()
    for i, (title, body) in enumerate(docs):
        known = counted[i] if counted is not None else None
        if known is None:
            c = _counts(title, body)
            keys, tfs = tuple(map(intern, c)), tuple(c.values())
        else:
            keys, tfs = known
        terms.append(keys)
        counts.append(tfs)
        df.update(keys)  # an iterable, not a Mapping: counted in C
    n = len(terms)
    max_df = max_df_of(n)
    idf = {term: idf_weight(term, d, n, max_df) for term, d in df.items()}
    idf_of = idf.__getitem__
    _log_tf(max((max(tfs) for tfs in counts if tfs), default=0))  # before any fork

    def one(i: int) -> tuple[dict[str, int], float]:
        return top_vector(terms[i], counts[i], idf_of, top)

    # Each vector depends only on its document and the idf: the fast engine
    # picks them in forked workers too (this was the longest serial step of
    # the enrich stage), and travel back compactly (see _pack_vectors).
    picked = work.share(one, range(n), "computing text vectors", pack=_pack_vectors,
                        unpack=_unpack_vectors)
    return Weighed([v for v, _ in picked], [f for _, f in picked], terms, counts, df)


def max_df_of(n: int) -> float:
    """Documents a term may be on and still weigh something, of ``n``."""
    return n * MAX_DF if n >= MIN_DOCS_FOR_MAX_DF else n


def idf_weight(term: str, d: int, n: int, max_df: float) -> float:
    """Smooth idf of ``term``, on ``d`` of ``n`` documents (0: a stop word, or
    on more than ``max_df``).  The one definition: an incremental update must
    compute bit for bit the weights a full one does."""
    if d > max_df or term in STOPWORDS:
        return 0.0
    return math.log((1 + n) / (1 + d)) + 1.0


def ensure_log_tf(upto: int) -> None:
    """Extend the memo of sublinear tf to counts up to ``upto`` (before top_vector)."""
    _log_tf(upto)


def term_weight(idf: float, tf: int) -> float:
    """The weight top_vector gives a term of this idf occurring ``tf`` times."""
    return idf * _log_tf(tf)[tf]


# Weights are never negative, so "w >= the smallest positive float" is "w > 0"
# and one threshold test in C selects the kept terms.
_TINY = math.ulp(0.0)


def top_vector(keys: tuple[str, ...], tfs: Sequence[int], idf_of: Callable[[str], float],
               top: int = TOP_TERMS) -> tuple[dict[str, int], float]:
    """One document's ``top`` strongest terms, unit length × SCALE, strongest
    first; and the floor a weight had to reach to be kept (a term whose weight
    stays below it cannot enter the vector, see digest.engine.revector).
    Call :func:`ensure_log_tf` first for the document's largest count."""
    if not keys:
        return {}, _TINY
    return _select(keys, list(map(mul, map(idf_of, keys), map(_LOG_TF.__getitem__, tfs))), top)


def top_vector_of(keys: tuple[str, ...], tfs: Sequence[int], idfs: Iterable[float],
                  top: int = TOP_TERMS) -> tuple[dict[str, int], float]:
    """:func:`top_vector` with each key's idf given in order (the same weights)."""
    if not keys:
        return {}, _TINY
    return _select(keys, list(map(mul, idfs, map(_LOG_TF.__getitem__, tfs))), top)


def _select(keys: tuple[str, ...], weights: list[float], top: int
            ) -> tuple[dict[str, int], float]:
    # Select by threshold rather than sorting (term, weight) pairs: building
    # those tuples was the single most expensive step at 10,000 articles.
    # A C sort of the bare floats is cheaper than heapq.nlargest here.
    floor = sorted(weights, reverse=True)[top - 1] if len(weights) > top else 0.0
    floor = max(floor, _TINY)
    # compress() passes on only the selected (term, weight) pairs, so zip
    # reuses one tuple for all the others.
    best = dict(compress(zip(keys, weights, strict=True), map(floor.__le__, weights)))
    if len(best) > top:  # ties at the floor: the term itself decides
        best = dict(sorted(best.items(), key=lambda tw: (-tw[1], tw[0]))[:top])
    kept = best.values()
    norm = math.sqrt(math.fsum(map(mul, kept, kept))) or 1.0
    scale = SCALE / norm
    # Strongest first (ties: alphabetical; a reversed sort stays stable), so
    # callers take the top few with islice().  Keys are interned (see
    # compute_vectors): dict lookups across 10,000 vectors run much faster
    # when equal keys are identical.
    ranked = sorted(sorted(best), key=best.__getitem__, reverse=True)
    weights = list(map(best.__getitem__, ranked))
    return dict(zip(ranked, map(round, map(scale.__mul__, weights)), strict=True)), floor


def _pack_vectors(part: list[tuple[dict[str, int], float]]
                  ) -> tuple[list[str], list[Any], array[float]]:
    """A worker's vectors as one list of their distinct terms plus, per vector,
    the positions of its terms and its weights (see pack_counts); their floors."""
    vocab = list(dict.fromkeys(chain.from_iterable(v for v, _ in part)))
    position = dict(zip(vocab, range(len(vocab)))).__getitem__
    return (vocab, [(array("I", map(position, v)), array("q", v.values())) for v, _ in part],
            array("d", [f for _, f in part]))


def _unpack_vectors(packed: tuple[list[str], list[Any], array[float]]
                    ) -> list[tuple[dict[str, int], float]]:
    words, vecs, floors = packed
    vocab = list(map(intern, words)).__getitem__  # this process's copies of the terms
    return [(dict(zip(map(vocab, keys), weights)), floor)
            for (keys, weights), floor in zip(vecs, floors, strict=True)]


def dot(a: Mapping[Hashable, int], b: Mapping[Hashable, int]) -> int:
    """Integer dot product of two sparse vectors.

    Integers, not floats: the sum over a set runs in hash-seeded order, and a
    float sum could differ in its last bit between two runs of the same build,
    flipping ties.  Integer sums are exact in any order.
    """
    shared = a.keys() & b.keys()
    if not shared:
        return 0
    return sum(map(mul, map(a.__getitem__, shared), map(b.__getitem__, shared)))


def cosine(a: Mapping[Hashable, int], b: Mapping[Hashable, int]) -> float:
    """Cosine of two vectors made by :func:`vectorize` (0..1)."""
    return dot(a, b) / SCALE_SQUARED
