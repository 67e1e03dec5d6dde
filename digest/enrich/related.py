"""Related links: shared taxonomy terms + body text + closeness in time.

For each article::

    score = TERMS_WEIGHT · cosine(idf-weighted taxonomy terms)
          + TEXT_WEIGHT  · cosine(pruned TF-IDF of title and body)
          + TIME_WEIGHT  · exp(−|Δdays| / TAU_DAYS)

Both older and newer articles are considered, because the page shows
"Earlier in this story" and "Later in this story".  Comparing every pair is
O(N²) (minutes at 10,000 articles in pure Python), so candidates come from
inverted indexes instead: for each of the article's strongest tokens and
weighted terms, the ``WINDOW`` articles nearest in time on either side that
share it.  Articles sharing many keys are then scored exactly.  Rare keys have
short posting lists that are read whole, so strong evidence is never missed;
only very common keys are cut to the articles nearest in time, which the
time bonus favours anyway.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import chain, islice, repeat
from operator import mul
from sys import intern
from typing import NamedTuple

from digest.config import SiteConfig
from digest.enrich.textvec import MAX_DF, MIN_DOCS_FOR_MAX_DF, SCALE, SCALE_SQUARED, vectorize
from digest.parallel import share_map
from digest.records import Article

TERMS_WEIGHT = 0.45
TEXT_WEIGHT = 0.45
TIME_WEIGHT = 0.10  # a tie-breaker between similar articles, never a reason to link
TAU_DAYS = 30.0
MIN_RELEVANCE = 0.05  # terms + text part; below it an article is not related at all
# `sources` says who published an article, not what it is about.
IGNORED_TAXONOMIES = frozenset({"sources"})
CANDIDATE_TOKENS = 8  # strongest text terms used to look up candidates
WINDOW = 8  # per key: this many nearest-in-time articles on each side
SHORTLIST_FACTOR = 2  # exact scoring for count × this many candidates ...
MIN_SHORTLIST = 10  # ... but at least this many

_SECONDS_PER_DAY = 86400.0
TERM_SEP = "\x1f"  # whitespace to str.split(): never inside a text token


def term_vectors(articles: Sequence[Article],
                 terms: Sequence[Mapping[str, tuple[str, ...]]] | None = None
                 ) -> list[dict[str, int]]:
    """idf weights of each article's taxonomy terms, unit length × SCALE.

    Keys are ``taxonomy + TERM_SEP + label``, interned strings: unlike tuples
    they hash once, and they never collide with text tokens, which str.split()
    guarantees contain no TERM_SEP.

    Weight ln(N/df): a term on few articles says more than one on many.  Terms
    on more than half the articles weigh nothing (their term pages remain).
    ``terms``: the articles' ``terms`` when not yet set on the records.
    """
    if terms is None:
        terms = [art.terms for art in articles]
    keysets = [
        {intern(f"{tax}{TERM_SEP}{label.casefold()}") for tax, labels in mapping.items()
         if tax not in IGNORED_TAXONOMIES for label in labels}
        for mapping in terms
    ]
    n = len(articles)
    df: Counter[str] = Counter()
    for keys in keysets:
        df.update(keys)
    cut = n * MAX_DF if n >= MIN_DOCS_FOR_MAX_DF else n
    weight = {k: (math.log(n / d) if d <= cut else 0.0) for k, d in df.items()}
    vectors = []
    for keys in keysets:
        weights = sorted((k, weight[k]) for k in keys if weight[k] > 0.0)
        norm = math.sqrt(sum(w * w for _, w in weights)) or 1.0
        vectors.append({k: round(w * SCALE / norm) for k, w in weights})
    return vectors


def _combined(text_vec: Mapping[str, int], term_vec: Mapping[str, int]) -> dict[str, int]:
    """One sparse vector whose dot product is the whole relevance score.

    Term keys contain TERM_SEP and text keys do not, so they never collide;
    scaling the term part by sqrt(TERMS_WEIGHT / TEXT_WEIGHT) makes
    ``dot(a, b) · TEXT_WEIGHT / SCALE²`` equal the weighted sum of both
    cosines, at the cost of one set intersection per candidate instead of two.
    """
    ratio = math.sqrt(TERMS_WEIGHT / TEXT_WEIGHT)
    if ratio == 1.0:
        return {**text_vec, **term_vec}
    return {**text_vec, **{k: round(w * ratio) for k, w in term_vec.items()}}


def relate(articles: tuple[Article, ...], config: SiteConfig) -> tuple[Article, ...]:
    """Fill ``related``, ``earlier`` and ``later``; returns records in input order."""
    if not articles:
        return articles
    # Vectorised in input order, as cluster_stories() does, so that the
    # memoised vectors serve both stages.
    vecs = vectorize([(a.title, a.body) for a in articles])
    fields = related_fields(articles, config, vecs,
                            [a.story for a in articles], [a.also_reported for a in articles])
    return tuple(replace(a, related=related, earlier=earlier, later=later)
                 for a, (related, earlier, later) in zip(articles, fields, strict=True))


def related_fields(
    articles: Sequence[Article], config: SiteConfig, vecs: Sequence[Mapping[str, int]],
    stories: Sequence[str | None], also_reported: Sequence[tuple[str, ...]], jobs: int = 1,
    terms: Sequence[Mapping[str, tuple[str, ...]]] | None = None,
) -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """``(related, earlier, later)`` of each article, in input order.

    ``vecs`` are the articles' :func:`vectorize` vectors; ``stories`` and
    ``also_reported`` their story fields (as cluster_stories() fills them), all
    in input order; ``terms`` their ``terms`` when not yet set on the records.
    Returns plain values so that ``enrich_site`` copies each record once for
    all its site fields.
    """
    return related_links(prepare(articles, vecs, terms), config, stories, also_reported, jobs)


class Prepared(NamedTuple):
    """The read-only tables related links are picked from; see :func:`prepare`."""

    order: list[int]  # position -> input index, (newest first, URL) order
    arts: list[Article]  # by position
    stamps: list[float]  # days, by position
    vectors: list[dict[str, int]]  # text and term vector in one, by position
    dims: list[tuple[tuple[str, ...], array[int]]]  # vectors' keys and weights
    keys: list[list[str]]  # per position: the keys its candidates are looked up by
    postings: dict[str, list[int]]  # key -> ascending positions
    by_slug: dict[str, list[int]]


def prepare(articles: Sequence[Article], vecs: Sequence[Mapping[str, int]],
            terms: Sequence[Mapping[str, tuple[str, ...]]] | None = None) -> Prepared:
    """Everything :func:`related_links` needs but the story fields, so that it
    can be built while the stories are being clustered (see enrich_site)."""
    n = len(articles)
    # Position in (newest first, URL) order: the tie-break order, and the time
    # axis the candidate windows slide along.
    order = sorted(range(n), key=lambda i: (-articles[i].date.timestamp(), articles[i].url))
    arts = [articles[i] for i in order]
    stamps = [a.date.timestamp() / _SECONDS_PER_DAY for a in arts]
    text_vecs = [vecs[i] for i in order]
    term_vecs = term_vectors(arts, None if terms is None else [terms[i] for i in order])
    vectors = [_combined(t, x) for t, x in zip(text_vecs, term_vecs, strict=True)]
    del text_vecs
    # The candidate side of each dot product is only iterated: compact
    # (keys, weights) sequences read faster than the dicts themselves, whose
    # scattered int objects cost a cache miss each.
    dims = [(tuple(v), array("q", v.values())) for v in vectors]

    keys: list[list[str]] = []
    postings: dict[str, list[int]] = {}
    for pos in range(n):
        own = [*islice(vecs[order[pos]], CANDIDATE_TOKENS), *term_vecs[pos]]
        keys.append(own)
        for key in own:
            postings.setdefault(key, []).append(pos)  # ascending pos: sorted for bisect
    del term_vecs

    by_slug: dict[str, list[int]] = {}
    for pos, art in enumerate(arts):
        by_slug.setdefault(art.slug, []).append(pos)
    return Prepared(order, arts, stamps, vectors, dims, keys, postings, by_slug)


def related_links(
    prep: Prepared, config: SiteConfig, stories: Sequence[str | None],
    also_reported: Sequence[tuple[str, ...]], jobs: int = 1,
) -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """:func:`related_fields` from the tables :func:`prepare` built."""
    order, arts = prep.order, prep.arts
    n = len(order)
    story_at = [stories[i] for i in order]
    also_at = [also_reported[i] for i in order]
    urls = [a.url for a in arts]
    url_of = urls.__getitem__

    def links_of(pos: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        shortlist = max(MIN_SHORTLIST, config.related_count * SHORTLIST_FACTOR)
        while True:
            ranked, complete = _rank(pos, prep.stamps, prep.vectors, prep.dims, story_at,
                                     prep.keys[pos], prep.postings, shortlist)
            chosen = _choose(pos, arts, story_at, also_at[pos], ranked, prep.by_slug,
                             config.related_count)
            # Widen only when exclusions, not weak candidates, emptied the list:
            # candidates come in order of shared keys, so later ones are weaker.
            if complete or len(chosen) >= config.related_count or len(ranked) < shortlist:
                break
            shortlist *= 4
        earlier = [q for q in chosen if q > pos]  # larger pos = older (same time: URL after)
        later = [q for q in chosen if q < pos]
        earlier.sort()  # newest first
        later.sort(reverse=True)  # oldest first
        return (tuple(map(url_of, chosen)), tuple(map(url_of, earlier)),
                tuple(map(url_of, later)))

    same = {u: u for u in urls}.__getitem__  # a worker's URL strings are copies: share

    def unpack(part: list[tuple[tuple[str, ...], ...]]) -> list[tuple[tuple[str, ...], ...]]:
        return [tuple(tuple(map(same, urls)) for urls in links) for links in part]

    # Each article's links depend only on the shared read-only tables above:
    # forked workers inherit them and send back a few URLs per article.
    out: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [((), (), ())] * n
    for pos, links in enumerate(share_map(links_of, range(n), jobs, unpack=unpack)):
        out[order[pos]] = links  # type: ignore[assignment]
    return out


_ZEROS = repeat(0)  # endless: the default for every key a dict.get lookup misses


def _rank(
    pos: int, stamps: Sequence[float], vectors: Sequence[Mapping[str, int]],
    dims: Sequence[tuple[tuple[str, ...], array[int]]],
    stories: Sequence[str | None], own_keys: Sequence[str],
    postings: Mapping[str, list[int]], shortlist: int,
) -> tuple[list[int], bool]:
    """Candidate positions for ``pos``, best first; and whether none were cut.

    ``dims[q]`` holds the keys and weights of ``vectors[q]``, in its order.
    """
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
    complete = True
    for q in candidates:
        story = stories[q]
        if story is not None:
            if story in seen:
                continue
            seen.add(story)
        if len(picked) == shortlist:
            complete = False
            break
        picked.append(q)
    vec_get, day = vectors[pos].get, stamps[pos]
    floor = MIN_RELEVANCE / TEXT_WEIGHT * SCALE_SQUARED
    scored = []
    for q in picked:
        other_keys, other_weights = dims[q]
        # dot(vectors[pos], vectors[q]), inlined: every key of the candidate
        # looked up with a default costs less than building the set of shared
        # keys (candidates share many keys by construction).  Integers: exact
        # in any order, see textvec.dot().
        raw = sum(map(mul, other_weights, map(vec_get, other_keys, _ZEROS)))
        if raw < floor:
            continue
        score = raw * (TEXT_WEIGHT / SCALE_SQUARED) + TIME_WEIGHT * math.exp(
            -abs(day - stamps[q]) / TAU_DAYS)
        scored.append((-score, q))  # ties: smaller pos = newer, then URL
    scored.sort()
    return [q for _, q in scored], complete


def _choose(
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
