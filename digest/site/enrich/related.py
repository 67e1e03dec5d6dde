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
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from itertools import islice
from sys import intern
from typing import NamedTuple

from digest.site.config import SiteConfig
from digest.site.enrich.ranking import TERMS_WEIGHT, TEXT_WEIGHT, Picked, links_of, split_links
from digest.site.enrich.textvec import MAX_DF, MIN_DOCS_FOR_MAX_DF, SCALE, vectorize
from digest.site.records import Article
from digest.site.work import SERIAL, Work

# `sources` says who published an article, not what it is about.
IGNORED_TAXONOMIES = frozenset({"sources"})
CANDIDATE_TOKENS = 8  # strongest text terms used to look up candidates

SECONDS_PER_DAY = 86400.0
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
    return _term_vectors([term_keys(mapping) for mapping in terms])


def _term_vectors(keysets: Sequence[set[str]]) -> list[dict[str, int]]:
    n = len(keysets)
    df: Counter[str] = Counter()
    for keys in keysets:
        df.update(keys)
    cut = term_cut(n)
    weight = {k: term_weight(d, n, cut) for k, d in df.items()}
    return [term_vector(keys, weight.__getitem__) for keys in keysets]


def term_keys(mapping: Mapping[str, tuple[str, ...]]) -> set[str]:
    """An article's taxonomy terms as vector keys (see :func:`term_vectors`)."""
    return {intern(f"{tax}{TERM_SEP}{label.casefold()}") for tax, labels in mapping.items()
            if tax not in IGNORED_TAXONOMIES for label in labels}


def term_cut(n: int) -> float:
    """Articles a term may be on, of ``n``, and still weigh something."""
    return n * MAX_DF if n >= MIN_DOCS_FOR_MAX_DF else n


def term_weight(d: int, n: int, cut: float) -> float:
    """The weight of a term on ``d`` of ``n`` articles (the one definition,
    shared with the incremental update, digest.engine.revector)."""
    return math.log(n / d) if d <= cut else 0.0


def term_vector(keys: Iterable[str], weight_of: Callable[[str], float]) -> dict[str, int]:
    """One article's term vector from its keys and their weights (sorted keys:
    the float norm is summed in one order whatever the set's order)."""
    weights = sorted((k, weight_of(k)) for k in keys)
    weights = [(k, w) for k, w in weights if w > 0.0]
    norm = math.sqrt(sum(w * w for _, w in weights)) or 1.0
    return {k: round(w * SCALE / norm) for k, w in weights}


def combined(text_vec: Mapping[str, int], term_vec: Mapping[str, int]) -> dict[str, int]:
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
    stories: Sequence[str | None], also_reported: Sequence[tuple[str, ...]], work: Work = SERIAL,
    terms: Sequence[Mapping[str, tuple[str, ...]]] | None = None,
) -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """``(related, earlier, later)`` of each article, in input order.

    ``vecs`` are the articles' :func:`vectorize` vectors; ``stories`` and
    ``also_reported`` their story fields (as cluster_stories() fills them), all
    in input order; ``terms`` their ``terms`` when not yet set on the records.
    Returns plain values so that ``enrich_site`` copies each record once for
    all its site fields.
    """
    return related_links(prepare(articles, vecs, terms), config, stories, also_reported, work)


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
    term_vecs: list[dict[str, int]]  # by position: the term part of ``vectors``
    keysets: list[set[str]]  # by position: every term key, weighing or not


def prepare(articles: Sequence[Article], vecs: Sequence[Mapping[str, int]],
            terms: Sequence[Mapping[str, tuple[str, ...]]] | None = None) -> Prepared:
    """Everything :func:`related_links` needs but the story fields, so that it
    can be built while the stories are being clustered (see enrich_site)."""
    n = len(articles)
    # Position in (newest first, URL) order: the tie-break order, and the time
    # axis the candidate windows slide along.
    order = sorted(range(n), key=lambda i: (-articles[i].date.timestamp(), articles[i].url))
    arts = [articles[i] for i in order]
    stamps = [a.date.timestamp() / SECONDS_PER_DAY for a in arts]
    text_vecs = [vecs[i] for i in order]
    keysets = [term_keys(arts[p].terms if terms is None else terms[i])
               for p, i in enumerate(order)]
    term_vecs = _term_vectors(keysets)
    vectors = [combined(t, x) for t, x in zip(text_vecs, term_vecs, strict=True)]
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

    by_slug: dict[str, list[int]] = {}
    for pos, art in enumerate(arts):
        by_slug.setdefault(art.slug, []).append(pos)
    return Prepared(order, arts, stamps, vectors, dims, keys, postings, by_slug, term_vecs,
                    keysets)


def related_links(
    prep: Prepared, config: SiteConfig, stories: Sequence[str | None],
    also_reported: Sequence[tuple[str, ...]], work: Work = SERIAL,
) -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """:func:`related_fields` from the tables :func:`prepare` built."""
    return link_site(prep, config, stories, also_reported, work)[0]


Links = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # related, earlier, later


def link_site(
    prep: Prepared, config: SiteConfig, stories: Sequence[str | None],
    also_reported: Sequence[tuple[str, ...]], work: Work = SERIAL,
) -> tuple[list[Links], list[tuple[Sequence[int], Picked]]]:
    """:func:`related_links`, and by position what each article links to and
    the shortlist it was picked from (for digest.engine.snapshot)."""
    order, arts = prep.order, prep.arts
    n = len(order)
    story_at = [stories[i] for i in order]
    also_at = [also_reported[i] for i in order]
    count = config.related_count

    def one(pos: int) -> tuple[tuple[int, ...], Picked]:
        chosen, picked = links_of(pos, prep, story_at, also_at[pos], count)
        return tuple(chosen), picked

    # Each article's links depend only on the shared read-only tables above:
    # forked workers inherit them and send back a few positions per article.
    found = work.share(one, range(n), "finding related articles")
    url_of = [a.url for a in arts].__getitem__
    out: list[Links] = [((), (), ())] * n
    for pos, (chosen, _) in enumerate(found):
        out[order[pos]] = split_links(pos, chosen, url_of)
    return out, found  # type: ignore[return-value]
